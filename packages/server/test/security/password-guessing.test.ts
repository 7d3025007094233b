/**
 * Password guessing against one account, on both databases, with the production policy: five wrong
 * passwords for one email lock it for five minutes — from every address, even for the right password —
 * then the lockouts double; a success forgets the record. An email nobody has goes through the very same
 * answers. The lockout and the sign-ins are audited in the account, and the throttle table lists neither
 * the email nor the client address.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import { uniqueEmail } from '../support/seed.ts';
import {
  comparable,
  startSecurityServer,
  strictSecurity,
  type Answer,
  type SecurityHarness,
} from './security-harness.ts';

const minute = 60_000;

describeOnBothDatabases(
  'password guessing',
  (target) => {
    let h: SecurityHarness;
    beforeAll(async () => {
      h = await startSecurityServer(target().config);
    });
    afterAll(async () => {
      await h.close();
    });

    async function guess(email: string, from: string, times: number): Promise<Answer[]> {
      const answers: Answer[] = [];
      for (let i = 0; i < times; i++) answers.push(await h.signIn(email, `wrong guess ${i}`, from));
      return answers;
    }

    it('locks the email after 5 wrong passwords; even the right one waits until Retry-After has passed', async () => {
      const person = await h.seedPerson();
      for (const answer of await guess(person.email, '203.0.113.10', 5)) {
        expect(answer).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
      }
      const locked = await h.signIn(person.email, person.password, '203.0.113.10');
      expect(locked).toMatchObject({
        status: 429,
        body: { code: 'THROTTLED', detail: 'Too many failed attempts. Try again in 300 seconds.' },
      });
      expect(locked.headers.get('retry-after')).toBe('300');
      expect(locked.headers.get('content-type')).toBe('application/problem+json');
      expect(locked.headers.get('set-cookie')).toBeNull();
      // The lock is the email's: another address gets it too, and the email's case does not matter.
      const elsewhere = await h.signIn(person.email.toUpperCase(), person.password, '198.51.100.20');
      expect(elsewhere.status).toBe(429);

      h.advance(5 * minute - 1000);
      const almost = await h.signIn(person.email, person.password, '203.0.113.10');
      expect(almost.status).toBe(429);
      expect(almost.headers.get('retry-after')).toBe('1');
      h.advance(1000);
      const after = await h.signIn(person.email, person.password, '203.0.113.10');
      expect(after.status, after.text).toBe(200);
      expect(after.headers.get('set-cookie')).toMatch(/^__Host-holdfast-session=/);

      // Entries of one instant are not ordered among themselves (their ids are random within a millisecond).
      const entries = await h.audit(person.accountId);
      expect(entries.map((entry) => `${entry.activity} ${entry.status}`).sort()).toEqual([
        'lockout succeeded',
        ...Array<string>(5).fill('sign_in failed'),
        'sign_in succeeded',
      ]);
      for (const entry of entries) {
        expect(entry).toMatchObject({ actor_kind: 'user', actor_id: person.userId, actor_name: person.email });
        expect(entry.source_ip).toBe('203.0.113.10');
      }
      const failed = entries.find((entry) => entry.status === 'failed');
      expect(failed).toMatchObject({ description: 'Sign-in failed: wrong password.' });
      expect(JSON.parse(failed?.details ?? '')).toEqual({ reason: 'wrong_password' });
      const lockout = entries.find((entry) => entry.activity === 'lockout');
      expect(lockout?.description).toBe(
        'Sign-ins with this email address are locked until 2026-12-01T09:05:00Z after 5 failed attempts.',
      );
      expect(JSON.parse(lockout?.details ?? '')).toEqual({
        key: 'email',
        lockedUntil: '2026-12-01T09:05:00Z',
        failures: 5,
        lockoutInRow: 1,
        operationId: 'signIn',
      });
      const signedIn = entries.find((entry) => entry.activity === 'sign_in' && entry.status === 'succeeded');
      expect(signedIn?.occurred_at).toBe('2026-12-01T09:05:00.000Z');
      expect(JSON.parse(signedIn?.details ?? '')).toEqual({ secondFactor: 'none' });
      const stored = JSON.stringify([entries, await h.db.selectFrom('auth_throttles').selectAll().execute()]);
      expect(stored).not.toContain(h.keys.email(person.email).key);
      expect(stored).not.toContain(person.password);
    });

    it('doubles the lockout each time in a row, and forgets it after a success', async () => {
      const person = await h.seedPerson();
      const from = '203.0.113.11';
      const retryAfterGuessing = async () => {
        await guess(person.email, from, 5);
        return (await h.signIn(person.email, person.password, from)).headers.get('retry-after');
      };
      expect(await retryAfterGuessing()).toBe('300');
      h.advance(5 * minute);
      expect(await retryAfterGuessing()).toBe('600');
      h.advance(10 * minute);
      expect(await retryAfterGuessing()).toBe('1200');
      h.advance(20 * minute);
      expect((await h.signIn(person.email, person.password, from)).status).toBe(200);
      expect(await retryAfterGuessing()).toBe('300');
      h.advance(5 * minute);
      expect((await h.signIn(person.email, person.password, from)).status).toBe(200);
    });

    it('counts failures in a 15-minute window: four now and four later lock nothing', async () => {
      const person = await h.seedPerson();
      await guess(person.email, '203.0.113.12', 4);
      h.advance(15 * minute);
      await guess(person.email, '203.0.113.12', 4);
      expect((await h.signIn(person.email, person.password, '203.0.113.12')).status).toBe(200);
    });

    it('answers an email nobody has exactly as an existing one, lockout included, and audits nothing', async () => {
      const person = await h.seedPerson();
      const nobody = uniqueEmail('nobody');
      const known = await guess(person.email, '203.0.113.13', 5);
      const unknown = await guess(nobody, '203.0.113.14', 5);
      known.push(await h.signIn(person.email, person.password, '203.0.113.13'));
      unknown.push(await h.signIn(nobody, person.password, '203.0.113.14'));
      h.advance(2 * minute);
      known.push(await h.signIn(person.email, person.password, '203.0.113.13'));
      unknown.push(await h.signIn(nobody, person.password, '203.0.113.14'));
      expect(known.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
      expect(unknown.map(comparable)).toEqual(known.map(comparable));
      expect(known[6]?.headers.get('retry-after')).toBe('180');

      const mentions = await h.db
        .selectFrom('audit_events')
        .select('id')
        .where((eb) => eb.or([eb('actor_name', '=', nobody), eb('description', 'like', `%${nobody}%`)]))
        .execute();
      expect(mentions).toEqual([]);
      const rows = JSON.stringify(await h.db.selectFrom('auth_throttles').selectAll().execute());
      for (const clear of [nobody, person.email, '203.0.113.13', '203.0.113.14']) expect(rows).not.toContain(clear);
      expect(rows).toContain(h.keys.email(nobody).key);
      h.advance(3 * minute);
    });
  },
  strictSecurity,
);
