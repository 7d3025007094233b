/**
 * The server's {@link PrincipalResolver}: a bearer access token (API keys) or the session cookie (portal
 * users), whichever the operation accepts and the request carries. A request with both is refused
 * (ambiguous), as is a bearer header that is not one token.
 *
 * Once a principal is found, its account's IP restrictions (S6) decide whether the request's address
 * may use it: `403 IP_NOT_TRUSTED` otherwise (`ip-restrictions/ip-gate.ts`; no query when the account
 * has them off, one indexed query for its rules when on).
 */
import { bearerPrincipal } from '../oauth/bearer-principal.ts';
import { sessionPrincipal } from '../accounts/session-principal.ts';
import type { ServerServices } from '../http/server-services.ts';
import { requireTrustedPrincipalAddress } from '../ip-restrictions/ip-gate.ts';
import type { PrincipalResolver } from './principal.ts';

export function serverPrincipalResolver(services: ServerServices): PrincipalResolver {
  const bearer = bearerPrincipal(services);
  const session = sessionPrincipal(services);
  const find: PrincipalResolver = async (ctx, accepted) => {
    if (accepted.has('bearer') && ctx.get('authorization') !== '') {
      const principal = await bearer(ctx);
      if (principal !== null) return principal;
    }
    if (accepted.has('session')) return session(ctx);
    return null;
  };
  return async (ctx, accepted) => {
    const principal = await find(ctx, accepted);
    if (principal !== null) await requireTrustedPrincipalAddress(services, ctx, principal);
    return principal;
  };
}
