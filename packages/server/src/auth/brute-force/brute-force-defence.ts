/**
 * What the guards of `guards/` share: taking an attempt on each throttle key before a handler runs, and
 * settling it after the handler answered (a failure keeps it and may start a lockout, which is audited
 * or logged; a success resets keys; anything else gives it back).
 *
 * Take, then check — never check, then count: every request sent at once would pass a check made before
 * the first failure is counted. So {@link BruteForceDefence.take} counts the attempt first, in one atomic
 * statement per key (`throttle-store.ts`), and refuses it when the key is locked or when the attempt's
 * place is beyond the limit (the attempts before it, still being checked, hold the whole budget). However
 * many requests arrive together, at most `maxFailures` of them reach the secret check per window. Then
 * {@link BruteForceDefence.finish} settles it, each key exactly one way:
 *
 * - failed: the attempt stays counted; the failure whose attempt reached the limit starts the lockout
 *   (once, audited once);
 * - reset: the key's row is deleted (its count, its lockouts in a row, the attempt with them);
 * - otherwise (an outcome that proves nothing: a refusal after the right password, a validation
 *   failure, a success that resets nothing, an error): the attempt is given back.
 *
 * A refused request takes nothing (its attempts are given back before it is answered). Trade-off: an
 * attempt counts while it is being checked, so more than `maxFailures` requests of one key in flight at
 * the same instant are refused even if they would have succeeded — no client does that for a sign-in,
 * and each one lasts milliseconds.
 *
 * A refusal answers `429 THROTTLED` with `Retry-After` before the handler runs, whatever the request
 * holds (the right password too), and the answer depends only on when the lockout ends (for an attempt
 * beyond the limit while the lockout is not started yet: the lockout that the attempts in flight would
 * start): the same problem for every email typed, existing or not. Which key refused is not said. A
 * locked key is refused by a read before any write, so a flood of a locked key costs no write.
 *
 * Old rows are deleted by this process at most once every {@link cleanupIntervalMs}, on a failure, so no
 * timer runs and a quiet server does no work.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.ts';
import type { HoldfastContext } from '../../http/koa-state.ts';
import { HttpProblem } from '../../http/problem.ts';
import type { ServerServices } from '../../http/server-services.ts';
import { auditLockout, type AuditContext, type Concerned } from './auth-audit.ts';
import { lockoutDuration, type BruteForcePolicy } from './brute-force-policy.ts';
import { throttleKeys, type ThrottleKey, type ThrottleKeys } from './throttle-keys.ts';
import {
  clearThrottles,
  deleteStaleThrottles,
  giveBackAttempt,
  lockedUntil,
  startLockout,
  takeAttempt,
  type TakenAttempt,
} from './throttle-store.ts';

/** How often, at most, a process deletes forgotten rows. */
export const cleanupIntervalMs = 10 * 60_000;

/** The answer of a locked key: the same for every key kind and every email typed. */
export function throttledProblem(until: Date, now: Date): HttpProblem {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new HttpProblem(429, 'THROTTLED', `Too many failed attempts. Try again in ${seconds} seconds.`, {
    headers: { 'Retry-After': String(seconds) },
  });
}

type Counted = Extract<TakenAttempt, { counted: true }>;

/** One request's attempt, taken on each of its keys; settled once by {@link BruteForceDefence.finish}. */
export interface Attempt {
  readonly now: Date;
  readonly taken: readonly { readonly key: ThrottleKey; readonly attempt: Counted }[];
}

/** How an attempt ended. Keys of the attempt in neither list get their attempt back. */
export interface AttemptResult {
  /** Keys whose attempt failed: it stays counted. */
  readonly failed?: readonly ThrottleKey[];
  /** Who a lockout that starts concerns (audited there), when anyone. */
  readonly concerned?: Concerned | null;
  /** Keys a success resets (whether or not the attempt was taken on them). */
  readonly reset?: readonly ThrottleKey[];
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

  /**
   * Takes an attempt on each of `keys` before the secret is checked.
   *
   * @throws HttpProblem `429 THROTTLED` when a key is locked at `now`, or the attempt is beyond a key's
   *   limit; nothing stays taken then.
   */
  async take(keys: readonly ThrottleKey[], now: Date): Promise<Attempt> {
    const locked = await lockedUntil(
      this.db,
      keys.map((key) => key.key),
      now,
    );
    if (locked !== null) throw throttledProblem(locked, now);
    const taken: { key: ThrottleKey; attempt: Counted }[] = [];
    let lockedEnd: Date | null = null;
    let refusedEnd: Date | null = null;
    try {
      for (const key of keys) {
        const policy = this.#policy[key.kind];
        const attempt = await takeAttempt(this.db, key.key, policy, now);
        if (!attempt.counted) {
          lockedEnd = later(lockedEnd, attempt.lockedUntil);
          continue;
        }
        taken.push({ key, attempt });
        if (attempt.place > policy.maxFailures) {
          refusedEnd = later(refusedEnd, new Date(now.getTime() + lockoutDuration(policy, attempt.lockouts)));
        }
      }
    } catch (error) {
      await this.#giveBack(taken);
      throw error;
    }
    const refused = lockedEnd ?? refusedEnd;
    if (refused === null) return { now, taken };
    await this.#giveBack(taken);
    throw throttledProblem(refused, now);
  }

  async #giveBack(taken: Attempt['taken']): Promise<void> {
    for (const { key } of taken) await giveBackAttempt(this.db, key.key);
  }

  /** Settles an attempt once the handler answered (see the module notes). */
  async finish(ctx: HoldfastContext, attempt: Attempt, result: AttemptResult): Promise<void> {
    const failed = new Set((result.failed ?? []).map((key) => key.key));
    const reset = result.reset ?? [];
    const resetKeys = new Set(reset.map((key) => key.key));
    await clearThrottles(
      this.db,
      reset.map((key) => key.key),
    );
    for (const { key } of attempt.taken) {
      if (!failed.has(key.key) && !resetKeys.has(key.key)) await giveBackAttempt(this.db, key.key);
    }
    if (failed.size === 0) return;
    for (const { key, attempt: taken } of attempt.taken) {
      if (!failed.has(key.key) || resetKeys.has(key.key)) continue;
      await this.#failed(ctx, key, taken, result.concerned ?? null, attempt.now);
    }
    await this.#cleanUp(ctx, attempt.now);
  }

  /**
   * A failure that stays counted. A lockout it starts is audited in the account concerned when there is
   * one (never for an unknown email), and logged in any case (without the email).
   */
  async #failed(
    ctx: HoldfastContext,
    key: ThrottleKey,
    taken: Counted,
    concerned: Concerned | null,
    now: Date,
  ): Promise<void> {
    const lockout = await startLockout(this.db, key.key, this.#policy[key.kind], now, taken);
    if (lockout === null) return;
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

function later(a: Date | null, b: Date): Date {
  return a === null || b.getTime() > a.getTime() ? b : a;
}
