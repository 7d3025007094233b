/**
 * The `auth_throttles` table: one row per throttle key that was tried lately, shared by every API process
 * (the database is the one place they all see, so a lockout holds whichever process a request reaches).
 *
 * An attempt is taken before the secret is checked, never counted after it: {@link takeAttempt} counts
 * it and answers its place in the window, the caller refuses it when the place is beyond the limit, and
 * afterwards a failure keeps it ({@link startLockout} when it reached the limit), a success deletes the
 * row ({@link clearThrottles}), and an outcome that proves nothing gives it back ({@link giveBackAttempt}).
 * So `failures` counts the failures of the window plus the attempts still being checked, and however many
 * requests arrive at once, no more than the limit get past the count.
 *
 * Invariants, each kept by a single statement, never by read-then-write in the application, so they hold
 * on SQLite and PostgreSQL under concurrent requests:
 *
 * - every attempt is counted before it is checked: {@link takeAttempt} is one `INSERT … ON CONFLICT DO
 *   UPDATE … RETURNING` whose update reads the row's own values (PostgreSQL locks the row; SQLite has one
 *   writer), so N attempts at once get N distinct places; a locked key counts nothing (the row is left
 *   as it is and its `locked_until` answered);
 * - a lockout starts once: the update that sets `locked_until` is conditional on the `lockouts` count the
 *   attempt read, on the count still standing at the limit and on no lockout being in force, so of two
 *   failures at the limit exactly one starts it (and only that one audits it);
 * - an attempt given back is one decrement, never below 0 (a lockout or a new window may have reset the
 *   count since it was taken);
 * - a success deletes the row (its count and its lockouts in a row), see {@link clearThrottles};
 * - rows are forgotten {@link forgetAfterMs} after their last attempt ({@link deleteStaleThrottles}).
 *
 * The window starts with the first attempt taken in it (one given back included) and the row's
 * `last_failure_at` is the last attempt taken. Times are the fixed-width ISO strings of `db/time.ts`, so
 * they compare as text on both databases.
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

/** What {@link takeAttempt} found: an attempt counted at a place in the window, or a lockout in force. */
export type TakenAttempt =
  | {
      readonly counted: true;
      /** The attempt's place in the window: 1 for the first; beyond the limit, it must be refused. */
      readonly place: number;
      /** Lockouts in a row before this attempt (the next lockout lasts accordingly). */
      readonly lockouts: number;
    }
  | { readonly counted: false; readonly lockedUntil: Date };

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
 * Takes one attempt of `key` at `now` under `policy`, before its secret is checked: counts it in the
 * window (a new window when the last one is over) and answers its place, or, while the key is locked,
 * counts nothing and answers the lockout's end.
 */
export async function takeAttempt(
  db: Kysely<Database>,
  key: string,
  policy: ThrottlePolicy,
  now: Date,
): Promise<TakenAttempt> {
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
        const locked = eb('auth_throttles.locked_until', '>', at);
        const windowOver = eb('auth_throttles.window_started_at', '<=', windowStartedBefore);
        const forgotten = eb('auth_throttles.last_failure_at', '<=', forgottenBefore);
        return {
          failures: eb
            .case()
            .when(locked)
            .then(eb.ref('auth_throttles.failures'))
            .when(windowOver)
            .then(1)
            .else(eb('auth_throttles.failures', '+', 1))
            .end(),
          window_started_at: eb
            .case()
            .when(locked)
            .then(eb.ref('auth_throttles.window_started_at'))
            .when(windowOver)
            .then(at)
            .else(eb.ref('auth_throttles.window_started_at'))
            .end(),
          lockouts: eb
            .case()
            .when(locked)
            .then(eb.ref('auth_throttles.lockouts'))
            .when(forgotten)
            .then(0)
            .else(eb.ref('auth_throttles.lockouts'))
            .end(),
          last_failure_at: eb.case().when(locked).then(eb.ref('auth_throttles.last_failure_at')).else(at).end(),
        };
      }),
    )
    .returning(['failures', 'lockouts', 'locked_until'])
    .executeTakeFirstOrThrow();
  if (row.locked_until !== null && row.locked_until > at) {
    return { counted: false, lockedUntil: fromTimestamp(row.locked_until) };
  }
  return { counted: true, place: row.failures, lockouts: row.lockouts };
}

/** Gives back an attempt taken on `key` whose outcome proved nothing (one less, never below 0). */
export async function giveBackAttempt(db: Kysely<Database>, key: string): Promise<void> {
  await db
    .updateTable('auth_throttles')
    .set((eb) => ({ failures: eb('failures', '-', 1) }))
    .where('throttle_key', '=', key)
    .where('failures', '>', 0)
    .execute();
}

/**
 * After the attempt `taken` of `key` failed (it keeps its place in the count): starts the lockout when
 * that attempt reached the limit and the count still stands there; answers the lockout it started, or
 * null (under the limit, already locked, or another failure started it first).
 */
export async function startLockout(
  db: Kysely<Database>,
  key: string,
  policy: ThrottlePolicy,
  now: Date,
  taken: Extract<TakenAttempt, { counted: true }>,
): Promise<StartedLockout | null> {
  if (taken.place < policy.maxFailures) return null;
  const at = toTimestamp(now);
  const until = new Date(now.getTime() + lockoutDuration(policy, taken.lockouts));
  const started = await db
    .updateTable('auth_throttles')
    .set({ locked_until: toTimestamp(until), lockouts: taken.lockouts + 1, failures: 0, window_started_at: at })
    .where('throttle_key', '=', key)
    .where('lockouts', '=', taken.lockouts)
    .where('failures', '>=', policy.maxFailures)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]))
    .executeTakeFirst();
  return started.numUpdatedRows === 1n ? { until, number: taken.lockouts + 1, failures: taken.place } : null;
}

/**
 * Counts one failure of `key` at `now` whose attempt was not taken before (an attempt taken and failed at
 * once); answers the lockout it started, or null. The defence itself takes attempts first.
 */
export async function recordFailure(
  db: Kysely<Database>,
  key: string,
  policy: ThrottlePolicy,
  now: Date,
): Promise<StartedLockout | null> {
  const taken = await takeAttempt(db, key, policy, now);
  return taken.counted ? startLockout(db, key, policy, now, taken) : null;
}

/** Forgets `keys` (a success): their counts, their lockouts in a row and any lockout in force. */
export async function clearThrottles(db: Kysely<Database>, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db
    .deleteFrom('auth_throttles')
    .where('throttle_key', 'in', [...keys])
    .execute();
}

/** Deletes rows with no attempt for {@link forgetAfterMs} and no lockout in force; answers how many. */
export async function deleteStaleThrottles(db: Kysely<Database>, now: Date): Promise<number> {
  const at = toTimestamp(now);
  const result = await db
    .deleteFrom('auth_throttles')
    .where('last_failure_at', '<=', toTimestamp(now.getTime() - forgetAfterMs))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
