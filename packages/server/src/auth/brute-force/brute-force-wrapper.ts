/**
 * The brute-force defence as a wrapper around the handler registry (STYLE.md rule 3): the handlers of
 * the operations that check a secret stay as they are, and each is wrapped in a guard that takes an
 * attempt on its throttle keys before it runs (refusing a locked key, or an attempt beyond the limit) and
 * reads its outcome afterwards (a thrown problem's code, an OAuth error, a success) to keep the attempt
 * as a failure, reset counts or give the attempt back, and to write the audit entries of authentication
 * outcomes (`brute-force-defence.ts`).
 *
 * Guarded: `signIn`, `completeSignIn` (`guards/sign-in-guards.ts`); `issueToken`, `revokeToken`
 * (`guards/oauth-guards.ts`); `enableTwoFactor`, `disableTwoFactor`, `regenerateRecoveryCodes`,
 * `changePassword` (`guards/signed-in-guards.ts`). An operation without a handler stays without one
 * (it answers 501), and every other handler is passed through untouched.
 *
 * The policy is `config.bruteForce` (`brute-force-policy.ts`); the counters are in `auth_throttles`
 * (`throttle-store.ts`), shared by every API process.
 */
import type { HandlerRegistry, OperationHandler, OperationId } from '../../http/handlers/handler-types.ts';
import type { ServerServices } from '../../http/server-services.ts';
import { BruteForceDefence } from './brute-force-defence.ts';
import { oauthGuards } from './guards/oauth-guards.ts';
import type { Guard, Guards } from './guards/outcome.ts';
import { signInGuards } from './guards/sign-in-guards.ts';
import { signedInGuards } from './guards/signed-in-guards.ts';

/**
 * The registry with the brute-force guards around the handlers they concern.
 *
 * @example
 * ```ts
 * const handlers = withBruteForceDefence({ ...defaultHandlers(services), ...extra }, services);
 * ```
 */
export function withBruteForceDefence(handlers: HandlerRegistry, services: ServerServices): HandlerRegistry {
  const defence = new BruteForceDefence(services);
  const guards: Guards = { ...signInGuards(defence), ...oauthGuards(defence), ...signedInGuards(defence) };
  const entries = Object.entries(handlers).map(([id, handler]) => {
    const guard = guards[id as OperationId] as Guard<OperationId> | undefined;
    if (guard === undefined) return [id, handler];
    const run = handler as OperationHandler<OperationId>;
    return [id, ((request) => guard(request, run)) satisfies OperationHandler<OperationId>];
  });
  return Object.fromEntries(entries) as HandlerRegistry;
}
