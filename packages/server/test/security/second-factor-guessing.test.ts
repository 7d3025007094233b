/**
 * Second-factor guessing, on both databases: a challenge allows 5 codes, and the user's own count spans
 * challenges, so someone with the password cannot get 5 fresh guesses per sign-in: after 5 wrong codes
 * in all, the user's codes are locked (the right code too) until Retry-After. A stolen session guessing
 * the current password or codes of the signed-in operations meets the same count. Sign-ins with a code
 * and with a recovery code are audited, and so is the recovery code's use.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import {
  startSecurityServer,
  strictSecurity,
  wrongCode,
  type Answer,
  type Person,
  type SecurityHarness,
} from './security-harness.ts';

const minute = 60_000;

describeOnBothDatabases(
  'second-factor guessing',
  (target) => {
    let h: SecurityHarness;
    beforeAll(async () => {
      h = await startSecurityServer(target().config);
    });
    afterAll(async () => {
      await h.close();
    });

    async function challenge(person: Person, from: string): Promise<string> {
      const answer = await h.signIn(person.email, person.password, from);
      expect(answer.status, answer.text).toBe(401);
      expect(answer.body?.['code']).toBe('SECOND_FACTOR_REQUIRED');
      return String(answer.body?.['challenge']);
    }
    const complete = (token: string, code: string, from: string): Promise<Answer> =>
      h.request('POST', '/v1/auth/sign-in/second-factor', { from, body: { challenge: token, code } });

    it('locks the user after 5 wrong codes across challenges; the right code waits too', async () => {
      const person = await h.seedPerson({ twoFactor: true });
      const first = await challenge(person, '203.0.113.60');
      for (let i = 0; i < 4; i++) {
        expect((await complete(first, wrongCode(h.code(person)), '203.0.113.60')).body?.['code']).toBe(
          'SECOND_FACTOR_INVALID',
        );
      }
      // A new challenge from a new address does not start a new count.
      const second = await challenge(person, '198.51.100.61');
      expect((await complete(second, wrongCode(h.code(person)), '198.51.100.61')).status).toBe(401);
      const locked = await complete(second, h.code(person), '198.51.100.61');
      expect(locked).toMatchObject({ status: 429, body: { code: 'THROTTLED' } });
      expect(locked.headers.get('retry-after')).toBe('300');
      expect(locked.headers.get('set-cookie')).toBeNull();

      h.advance(5 * minute);
      const third = await challenge(person, '198.51.100.61');
      const signedIn = await complete(third, h.code(person), '198.51.100.61');
      expect(signedIn.status, signedIn.text).toBe(200);

      const entries = await h.audit(person.accountId);
      expect(entries.map((entry) => `${entry.activity} ${entry.status}`).sort()).toEqual([
        'lockout succeeded',
        ...Array<string>(5).fill('sign_in failed'),
        'sign_in succeeded',
      ]);
      const lockout = entries.find((entry) => entry.activity === 'lockout');
      expect(JSON.parse(lockout?.details ?? '')).toMatchObject({
        key: 'user',
        lockedUntil: '2026-12-01T09:05:00Z',
        operationId: 'completeSignIn',
      });
      const failed = entries.filter((entry) => entry.status === 'failed');
      expect(failed.map((entry) => entry.description)).toEqual(Array(5).fill('Sign-in failed: wrong code.'));
      expect(failed.map((entry) => entry.source_ip).sort()).toEqual([
        '198.51.100.61',
        ...Array<string>(4).fill('203.0.113.60'),
      ]);
      const success = entries.find((entry) => entry.activity === 'sign_in' && entry.status === 'succeeded');
      expect(JSON.parse(success?.details ?? '')).toEqual({ secondFactor: 'totp' });
      h.advance(minute);
    });

    it('audits a sign-in with a recovery code and the code used up', async () => {
      const person = await h.seedPerson({ twoFactor: true });
      const token = await challenge(person, '203.0.113.62');
      const answer = await complete(token, person.recoveryCodes[3]!.toUpperCase(), '203.0.113.62');
      expect(answer.status, answer.text).toBe(200);
      const entries = await h.audit(person.accountId);
      const byActivity = Object.fromEntries(entries.map((entry) => [entry.activity, entry]));
      expect(Object.keys(byActivity).sort()).toEqual(['recovery_code_used', 'sign_in']);
      expect(JSON.parse(byActivity['sign_in']?.details ?? '')).toEqual({ secondFactor: 'recovery_code' });
      expect(byActivity['recovery_code_used']).toMatchObject({
        status: 'succeeded',
        actor_id: person.userId,
        source_ip: '203.0.113.62',
        description: 'Used a recovery code to sign in; 9 left.',
      });
      expect(JSON.stringify(entries)).not.toContain(person.recoveryCodes[3]);
    });

    it('counts wrong current passwords and codes of a signed-in user on the same key', async () => {
      const person = await h.seedPerson({ twoFactor: true });
      const token = await challenge(person, '203.0.113.63');
      const signedIn = await complete(token, h.code(person), '203.0.113.63');
      const cookie = /__Host-holdfast-session=[^;]*/.exec(signedIn.headers.get('set-cookie') ?? '')?.[0] ?? '';
      const session = signedIn.body?.['session'] as { csrfToken: string };
      const headers = { cookie, 'x-csrf-token': session.csrfToken };
      const changePassword = (currentPassword: string) =>
        h.request('POST', '/v1/me/password', {
          from: '203.0.113.63',
          headers,
          body: {
            currentPassword,
            newPassword: 'an entirely new passphrase',
            confirmation: 'an entirely new passphrase',
          },
        });
      for (let i = 0; i < 3; i++) {
        expect(await changePassword(`not it ${i}`)).toMatchObject({
          status: 401,
          body: { code: 'INVALID_CREDENTIALS' },
        });
      }
      const disable = await h.request('POST', '/v1/me/two-factor/disable', {
        from: '203.0.113.63',
        headers,
        body: { password: person.password, code: wrongCode(h.code(person)) },
      });
      expect(disable).toMatchObject({ status: 401, body: { code: 'SECOND_FACTOR_INVALID' } });
      const regenerate = await h.request('POST', '/v1/me/two-factor/recovery-codes', {
        from: '203.0.113.63',
        headers,
        body: { code: wrongCode(h.code(person)) },
      });
      expect(regenerate.status, regenerate.text).toBe(401);
      const locked = await changePassword(person.password);
      expect(locked).toMatchObject({ status: 429, body: { code: 'THROTTLED' } });
      expect(locked.headers.get('retry-after')).toBe('300');
      // The sign-in's second step is the same user's key.
      const next = await challenge(person, '198.51.100.64');
      expect((await complete(next, h.code(person, 1), '198.51.100.64')).status).toBe(429);

      const lockout = (await h.audit(person.accountId)).find((entry) => entry.activity === 'lockout');
      expect(lockout).toMatchObject({ actor_kind: 'user', actor_id: person.userId, actor_name: person.email });
      expect(JSON.parse(lockout?.details ?? '')).toMatchObject({ key: 'user', operationId: 'regenerateRecoveryCodes' });
      h.advance(5 * minute);
      expect((await changePassword(person.password)).status).toBe(204);
    });
  },
  strictSecurity,
);
