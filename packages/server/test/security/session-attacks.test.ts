/**
 * Attacks on browser sessions, on both databases: forged, tampered, truncated, padded and misnamed
 * session cookies are refused (`401`), a session's unsafe request with another session's CSRF token (or
 * none) is refused (`403 CSRF_FAILED`), the session cookie carries its flags, and every kind of answer
 * (a success, a problem, a lockout) carries the security headers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import { startSecurityServer, strictSecurity, type Answer, type SecurityHarness } from './security-harness.ts';

interface Session {
  readonly token: string;
  readonly csrfToken: string;
}

describeOnBothDatabases(
  'session attacks',
  (target) => {
    let h: SecurityHarness;
    let mine: Session;
    let theirs: Session;
    let signedIn: Answer;

    async function signIn(): Promise<[Session, Answer]> {
      const person = await h.seedPerson();
      const answer = await h.signIn(person.email, person.password, '203.0.113.110');
      const token = /__Host-holdfast-session=([^;]*)/.exec(answer.headers.get('set-cookie') ?? '')?.[1] ?? '';
      return [{ token, csrfToken: String((answer.body?.['session'] as { csrfToken?: string }).csrfToken) }, answer];
    }
    const me = (cookie: string) => h.request('GET', '/v1/me', { headers: { cookie } });
    const rename = (session: Session, csrf: string | null) =>
      h.request('PATCH', '/v1/me', {
        headers: {
          cookie: `__Host-holdfast-session=${session.token}`,
          ...(csrf === null ? {} : { 'x-csrf-token': csrf }),
        },
        body: { name: 'Renamed' },
      });

    beforeAll(async () => {
      h = await startSecurityServer(target().config);
      [mine, signedIn] = await signIn();
      [theirs] = await signIn();
    });
    afterAll(async () => {
      await h.close();
    });

    it('refuses forged, tampered, truncated, padded and misnamed cookies', async () => {
      const flipped = `${mine.token.slice(0, -1)}${mine.token.endsWith('A') ? 'B' : 'A'}`;
      for (const cookie of [
        `__Host-holdfast-session=${'A'.repeat(43)}`,
        `__Host-holdfast-session=${flipped}`,
        `__Host-holdfast-session=${mine.token.slice(0, -1)}`,
        `__Host-holdfast-session=${mine.token.slice(0, 20)}`,
        `__Host-holdfast-session=${mine.token}A`,
        `__Host-holdfast-session=${mine.token.toUpperCase()}`,
        `holdfast-session=${mine.token}`,
        '__Host-holdfast-session=',
      ]) {
        expect(await me(cookie), cookie).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      }
      expect((await me(`__Host-holdfast-session=${mine.token}`)).status).toBe(200);
    });

    it("refuses an unsafe request with another session's CSRF token, or with none", async () => {
      expect(theirs.csrfToken).not.toBe(mine.csrfToken);
      for (const csrf of [theirs.csrfToken, null, '', mine.csrfToken.slice(0, -1)]) {
        expect(await rename(mine, csrf), String(csrf)).toMatchObject({ status: 403, body: { code: 'CSRF_FAILED' } });
      }
      expect((await rename(mine, mine.csrfToken)).status).toBe(200);
    });

    it('sets the session cookie host-only, Secure, HttpOnly, SameSite=Lax', () => {
      const cookie = signedIn.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(
        /^__Host-holdfast-session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; Secure; HttpOnly; SameSite=Lax$/,
      );
      expect(cookie).not.toMatch(/Domain=/i);
    });

    it('puts the security headers on successes, problems and lockouts', async () => {
      const locked: Answer[] = [];
      for (let i = 0; i < 6; i++) locked.push(await h.signIn('locked@example.org', `guess ${i}`, '203.0.113.111'));
      const answers = [signedIn, await me('__Host-holdfast-session=x'), locked[5]!, await h.request('GET', '/nowhere')];
      expect(answers.map((answer) => answer.status)).toEqual([200, 401, 429, 404]);
      for (const answer of answers) {
        expect(Object.fromEntries(answer.headers)).toMatchObject({
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
          'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
          'cache-control': 'no-store',
        });
        expect(answer.headers.get('strict-transport-security')).toBeNull();
      }
      const overHttps = await h.request('GET', '/v1/regions', { headers: { 'x-forwarded-proto': 'https' } });
      expect(overHttps.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    });
  },
  strictSecurity,
);
