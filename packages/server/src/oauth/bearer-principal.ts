/**
 * The principal of a request that carries `Authorization: Bearer <access token>` (API keys, through
 * `POST /v1/oauth/token`). Filled in by the OAuth module; until then no bearer token is recognised.
 */
import type { ParameterizedContext } from 'koa';
import type { Principal } from '../auth/principal.ts';
import type { ServerServices } from '../http/server-services.ts';

export function bearerPrincipal(_services: ServerServices): (ctx: ParameterizedContext) => Promise<Principal | null> {
  return () => Promise.resolve(null);
}
