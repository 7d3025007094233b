/**
 * `regenerateRecoveryCodes` over HTTP on both databases, with TOTP codes from `oathtool` (an independent
 * client) and a clock the test moves: refused while two-factor authentication is off, refused with a
 * recovery code or a wrong code, refused when an app code is replayed; on success 10 new codes, shown
 * once (`no-store`), the old ones dead at sign-in and the new ones alive.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import { oathtoolCode } from '../support/oathtool.ts';
import { sessionFrom, startAccountsServer, type AccountsHarness, type Session } from './account-client.ts';

const password = 'correct horse battery staple';
const step = 30_000;

describeOnBothDatabases('new recovery codes', (target) => {
  let api: AccountsHarness;
  const email = 'grace@example.org';
  let session: Session;
  let secret = '';
  let first: string[] = [];
  let second: string[] = [];

  beforeAll(async () => {
    api = await startAccountsServer(target().config);
    await api.signUpConfirmed({ name: 'Grace Hopper', email, password });
    session = await api.signIn(email, password);
  });
  afterAll(async () => {
    await api.close();
  });

  const code = () => oathtoolCode(secret, api.now);
  const regenerate = (typed: string) =>
    api.call('POST', '/v1/me/two-factor/recovery-codes', { session, body: { code: typed } });

  async function signInWith(typed: string) {
    const challenge = await api.call('POST', '/v1/auth/sign-in', { body: { email, password } });
    expect(challenge.body).toMatchObject({ code: 'SECOND_FACTOR_REQUIRED' });
    return api.call('POST', '/v1/auth/sign-in/second-factor', {
      body: { challenge: String(challenge.body?.['challenge']), code: typed },
    });
  }

  it('answers 409 while two-factor authentication is off', async () => {
    expect(await regenerate('123456')).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
  });

  it('takes only a current, unused code from the app', async () => {
    const enrolment = await api.call('POST', '/v1/me/two-factor', { session });
    secret = String(enrolment.body?.['secret']);
    const enabled = await api.call('POST', '/v1/me/two-factor/enable', { session, body: { code: code() } });
    expect(enabled.status, enabled.text).toBe(200);
    first = enabled.body?.['recoveryCodes'] as string[];

    // The code that enabled two-factor authentication is used up.
    expect(await regenerate(code())).toMatchObject({ status: 401, body: { code: 'SECOND_FACTOR_INVALID' } });
    api.advance(step);
    const recovery = await regenerate(first[0] ?? '');
    expect(recovery).toMatchObject({ status: 400, body: { code: 'VALIDATION', errors: [{ path: '/body/code' }] } });
    const wrong = String((Number(code()) + 1) % 1_000_000).padStart(6, '0');
    expect(await regenerate(wrong)).toMatchObject({ status: 401, body: { code: 'SECOND_FACTOR_INVALID' } });
    expect(await api.call('GET', '/v1/me/two-factor', { session })).toMatchObject({ body: { recoveryCodesLeft: 10 } });
  });

  it('replaces every code with 10 new ones, shown once; the same app code cannot do it twice', async () => {
    const current = code();
    const answer = await regenerate(current);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    second = answer.body?.['recoveryCodes'] as string[];
    expect(second).toHaveLength(10);
    expect(new Set(second).size).toBe(10);
    for (const recovery of second) expect(recovery).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect(second.filter((recovery) => first.includes(recovery))).toEqual([]);
    expect(await regenerate(current)).toMatchObject({ status: 401, body: { code: 'SECOND_FACTOR_INVALID' } });
    const stored = JSON.stringify(
      await api.running.server.services.database.db.selectFrom('recovery_codes').select('code_hash').execute(),
    );
    for (const recovery of second) expect(stored).not.toContain(recovery.replace('-', ''));
  });

  it('makes the old codes useless at sign-in, and the new ones work once', async () => {
    expect(await signInWith(first[1] ?? '')).toMatchObject({ status: 401, body: { code: 'SECOND_FACTOR_INVALID' } });
    const signedIn = await signInWith(second[0] ?? '');
    expect(signedIn.status, signedIn.text).toBe(200);
    session = sessionFrom(signedIn);
    expect(await api.call('GET', '/v1/me/two-factor', { session })).toMatchObject({ body: { recoveryCodesLeft: 9 } });
    expect(await signInWith(second[0] ?? '')).toMatchObject({ status: 401 });

    api.advance(step);
    const again = await regenerate(code());
    expect(again.status, again.text).toBe(200);
    expect(await api.call('GET', '/v1/me/two-factor', { session })).toMatchObject({ body: { recoveryCodesLeft: 10 } });
    expect(await signInWith(second[1] ?? '')).toMatchObject({ status: 401 });
  });

  it('never logs the codes', () => {
    const logs = api.running.logs.text();
    for (const recovery of [...first, ...second]) expect(logs).not.toContain(recovery);
    expect(logs).not.toContain(secret);
  });
});
