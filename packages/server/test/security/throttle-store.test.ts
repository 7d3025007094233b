/**
 * The `auth_throttles` rows over time, on both databases: a key is forgotten 24 hours after its last
 * failure (its lockouts in a row start over), forgotten rows are deleted — by the store, and by a server
 * on its own as failures come in — and a row whose lockout is still in force is kept.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ThrottlePolicy } from '../../src/auth/brute-force/brute-force-policy.ts';
import { deleteStaleThrottles, lockedUntil, recordFailure } from '../../src/auth/brute-force/throttle-store.ts';
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
