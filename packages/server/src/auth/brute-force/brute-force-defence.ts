/**
 * What the guards of `guards/` share: the lockout check before a handler runs, the counting of a failure
 * after it (and the audit or log line of any lockout that starts), and the reset after a success.
 *
 * A locked key answers `429 THROTTLED` with `Retry-After` before the handler runs, whatever the request
 * holds (the right password too), and the answer depends only on when the lockout ends: the same problem
 * for every email typed, existing or not. Which key is locked (the address, the email) is not said.
 *
 * Old rows are deleted by this process at most once every {@link cleanupIntervalMs}, on a failure (the
 * only thing that adds rows), so no timer runs and a quiet server does no work.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.ts';
import type { HoldfastContext } from '../../http/koa-state.ts';
import { HttpProblem } from '../../http/problem.ts';
import type { ServerServices } from '../../http/server-services.ts';
import { auditLockout, type AuditContext, type Concerned } from './auth-audit.ts';
import type { BruteForcePolicy } from './brute-force-policy.ts';
import { throttleKeys, type ThrottleKey, type ThrottleKeys } from './throttle-keys.ts';
import { clearThrottles, deleteStaleThrottles, lockedUntil, recordFailure } from './throttle-store.ts';

/** How often, at most, a process deletes forgotten rows. */
export const cleanupIntervalMs = 10 * 60_000;

/** The answer of a locked key: the same for every key kind and every email typed. */
export function throttledProblem(until: Date, now: Date): HttpProblem {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new HttpProblem(429, 'THROTTLED', `Too many failed attempts. Try again in ${seconds} seconds.`, {
    headers: { 'Retry-After': String(seconds) },
  });
}

/** The brute-force defence of one server. */
export class BruteForceDefence {
  readonly keys: ThrottleKeys;
  readonly db: Kysely<Database>;
  readonly clock: () => Date;
  readonly #policy: BruteForcePolicy;
  #lastCleanup: number | null = null;

  constructor(services: Pick<ServerServices, 'config' | 'database' | 'masterKey' | 'clock'>) {
    this.keys = throttleKeys(services.masterKey);
    this.db = services.database.db;
    this.clock = services.clock;
    this.#policy = services.config.bruteForce;
  }

  /** The audit context of a request. */
  auditContext(ctx: HoldfastContext, now: Date): AuditContext {
    return { db: this.db, sourceIp: ctx.state.clientIp, now };
  }

  /** @throws HttpProblem `429 THROTTLED` when any of `keys` is locked at `now`. */
  async refuseIfLocked(keys: readonly ThrottleKey[], now: Date): Promise<void> {
    const until = await lockedUntil(
      this.db,
      keys.map((key) => key.key),
      now,
    );
    if (until !== null) throw throttledProblem(until, now);
  }

  /**
   * Counts a failure for each key. A lockout that starts is audited in the account concerned when there
   * is one (never for an unknown email), and logged in any case (without the email).
   */
  async fail(
    ctx: HoldfastContext,
    keys: readonly ThrottleKey[],
    concerned: Concerned | null,
    now: Date,
  ): Promise<void> {
    for (const key of keys) {
      const lockout = await recordFailure(this.db, key.key, this.#policy[key.kind], now);
      if (lockout === null) continue;
      ctx.state.log.warn(
        {
          throttle: key.kind,
          lockedUntil: lockout.until.toISOString(),
          lockoutInRow: lockout.number,
          operationId: ctx.state.operationId,
          clientIp: ctx.state.clientIp,
        },
        'brute-force lockout started',
      );
      if (concerned !== null) {
        await auditLockout(this.auditContext(ctx, now), concerned, key.kind, lockout, ctx.state.operationId ?? '');
      }
    }
    await this.#cleanUp(ctx, now);
  }

  /** Forgets the keys' failures and lockouts in a row (a success). */
  async succeed(keys: readonly ThrottleKey[]): Promise<void> {
    await clearThrottles(
      this.db,
      keys.map((key) => key.key),
    );
  }

  async #cleanUp(ctx: HoldfastContext, now: Date): Promise<void> {
    const at = now.getTime();
    if (this.#lastCleanup !== null && at >= this.#lastCleanup && at - this.#lastCleanup < cleanupIntervalMs) return;
    this.#lastCleanup = at;
    try {
      const deleted = await deleteStaleThrottles(this.db, now);
      if (deleted > 0) ctx.state.log.debug({ deleted }, 'forgotten auth throttles deleted');
    } catch (error) {
      ctx.state.log.warn({ err: error }, 'could not delete forgotten auth throttles');
    }
  }
}
