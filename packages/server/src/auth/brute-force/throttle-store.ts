/**
 * The `auth_throttles` table: one row per throttle key that failed lately, shared by every API process
 * (the database is the one place they all see, so a lockout holds whichever process a request reaches).
 *
 * Invariants, each kept by a single statement, never by read-then-write in the application, so they hold
 * on SQLite and PostgreSQL under concurrent requests:
 *
 * - every failure is counted: {@link recordFailure} is one `INSERT … ON CONFLICT DO UPDATE` whose update
 *   reads the row's own values (PostgreSQL locks the row; SQLite has one writer), so two failures at once
 *   make two increments;
 * - a lockout starts once: the update that sets `locked_until` is conditional on the `lockouts` count it
 *   read and on no lockout being in force, so of two requests crossing the threshold together exactly
 *   one starts it (and only that one audits it);
 * - a success deletes the row (its count and its lockouts in a row), see {@link clearThrottles};
 * - rows are forgotten {@link forgetAfterMs} after their last failure ({@link deleteStaleThrottles}).
 *
 * Times are the fixed-width ISO strings of `db/time.ts`, so they compare as text on both databases.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.ts';
import { fromTimestamp, toTimestamp } from '../../db/time.ts';
import { forgetAfterMs, lockoutDuration, type ThrottlePolicy } from './brute-force-policy.ts';

/** A lockout a failure started. */
export interface StartedLockout {
  /** When it ends. */
  readonly until: Date;
  /** 1 for the first lockout in a row, 2 for the next (twice as long), ... */
  readonly number: number;
  /** The failures that led to it. */
  readonly failures: number;
}

/** The end of the latest lockout in force among `keys`, or null when none is locked at `now`. */
export async function lockedUntil(db: Kysely<Database>, keys: readonly string[], now: Date): Promise<Date | null> {
  if (keys.length === 0) return null;
  const row = await db
    .selectFrom('auth_throttles')
    .select((eb) => eb.fn.max('locked_until').as('until'))
    .where('throttle_key', 'in', [...keys])
    .where('locked_until', '>', toTimestamp(now))
    .executeTakeFirst();
  const until = row?.until ?? null;
  return until === null ? null : fromTimestamp(until);
}

/**
 * Counts one failure of `key` at `now` under `policy`; answers the lockout it started, or null (under the
 * threshold, already locked, or another request started the lockout first).
 */
export async function recordFailure(
  db: Kysely<Database>,
  key: string,
  policy: ThrottlePolicy,
  now: Date,
): Promise<StartedLockout | null> {
  const at = toTimestamp(now);
  const windowStartedBefore = toTimestamp(now.getTime() - policy.windowMs);
  const forgottenBefore = toTimestamp(now.getTime() - forgetAfterMs);
  const row = await db
    .insertInto('auth_throttles')
    .values({
      throttle_key: key,
      failures: 1,
      window_started_at: at,
      last_failure_at: at,
      locked_until: null,
      lockouts: 0,
    })
    .onConflict((conflict) =>
      conflict.column('throttle_key').doUpdateSet((eb) => {
        // Qualified: PostgreSQL would find a bare column name ambiguous with `excluded`.
        const windowOver = eb('auth_throttles.window_started_at', '<=', windowStartedBefore);
        const forgotten = eb('auth_throttles.last_failure_at', '<=', forgottenBefore);
        return {
          failures: eb
            .case()
            .when(windowOver)
            .then(1)
            .else(eb('auth_throttles.failures', '+', 1))
            .end(),
          window_started_at: eb.case().when(windowOver).then(at).else(eb.ref('auth_throttles.window_started_at')).end(),
          lockouts: eb.case().when(forgotten).then(0).else(eb.ref('auth_throttles.lockouts')).end(),
          last_failure_at: at,
        };
      }),
    )
    .returning(['failures', 'lockouts', 'locked_until'])
    .executeTakeFirstOrThrow();
  const { failures, lockouts } = row;
  if (failures < policy.maxFailures) return null;
  if (row.locked_until !== null && row.locked_until > at) return null;

  const until = new Date(now.getTime() + lockoutDuration(policy, lockouts));
  const started = await db
    .updateTable('auth_throttles')
    .set({ locked_until: toTimestamp(until), lockouts: lockouts + 1, failures: 0, window_started_at: at })
    .where('throttle_key', '=', key)
    .where('lockouts', '=', lockouts)
    .where('failures', '>=', policy.maxFailures)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]))
    .executeTakeFirst();
  return started.numUpdatedRows === 1n ? { until, number: lockouts + 1, failures } : null;
}

/** Forgets `keys` (a success): their counts, their lockouts in a row and any lockout in force. */
export async function clearThrottles(db: Kysely<Database>, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db
    .deleteFrom('auth_throttles')
    .where('throttle_key', 'in', [...keys])
    .execute();
}

/** Deletes rows with no failure for {@link forgetAfterMs} and no lockout in force; answers how many. */
export async function deleteStaleThrottles(db: Kysely<Database>, now: Date): Promise<number> {
  const at = toTimestamp(now);
  const result = await db
    .deleteFrom('auth_throttles')
    .where('last_failure_at', '<=', toTimestamp(now.getTime() - forgetAfterMs))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
