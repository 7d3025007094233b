/**
 * The principal of a request that carries a session cookie (portal users in the browser). Filled in by
 * the accounts module; until then no session is recognised.
 */
import type { ParameterizedContext } from 'koa';
import type { Principal } from '../auth/principal.ts';
import type { ServerServices } from '../http/server-services.ts';

export function sessionPrincipal(_services: ServerServices): (ctx: ParameterizedContext) => Promise<Principal | null> {
  return () => Promise.resolve(null);
}
