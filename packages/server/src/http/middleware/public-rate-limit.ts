/**
 * Rate limits of the unauthenticated operations: every operation whose `x-holdfast-permission` is
 * `public` (sign-up, confirmations and resends, password reset, invitations, sign-in, the OAuth
 * endpoints, regions), but the probes `/healthz` and `/readyz` (and `/metrics`, outside the contract).
 * One token bucket per client address (an IPv6 /64, `auth/client-network.ts`) across all of them;
 * beyond it, `429 THROTTLED` with `Retry-After`, before the body is read.
 *
 * The buckets are in this process's memory (`token-buckets.ts`): N processes behind a load balancer let
 * N times the rate through, and a restart forgets them. They blunt floods (mail bombing through resends,
 * sign-up spam, a sign-in storm) cheaply; the cross-process defence against guessing is the lockouts in
 * the database (`auth/brute-force/`). The limit is `config.publicRateLimit` (null: off), and time is the
 * server's injectable clock.
 */
import { clientNetwork } from '../../auth/client-network.ts';
import { operationAccess } from '../../auth/require-permission.ts';
import type { HoldfastMiddleware } from '../koa-state.ts';
import type { ContractOperation } from '../openapi/api-document.ts';
import { RouteTable } from '../openapi/route-table.ts';
import { HttpProblem } from '../problem.ts';
import { TokenBuckets, type RateLimit } from './token-buckets.ts';

/**
 * The default: 30 requests a minute per client address, in bursts of up to 30. Nobody signing up or in
 * needs a tenth of that; an office behind one address may need more (`HOLDFAST_PUBLIC_RATE_LIMIT`).
 */
export const defaultPublicRateLimit: RateLimit = { requests: 30, perMs: 60_000, burst: 30 };

/** Public operations that are never limited: the probes of load balancers and orchestrators. */
export const unlimitedOperations: ReadonlySet<string> = new Set(['getHealth', 'getReadiness']);

export interface PublicRateLimitOptions {
  readonly operations: readonly ContractOperation[];
  readonly limit: RateLimit;
  readonly clock: () => Date;
  /** The router's table, to share its match of each request (default: a table of its own). */
  readonly routes?: RouteTable;
  /** Buckets kept at most (default 100,000). */
  readonly maxClients?: number;
}

/** The limiter middleware; put it before the body reader and the router. */
export function publicRateLimit(options: PublicRateLimitOptions): HoldfastMiddleware {
  const { operations, limit, clock } = options;
  // The whole contract is routed, so a request goes to the operation the router will pick.
  const table = options.routes ?? new RouteTable(operations);
  const limited = new Set(
    operations
      .filter((operation) => operationAccess(operation).permission === 'public')
      .map((operation) => operation.operationId)
      .filter((operationId) => !unlimitedOperations.has(operationId)),
  );
  const buckets = new TokenBuckets(limit, options.maxClients);
  return async (ctx, next) => {
    const match = table.matchRequest(ctx);
    if (match.kind === 'operation' && limited.has(match.operation.operationId)) {
      const taken = buckets.take(clientNetwork(ctx.state.clientIp), clock().getTime());
      if (!taken.allowed) {
        // Named for the logs, the metrics and the contract check of the problem.
        ctx.state.route = match.operation.path;
        ctx.state.operationId = match.operation.operationId;
        const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
        throw new HttpProblem(429, 'THROTTLED', `Too many requests. Try again in ${seconds} seconds.`, {
          headers: { 'Retry-After': String(seconds) },
        });
      }
    }
    await next();
  };
}
