/**
 * Password spraying, on both databases: one password tried across many emails from one address never
 * reaches any email's limit, so the address's own budget (50 failures in 15 minutes) catches it. The
 * address is then locked for everyone behind it — the right password of an account included — while
 * the same account signs in from elsewhere. The lockout is audited in the account whose email the last
 * attempt named; a right password does not wipe an address's record.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import { uniqueEmail } from '../support/seed.ts';
import { startSecurityServer, strictSecurity, type SecurityHarness } from './security-harness.ts';

const minute = 60_000;
const sprayed = 'Summer2026!';

describeOnBothDatabases(
  'password spraying',
  (target) => {
    let h: SecurityHarness;
    beforeAll(async () => {
      h = await startSecurityServer(target().config);
    });
    afterAll(async () => {
      await h.close();
    });

    it('locks the address after 50 failures across 50 emails, not the accounts elsewhere', async () => {
      const from = '203.0.113.50';
      const victims = [await h.seedPerson(), await h.seedPerson()];
      const emails = [...Array.from({ length: 48 }, () => uniqueEmail('sprayed')), ...victims.map((v) => v.email)];
      for (const email of emails) {
        const answer = await h.signIn(email, sprayed, from);
        expect(answer.status, email).toBe(401);
      }
      const victim = victims[1]!;
      const locked = await h.signIn(victim.email, victim.password, from);
      expect(locked).toMatchObject({ status: 429, body: { code: 'THROTTLED' } });
      expect(locked.headers.get('retry-after')).toBe('300');
      expect((await h.signIn(uniqueEmail('fresh'), sprayed, from)).status).toBe(429);
      // An IPv4 address is one client; its neighbour is another.
      expect((await h.signIn(victim.email, victim.password, '203.0.113.51')).status).toBe(200);

      const entries = await h.audit(victim.accountId);
      const lockout = entries.find((entry) => entry.activity === 'lockout');
      expect(lockout).toMatchObject({ actor_id: victim.userId, source_ip: from });
      expect(JSON.parse(lockout?.details ?? '')).toMatchObject({ key: 'address', failures: 50, lockoutInRow: 1 });
      expect(lockout?.description).toBe(
        'Sign-ins from this client address are locked until 2026-12-01T09:05:00Z after 50 failed attempts.',
      );
      expect((await h.audit(victims[0]!.accountId)).filter((entry) => entry.activity === 'lockout')).toEqual([]);

      h.advance(5 * minute);
      expect((await h.signIn(victim.email, victim.password, from)).status).toBe(200);
    });

    it('counts an IPv6 client by its /64, and keeps the count through a right password', async () => {
      const own = await h.seedPerson();
      for (let i = 0; i < 49; i++) {
        const answer = await h.signIn(uniqueEmail('v6'), sprayed, `2001:db8:aa:bb::${(i + 1).toString(16)}`);
        expect(answer.status).toBe(401);
        if (i === 24) expect((await h.signIn(own.email, own.password, '2001:db8:aa:bb::ffff')).status).toBe(200);
      }
      expect((await h.signIn(uniqueEmail('v6'), sprayed, '2001:db8:aa:bb:1:2:3:4')).status).toBe(401);
      expect((await h.signIn(own.email, own.password, '2001:db8:aa:bb:ffff::9')).status).toBe(429);
      expect((await h.signIn(own.email, own.password, '2001:db8:aa:bc::1')).status).toBe(200);
      h.advance(5 * minute);
    });
  },
  strictSecurity,
);
