/**
 * The brute-force policy: how many failures each kind of throttle key allows in its window, and how long
 * the lockout that follows lasts. Pure values and arithmetic; the counters live in `auth_throttles`
 * (`throttle-store.ts`).
 *
 * A key counts failures in a fixed window that starts with its first failure. When `maxFailures` are
 * reached, the key is locked for `lockoutMs`, doubled for each lockout in a row before it (capped at
 * `maxLockoutMs`), and its count starts again. "In a row" ends with a success (for the keys a success
 * resets) or after {@link forgetAfterMs} without a failure, when the row is forgotten (and deleted).
 *
 * Trade-off: a lockout also refuses the rightful owner (even with the right password), which is what
 * makes guessing pointless; the doubling keeps a patient attacker at a handful of guesses per hour while
 * someone who mistyped a few times waits minutes, not hours.
 */

/** What a throttle key counts: a client address, a sign-in email, a user's codes, an API key. */
export type ThrottleKind = 'address' | 'email' | 'user' | 'apiKey';

/** Every kind, in the order the settings and the documentation list them. */
export const throttleKinds: readonly ThrottleKind[] = ['address', 'email', 'user', 'apiKey'];

/** The rule of one kind of key. */
export interface ThrottlePolicy {
  /** Failures within {@link ThrottlePolicy.windowMs} that start a lockout (at least 1). */
  readonly maxFailures: number;
  /** How long failures are counted together, from the first one. */
  readonly windowMs: number;
  /** The first lockout; each further one in a row lasts twice as long as the one before. */
  readonly lockoutMs: number;
  /** The longest lockout (at least {@link ThrottlePolicy.lockoutMs}). */
  readonly maxLockoutMs: number;
}

/** The rules of every kind of key. */
export type BruteForcePolicy = Readonly<Record<ThrottleKind, ThrottlePolicy>>;

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

/**
 * The defaults:
 *
 * - `email`: 5 wrong passwords for one address typed in 15 minutes, then 5 minutes, 10, 20, 40, 60.
 * - `address`: 50 failures of any kind from one client address (an IPv6 /64) in 15 minutes — password
 *   spraying, many emails one password each — then 5 minutes up to an hour.
 * - `user`: 5 wrong second-factor codes (or current passwords of a signed-in user) in 15 minutes, across
 *   sign-in challenges, then 5 minutes up to an hour.
 * - `apiKey`: 20 wrong secrets or refused grants for one key in 15 minutes, then 1 minute up to an hour
 *   (secrets have 256 bits: this catches a broken client, and keeps key ids, which are not secret, from
 *   being an easy way to lock a key out).
 */
export const defaultBruteForcePolicy: BruteForcePolicy = {
  address: { maxFailures: 50, windowMs: 15 * minute, lockoutMs: 5 * minute, maxLockoutMs: hour },
  email: { maxFailures: 5, windowMs: 15 * minute, lockoutMs: 5 * minute, maxLockoutMs: hour },
  user: { maxFailures: 5, windowMs: 15 * minute, lockoutMs: 5 * minute, maxLockoutMs: hour },
  apiKey: { maxFailures: 20, windowMs: 15 * minute, lockoutMs: minute, maxLockoutMs: hour },
};

/** A key with no failure for this long is forgotten: its count and its lockouts in a row start over. */
export const forgetAfterMs = 24 * hour;

/**
 * How long a lockout lasts when `earlierLockouts` came before it in a row.
 *
 * @example
 * ```ts
 * lockoutDuration(defaultBruteForcePolicy.email, 0); // 300_000 (5 minutes)
 * lockoutDuration(defaultBruteForcePolicy.email, 9); // 3_600_000 (capped at an hour)
 * ```
 */
export function lockoutDuration(policy: ThrottlePolicy, earlierLockouts: number): number {
  const doublings = Math.min(Math.max(0, earlierLockouts), 40);
  return Math.min(policy.maxLockoutMs, policy.lockoutMs * 2 ** doublings);
}
