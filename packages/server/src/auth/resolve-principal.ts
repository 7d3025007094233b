/**
 * The server's {@link PrincipalResolver}: a bearer access token (API keys) or the session cookie (portal
 * users), whichever the operation accepts and the request carries. A request with both is refused
 * (ambiguous), as is a bearer header that is not one token.
 */
import { bearerPrincipal } from '../oauth/bearer-principal.ts';
import { sessionPrincipal } from '../accounts/session-principal.ts';
import type { ServerServices } from '../http/server-services.ts';
import type { PrincipalResolver } from './principal.ts';

export function serverPrincipalResolver(services: ServerServices): PrincipalResolver {
  const bearer = bearerPrincipal(services);
  const session = sessionPrincipal(services);
  return async (ctx, accepted) => {
    if (accepted.has('bearer') && ctx.get('authorization') !== '') {
      const principal = await bearer(ctx);
      if (principal !== null) return principal;
    }
    if (accepted.has('session')) return session(ctx);
    return null;
  };
}
