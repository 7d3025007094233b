/**
 * Failures at the same time, on both databases (PostgreSQL with a pool of connections racing for real):
 * every concurrent failure is counted, and when they cross the threshold together exactly one lockout
 * starts (and is audited once). Through the store (10 racing updates of one row) and over HTTP.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ThrottlePolicy } from '../../src/auth/brute-force/brute-force-policy.ts';
import { recordFailure } from '../../src/auth/brute-force/throttle-store.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { startSecurityServer, strictSecurity, type SecurityHarness } from './security-harness.ts';

const policy = (maxFailures: number): ThrottlePolicy => ({
  maxFailures,
  windowMs: 15 * 60_000,
  lockoutMs: 60_000,
  maxLockoutMs: 3_600_000,
});

describeOnBothDatabases(
  'concurrent failures',
  (target) => {
    let h: SecurityHarness;
    beforeAll(async () => {
      h = await startSecurityServer(target().config);
    });
    afterAll(async () => {
      await h.close();
    });

    const row = (key: string) =>
      h.db.selectFrom('auth_throttles').selectAll().where('throttle_key', '=', key).executeTakeFirst();

    it('counts every one of 12 failures recorded at once', async () => {
      const key = 'user:usr_concurrent_count';
      const started = await Promise.all(Array.from({ length: 12 }, () => recordFailure(h.db, key, policy(100), h.now)));
      expect(started.every((lockout) => lockout === null)).toBe(true);
      expect((await row(key))?.failures).toBe(12);
    });

    it('starts exactly one lockout when 10 failures cross the threshold together', async () => {
      const key = 'user:usr_concurrent_lock';
      await recordFailure(h.db, key, policy(6), h.now);
      const started = await Promise.all(Array.from({ length: 10 }, () => recordFailure(h.db, key, policy(6), h.now)));
      const lockouts = started.filter((lockout) => lockout !== null);
      expect(lockouts).toHaveLength(1);
      expect(lockouts[0]).toMatchObject({ number: 1, until: new Date(h.now.getTime() + 60_000) });
      expect((await row(key))?.lockouts).toBe(1);
    });

    it('counts two wrong passwords sent at once, over HTTP', async () => {
      const person = await h.seedPerson();
      const answers = await Promise.all([
        h.signIn(person.email, 'first wrong', '203.0.113.80'),
        h.signIn(person.email, 'second wrong', '203.0.113.81'),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([401, 401]);
      expect((await row(h.keys.email(person.email).key))?.failures).toBe(2);
      expect((await row(h.keys.address('203.0.113.80').key))?.failures).toBe(1);
    });

    it('locks once and audits once when the failures that reach the limit race', async () => {
      // Three, then two at once: whichever order they land in, the fifth failure starts the lockout.
      const person = await h.seedPerson();
      for (let i = 0; i < 3; i++) await h.signIn(person.email, `wrong ${i}`, '203.0.113.82');
      const racing = await Promise.all([
        h.signIn(person.email, 'racing 1', '203.0.113.83'),
        h.signIn(person.email, 'racing 2', '203.0.113.84'),
      ]);
      expect(racing.map((answer) => answer.status)).toEqual([401, 401]);
      expect((await h.signIn(person.email, person.password, '203.0.113.85')).status).toBe(429);
      const entries = await h.audit(person.accountId);
      expect(entries.filter((entry) => entry.activity === 'lockout')).toHaveLength(1);
      expect(entries.filter((entry) => entry.activity === 'sign_in')).toHaveLength(5);
    });
  },
  strictSecurity,
);
