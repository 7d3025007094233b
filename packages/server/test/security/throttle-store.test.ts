/**
 * The `auth_throttles` rows over time, on both databases: a key is forgotten 24 hours after its last
 * failure (its lockouts in a row start over), forgotten rows are deleted — by the store, and by a server
 * on its own as failures come in — and a row whose lockout is still in force is kept. And the attempts
 * taken before a check: each gets its own place (30 at once too), a locked key counts none, one given
 * back is one less (never below 0), and only the failure whose attempt reached the limit, while the
 * count still stands there, starts the lockout.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ThrottlePolicy } from '../../src/auth/brute-force/brute-force-policy.ts';
import {
  deleteStaleThrottles,
  giveBackAttempt,
  lockedUntil,
  recordFailure,
  startLockout,
  takeAttempt,
} from '../../src/auth/brute-force/throttle-store.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { uniqueEmail } from '../support/seed.ts';
import { startSecurityServer, strictSecurity, type SecurityHarness } from './security-harness.ts';

const minute = 60_000;
const hour = 60 * minute;
const once: ThrottlePolicy = { maxFailures: 1, windowMs: 15 * minute, lockoutMs: minute, maxLockoutMs: 25 * hour };

describeOnBothDatabases(
  'auth throttle rows',
  (target) => {
    let h: SecurityHarness;
    beforeAll(async () => {
      h = await startSecurityServer(target().config);
    });
    afterAll(async () => {
      await h.close();
    });

    const at = (offset: number) => new Date(h.now.getTime() + offset);
    const keysInTable = async () =>
      (await h.db.selectFrom('auth_throttles').select('throttle_key').execute()).map((row) => row.throttle_key).sort();

    it('doubles lockouts in a row, and starts over after 24 hours without a failure', async () => {
      const key = 'user:usr_forgetful';
      expect(await recordFailure(h.db, key, once, at(0))).toMatchObject({ number: 1, until: at(minute) });
      expect(await lockedUntil(h.db, [key], at(minute - 1))).toEqual(at(minute));
      expect(await lockedUntil(h.db, [key], at(minute))).toBeNull();
      expect(await recordFailure(h.db, key, once, at(2 * minute))).toMatchObject({ number: 2, until: at(4 * minute) });
      expect(await recordFailure(h.db, key, once, at(4 * minute + 24 * hour))).toMatchObject({ number: 1 });
    });

    it('deletes rows forgotten for 24 hours, not the ones still locked or recent', async () => {
      await h.db.deleteFrom('auth_throttles').execute();
      await recordFailure(h.db, 'user:usr_old', { ...once, maxFailures: 5 }, at(0));
      await recordFailure(h.db, 'user:usr_locked_long', { ...once, lockoutMs: 25 * hour }, at(0));
      await recordFailure(h.db, 'user:usr_recent', { ...once, maxFailures: 5 }, at(2 * hour));
      expect(await deleteStaleThrottles(h.db, at(24 * hour - 1))).toBe(0);
      expect(await deleteStaleThrottles(h.db, at(24 * hour))).toBe(1);
      expect(await keysInTable()).toEqual(['user:usr_locked_long', 'user:usr_recent']);
      expect(await deleteStaleThrottles(h.db, at(26 * hour))).toBe(2);
    });

    const five: ThrottlePolicy = { ...once, maxFailures: 5 };
    const failuresOf = async (key: string) =>
      (await h.db.selectFrom('auth_throttles').select('failures').where('throttle_key', '=', key).executeTakeFirst())
        ?.failures;
    const counted = async (key: string, policy: ThrottlePolicy, now: Date) => {
      const taken = await takeAttempt(h.db, key, policy, now);
      if (!taken.counted) throw new Error(`${key} is locked`);
      return taken;
    };

    it('gives each of 30 attempts taken at once its own place', async () => {
      const key = 'user:usr_thirty_at_once';
      const taken = await Promise.all(Array.from({ length: 30 }, () => counted(key, five, at(0))));
      expect(taken.map((attempt) => attempt.place).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
      await Promise.all(taken.slice(5).map(() => giveBackAttempt(h.db, key)));
      expect(await failuresOf(key)).toBe(5);
    });

    it('counts nothing on a locked key, and never gives back below 0', async () => {
      const key = 'user:usr_locked_counts_nothing';
      const first = await counted(key, once, at(0));
      expect(await startLockout(h.db, key, once, at(0), first)).toMatchObject({ number: 1, until: at(minute) });
      expect(await takeAttempt(h.db, key, once, at(1000))).toEqual({ counted: false, lockedUntil: at(minute) });
      expect(await failuresOf(key)).toBe(0);
      await giveBackAttempt(h.db, key);
      expect(await failuresOf(key)).toBe(0);
      expect(await counted(key, once, at(minute))).toMatchObject({ place: 1, lockouts: 1 });
    });

    it('locks on the failure of the attempt that reached the limit, while the count stands there', async () => {
      const key = 'user:usr_reached_the_limit';
      const attempts = [];
      for (let i = 0; i < 5; i++) attempts.push(await counted(key, five, at(0)));
      // The first four failures lock nothing, however many attempts are in flight behind them.
      for (const attempt of attempts.slice(0, 4))
        expect(await startLockout(h.db, key, five, at(0), attempt)).toBeNull();
      expect(await startLockout(h.db, key, five, at(0), attempts[4]!)).toMatchObject({ number: 1, failures: 5 });
      // Twice is once.
      expect(await startLockout(h.db, key, five, at(0), attempts[4]!)).toBeNull();

      const other = 'user:usr_given_back_before';
      const others = [];
      for (let i = 0; i < 5; i++) others.push(await counted(other, five, at(0)));
      await giveBackAttempt(h.db, other);
      // The fifth attempt failed, but one before it was given back: 4 failures lock nothing.
      expect(await startLockout(h.db, other, five, at(0), others[4]!)).toBeNull();
      expect(await lockedUntil(h.db, [other], at(0))).toBeNull();
      expect(await counted(other, five, at(0))).toMatchObject({ place: 5 });
    });

    it('lets a server delete forgotten rows itself as failures come in', async () => {
      await h.db.deleteFrom('auth_throttles').execute();
      await h.signIn(uniqueEmail('old'), 'wrong', '203.0.113.130');
      expect(await keysInTable()).toHaveLength(2);
      h.advance(25 * hour);
      const fresh = uniqueEmail('new');
      await h.signIn(fresh, 'wrong', '203.0.113.131');
      expect(await keysInTable()).toEqual([h.keys.address('203.0.113.131').key, h.keys.email(fresh).key].sort());
    });
  },
  strictSecurity,
);
