/**
 * No user enumeration, on both databases: every public operation that takes an email answers the same
 * status, headers and body (but for the address it echoes and the request id) whether a user has the
 * address or not — sign-in with a wrong password, password reset, sign-up, the confirmation resend — and
 * the brute-force defence keeps it so under lockout (see `password-guessing.test.ts`).
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

describeOnBothDatabases(
  'user enumeration',
  (target) => {
    let h: SecurityHarness;
    beforeAll(async () => {
      h = await startSecurityServer(target().config);
    });
    afterAll(async () => {
      await h.close();
    });

    /** An answer with the address it was about replaced, to compare answers about two addresses. */
    const anonymised = (answer: Answer, email: string) =>
      JSON.parse(JSON.stringify(comparable(answer)).replaceAll(email, '<email>')) as unknown;

    const cases: readonly [string, string, (email: string) => unknown][] = [
      ['signIn', '/v1/auth/sign-in', (email) => ({ email, password: 'not the password' })],
      ['requestPasswordReset', '/v1/auth/password-reset', (email) => ({ email })],
      ['resendEmailConfirmation', '/v1/auth/confirm-email/resend', (email) => ({ email })],
      [
        'signUp',
        '/v1/auth/sign-up',
        (email) => ({ name: 'Mallory', email, password: 'a very long new passphrase', region: 'eu-central' }),
      ],
    ];

    it.each(cases)('%s answers the same for an existing and an unknown address', async (_name, path, body) => {
      const person = await h.seedPerson();
      const nobody = uniqueEmail('nobody');
      const known = await h.request('POST', path, { from: '203.0.113.100', body: body(person.email) });
      const unknown = await h.request('POST', path, { from: '203.0.113.101', body: body(nobody) });
      expect(known.status).toBeLessThan(500);
      expect(anonymised(unknown, nobody)).toEqual(anonymised(known, person.email));
    });
  },
  strictSecurity,
);
