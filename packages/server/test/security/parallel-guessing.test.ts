/**
 * Guesses sent all at once, on both databases, with the production policy: however many requests arrive
 * together, no more secrets are checked than the limit allows, because each request takes its attempt
 * before anything is checked (`auth/brute-force/brute-force-defence.ts`); the others answer `429`.
 * Counted where it matters: the calls that reached the handler and came back with a wrong secret
 * (`SecurityHarness.handled`), and the audit entries of checked attempts.
 *
 * - `signIn`: 100 wrong passwords for one email, from 100 addresses: 5 checked.
 * - `completeSignIn`: 30 wrong codes on one challenge, and 50 across 10 challenges of one user: 5 checked;
 *   with the user's count out of the way, the challenge's own cap holds alone (5 codes, then spent).
 * - `regenerateRecoveryCodes` (300), `changePassword`, `disableTwoFactor` with one session: 5 checked.
 * - `issueToken`: 100 wrong secrets for one key: 20 checked.
 *
 * And what must not count: refused sign-ins after a right password (`IP_NOT_TRUSTED`) and successes of
 * the signed-in operations give their attempt back, alone or all at once, so the right password still
 * works after them and they never erase a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  challengeMaxAttempts,
  createChallenge,
  findChallenge,
  takeChallengeAttempt,
} from '../../src/accounts/two-factor.ts';
import { defaultBruteForcePolicy, type ThrottlePolicy } from '../../src/auth/brute-force/brute-force-policy.ts';
import { toTimestamp } from '../../src/db/time.ts';
import type { OperationId } from '../../src/http/handlers/handler-types.ts';
import { isRangeProblem, parseRange } from '../../src/ip-restrictions/ip-ranges.ts';
import { insertIpRule } from '../../src/ip-restrictions/ip-rules-store.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { basicAuth } from '../support/seed.ts';
import {
  startSecurityServer,
  strictSecurity,
  wrongCode,
  type Answer,
  type Person,
  type SecurityHarness,
} from './security-harness.ts';

const minute = 60_000;
const spied: readonly OperationId[] = [
  'signIn',
  'completeSignIn',
  'regenerateRecoveryCodes',
  'changePassword',
  'disableTwoFactor',
  'issueToken',
];

/** How many of `outcomes` are `outcome`. */
const count = (outcomes: readonly string[], outcome: string) => outcomes.filter((seen) => seen === outcome).length;

/** The statuses of `answers`, counted: `{ 401: 5, 429: 95 }`. */
function statuses(answers: readonly Answer[]): Record<number, number> {
  const counted: Record<number, number> = {};
  for (const answer of answers) counted[answer.status] = (counted[answer.status] ?? 0) + 1;
  return counted;
}

/**
 * The problem codes of `answers` (the status when there is none), counted. A code sent on one challenge
 * may find it spent (`UNAUTHENTICATED`, no code checked) rather than the user locked (`THROTTLED`).
 */
function codes(answers: readonly Answer[]): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const answer of answers) {
    const problemCode = answer.body?.['code'];
    const code = typeof problemCode === 'string' ? problemCode : String(answer.status);
    counted[code] = (counted[code] ?? 0) + 1;
  }
  return counted;
}

/** `times` requests sent together. */
const together = (times: number, send: (i: number) => Promise<Answer>) =>
  Promise.all(Array.from({ length: times }, (_, i) => send(i)));

describeOnBothDatabases(
  'parallel guessing',
  (target) => {
    let h: SecurityHarness;
    beforeAll(async () => {
      h = await startSecurityServer(target().config, { spyOn: spied });
    });
    afterAll(async () => {
      await h.close();
    });

    /** The handler's outcomes of `operationId` since `before` (a length of {@link SecurityHarness.handled}). */
    const handledSince = (operationId: OperationId, before: number) => h.handled(operationId).slice(before);
    const activities = async (accountId: string) =>
      (await h.audit(accountId)).map((entry) => `${entry.activity} ${entry.status}`);

    async function challenge(person: Person, from: string): Promise<string> {
      const answer = await h.signIn(person.email, person.password, from);
      expect(answer.body?.['code'], answer.text).toBe('SECOND_FACTOR_REQUIRED');
      return String(answer.body?.['challenge']);
    }
    const complete = (token: string, code: string, from: string) =>
      h.request('POST', '/v1/auth/sign-in/second-factor', { from, body: { challenge: token, code } });

    /** Every refusal is the same lockout answer. */
    function expectLockoutAnswers(answers: readonly Answer[], retryAfter: string): void {
      for (const answer of answers.filter((each) => each.status === 429)) {
        expect(answer.body?.['code']).toBe('THROTTLED');
        expect(answer.headers.get('retry-after')).toBe(retryAfter);
      }
    }

    it('checks 5 of 100 wrong passwords sent at once for one email; the other 95 answer 429', async () => {
      const person = await h.seedPerson();
      const before = h.handled('signIn').length;
      const answers = await together(100, (i) => h.signIn(person.email, `wrong guess ${i}`, `10.1.0.${i + 1}`));
      const checked = count(handledSince('signIn', before), 'INVALID_CREDENTIALS');
      expect(checked, `${checked} of 100 passwords were checked`).toBe(5);
      expect(statuses(answers)).toEqual({ 401: 5, 429: 95 });
      expectLockoutAnswers(answers, '300');
      expect((await activities(person.accountId)).sort()).toEqual([
        'lockout succeeded',
        ...Array<string>(5).fill('sign_in failed'),
      ]);
      const lockout = (await h.audit(person.accountId)).find((entry) => entry.activity === 'lockout');
      expect(JSON.parse(lockout?.details ?? '')).toMatchObject({ key: 'email', failures: 5, lockoutInRow: 1 });
      expect((await h.signIn(person.email, person.password, '10.1.1.1')).status).toBe(429);
      h.advance(5 * minute);
      expect((await h.signIn(person.email, person.password, '10.1.1.1')).status).toBe(200);
    });

    it('checks 5 of 30 wrong codes sent at once on one challenge', async () => {
      const person = await h.seedPerson({ twoFactor: true });
      const token = await challenge(person, '10.2.0.1');
      const before = h.handled('completeSignIn').length;
      const wrong = wrongCode(h.code(person));
      const answers = await together(30, (i) => complete(token, wrong, `10.2.0.${i + 1}`));
      const checked = count(handledSince('completeSignIn', before), 'SECOND_FACTOR_INVALID');
      expect(checked, `${checked} of 30 codes were checked`).toBe(5);
      const { SECOND_FACTOR_INVALID, THROTTLED = 0, UNAUTHENTICATED = 0, ...others } = codes(answers);
      expect({ SECOND_FACTOR_INVALID, refused: THROTTLED + UNAUTHENTICATED, others }).toEqual({
        SECOND_FACTOR_INVALID: 5,
        refused: 25,
        others: {},
      });
      expectLockoutAnswers(answers, '300');
      expect(count(await activities(person.accountId), 'sign_in failed')).toBe(5);
      h.advance(5 * minute);
    });

    it('checks 5 of 50 wrong codes sent at once across 10 challenges of one user', async () => {
      const person = await h.seedPerson({ twoFactor: true });
      const tokens: string[] = [];
      for (let i = 0; i < 10; i++) tokens.push(await challenge(person, `10.3.0.${i + 1}`));
      const before = h.handled('completeSignIn').length;
      const wrong = wrongCode(h.code(person));
      const answers = await together(50, (i) => complete(tokens[i % 10]!, wrong, `10.3.1.${i + 1}`));
      const checked = count(handledSince('completeSignIn', before), 'SECOND_FACTOR_INVALID');
      expect(checked, `${checked} of 50 codes were checked`).toBe(5);
      const { SECOND_FACTOR_INVALID, THROTTLED = 0, UNAUTHENTICATED = 0, ...others } = codes(answers);
      expect({ SECOND_FACTOR_INVALID, refused: THROTTLED + UNAUTHENTICATED, others }).toEqual({
        SECOND_FACTOR_INVALID: 5,
        refused: 45,
        others: {},
      });
      expect(count(await activities(person.accountId), 'sign_in failed')).toBe(5);
      // The right code on a fresh challenge waits for the lockout too.
      const fresh = await challenge(person, '10.3.2.1');
      expect((await complete(fresh, h.code(person), '10.3.2.1')).status).toBe(429);
      h.advance(5 * minute);
    });

    it('checks 5 of 300 wrong codes sent at once to regenerateRecoveryCodes with one session', async () => {
      const person = await h.seedPerson({ twoFactor: true });
      const headers = await h.session(person, '10.4.0.1');
      const before = h.handled('regenerateRecoveryCodes').length;
      const wrong = wrongCode(h.code(person));
      const answers = await together(300, () =>
        h.request('POST', '/v1/me/two-factor/recovery-codes', { from: '10.4.0.1', headers, body: { code: wrong } }),
      );
      const checked = count(handledSince('regenerateRecoveryCodes', before), 'SECOND_FACTOR_INVALID');
      expect(checked, `${checked} of 300 codes were checked`).toBe(5);
      expect(statuses(answers)).toEqual({ 401: 5, 429: 295 });
      expectLockoutAnswers(answers, '300');
      expect(count(await activities(person.accountId), 'lockout succeeded')).toBe(1);
      h.advance(5 * minute);
    });

    it('checks 5 of 50 wrong current passwords sent at once to changePassword with one session', async () => {
      const person = await h.seedPerson();
      const headers = await h.session(person, '10.5.0.1');
      const before = h.handled('changePassword').length;
      const answers = await together(50, (i) =>
        h.request('POST', '/v1/me/password', {
          from: '10.5.0.1',
          headers,
          body: {
            currentPassword: `not it ${i}`,
            newPassword: 'a new long passphrase',
            confirmation: 'a new long passphrase',
          },
        }),
      );
      const checked = count(handledSince('changePassword', before), 'INVALID_CREDENTIALS');
      expect(checked, `${checked} of 50 passwords were checked`).toBe(5);
      expect(statuses(answers)).toEqual({ 401: 5, 429: 45 });
      h.advance(5 * minute);
    });

    it('checks 5 of 50 wrong passwords sent at once to disableTwoFactor with one session', async () => {
      const person = await h.seedPerson({ twoFactor: true });
      const headers = await h.session(person, '10.6.0.1');
      const before = h.handled('disableTwoFactor').length;
      const answers = await together(50, (i) =>
        h.request('POST', '/v1/me/two-factor/disable', {
          from: '10.6.0.1',
          headers,
          body: { password: `not it ${i}`, code: h.code(person) },
        }),
      );
      const checked = count(handledSince('disableTwoFactor', before), 'INVALID_CREDENTIALS');
      expect(checked, `${checked} of 50 passwords were checked`).toBe(5);
      expect(statuses(answers)).toEqual({ 401: 5, 429: 45 });
      h.advance(5 * minute);
    });

    it('checks 20 of 100 wrong secrets sent at once for one API key', async () => {
      const key = await h.seedKey();
      const before = h.handled('issueToken').length;
      const answers = await together(100, (i) =>
        h.request('POST', '/v1/oauth/token', {
          from: `10.7.0.${i + 1}`,
          form: { grant_type: 'client_credentials' },
          headers: { authorization: basicAuth(key.id, `hfs_wrong${i}`) },
        }),
      );
      const checked = count(handledSince('issueToken', before), 'invalid_client');
      expect(checked, `${checked} of 100 secrets were checked`).toBe(20);
      expect(statuses(answers)).toEqual({ 401: 20, 429: 80 });
      expectLockoutAnswers(answers, '60');
      expect((await activities(key.accountId)).sort()).toEqual([
        ...Array<string>(20).fill('api_key_authentication_failed failed'),
        'lockout succeeded',
      ]);
      h.advance(minute);
    });

    describe('outcomes that neither count nor reset', () => {
      const office = '203.0.113.0/24';
      /** A person whose account trusts only the office (203.0.113.0/24). */
      async function restricted(): Promise<Person> {
        const person = await h.seedPerson();
        const range = parseRange(office);
        if (isRangeProblem(range)) throw new Error(range.problem);
        await insertIpRule(h.db, person.accountId, { range, description: 'Office', createdBy: null }, h.now);
        await h.db
          .updateTable('accounts')
          .set({ ip_restriction_enabled: 1, updated_at: toTimestamp(h.now) })
          .where('id', '=', person.accountId)
          .execute();
        return person;
      }
      const emailFailures = async (person: Person) =>
        (
          await h.db
            .selectFrom('auth_throttles')
            .select('failures')
            .where('throttle_key', '=', h.keys.email(person.email).key)
            .executeTakeFirst()
        )?.failures ?? 0;

      it('lets the right password in after 4 failures and 10 refusals of an untrusted address', async () => {
        const person = await restricted();
        for (let i = 0; i < 4; i++)
          expect((await h.signIn(person.email, `wrong ${i}`, '203.0.113.20')).status).toBe(401);
        for (let i = 0; i < 10; i++) {
          const refused = await h.signIn(person.email, person.password, '198.51.100.20');
          expect(refused, refused.text).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
        }
        expect(await emailFailures(person)).toBe(4);
        expect((await h.signIn(person.email, person.password, '203.0.113.20')).status).toBe(200);
      });

      it('keeps the failures around refusals: the fifth wrong password still locks', async () => {
        const person = await restricted();
        for (let i = 0; i < 4; i++) await h.signIn(person.email, `wrong ${i}`, '203.0.113.21');
        for (let i = 0; i < 3; i++)
          expect((await h.signIn(person.email, person.password, '198.51.100.21')).status).toBe(403);
        expect((await h.signIn(person.email, 'wrong 4', '203.0.113.21')).status).toBe(401);
        expect((await h.signIn(person.email, person.password, '203.0.113.21')).status).toBe(429);
        h.advance(5 * minute);
      });

      it('gives back every attempt of 20 refusals sent at once', async () => {
        const person = await restricted();
        const answers = await together(20, (i) => h.signIn(person.email, person.password, `198.51.100.${100 + i}`));
        // Attempts in flight hold the budget: beyond the 5th at once, a request may be refused as a guess.
        expect(Object.keys(statuses(answers)).filter((status) => status !== '403' && status !== '429')).toEqual([]);
        expect(statuses(answers)[403]).toBeGreaterThanOrEqual(5);
        expect(await emailFailures(person)).toBe(0);
        expect((await h.signIn(person.email, person.password, '203.0.113.22')).status).toBe(200);
      });

      it('gives back the attempts of signed-in successes: they never fill the user’s count', async () => {
        const person = await h.seedPerson({ twoFactor: true });
        const headers = await h.session(person, '10.8.0.1');
        const changePassword = (currentPassword: string, newPassword = 'an entirely new passphrase') =>
          h.request('POST', '/v1/me/password', {
            from: '10.8.0.1',
            headers,
            body: { currentPassword, newPassword, confirmation: newPassword },
          });
        for (let i = 0; i < 4; i++) expect((await changePassword(`not it ${i}`)).status).toBe(401);
        for (let i = 0; i < 6; i++) {
          h.advance(30_000);
          const regenerated = await h.request('POST', '/v1/me/two-factor/recovery-codes', {
            from: '10.8.0.1',
            headers,
            body: { code: h.code(person) },
          });
          expect(regenerated.status, regenerated.text).toBe(200);
        }
        // A new password refused after the right current one: neither a failure nor a reset.
        expect((await changePassword(person.password, person.password)).body?.['code']).toBe('PASSWORD_REJECTED');
        expect((await changePassword('not it 4')).status).toBe(401);
        expect((await changePassword(person.password)).status).toBe(429);
        h.advance(5 * minute);
      });
    });

    describe("a challenge's own cap, with the user's count out of the way", () => {
      const loose: ThrottlePolicy = { ...defaultBruteForcePolicy.user, maxFailures: 10_000 };
      let roomy: SecurityHarness;
      beforeAll(async () => {
        const config = target().config;
        roomy = await startSecurityServer(
          { ...config, bruteForce: { ...config.bruteForce, user: loose, address: loose } },
          { spyOn: ['completeSignIn'] },
        );
      });
      afterAll(async () => {
        await roomy.close();
      });

      it('checks 5 of 30 wrong codes sent at once on one challenge; then it is spent', async () => {
        const person = await roomy.seedPerson({ twoFactor: true });
        const first = await roomy.signIn(person.email, person.password, '10.9.0.1');
        const token = String(first.body?.['challenge']);
        const wrong = wrongCode(roomy.code(person));
        const answers = await together(30, () =>
          roomy.request('POST', '/v1/auth/sign-in/second-factor', {
            from: '10.9.0.1',
            body: { challenge: token, code: wrong },
          }),
        );
        const outcomes = roomy.handled('completeSignIn');
        const checked = count(outcomes, 'SECOND_FACTOR_INVALID');
        expect(checked, `${checked} of 30 codes were checked`).toBe(challengeMaxAttempts);
        expect(count(outcomes, 'UNAUTHENTICATED')).toBe(25);
        expect(answers.every((answer) => answer.status === 401)).toBe(true);
        const right = await roomy.request('POST', '/v1/auth/sign-in/second-factor', {
          from: '10.9.0.1',
          body: { challenge: token, code: roomy.code(person) },
        });
        expect(right).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      });

      it('takes at most 5 attempts of a challenge in 30 racing takes, through the store', async () => {
        const person = await roomy.seedPerson({ twoFactor: true });
        const { token } = await createChallenge(
          roomy.db,
          { account_id: person.accountId, id: person.userId },
          roomy.now,
        );
        const live = await findChallenge(roomy.db, token, roomy.now);
        if (live === null) throw new Error('the challenge is not live');
        const taken = await Promise.all(
          Array.from({ length: 30 }, () => takeChallengeAttempt(roomy.db, live, roomy.now)),
        );
        expect(taken.filter(Boolean)).toHaveLength(challengeMaxAttempts);
        expect(await findChallenge(roomy.db, token, roomy.now)).toBeNull();
      });
    });
  },
  strictSecurity,
);
