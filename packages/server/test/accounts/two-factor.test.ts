/**
 * Two-factor sign-in (S3) over HTTP on both databases, with codes from `oathtool` (an independent TOTP
 * client) and a clock the test moves: enrolment, enabling, the two-step sign-in, and the attacks that must
 * fail — a replayed code, a code of an old step, a recovery code used twice, guessing on one challenge,
 * an expired challenge, disabling without the password or the code — and the secret sealed in the
 * database and absent from the logs.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import { oathtoolCode } from '../support/oathtool.ts';
import { sessionFrom, startAccountsServer, type AccountsHarness, type Session } from './account-client.ts';

const password = 'correct horse battery staple';
const step = 30_000;

describeOnBothDatabases('two-factor sign-in', (target) => {
  let api: AccountsHarness;
  const email = 'ada@example.org';
  let session: Session;
  let secret = '';
  let recoveryCodes: string[] = [];

  beforeAll(async () => {
    api = await startAccountsServer(target().config);
    await api.signUpConfirmed({ name: 'Ada Lovelace', email, password });
    session = await api.signIn(email, password);
  });
  afterAll(async () => {
    await api.close();
  });

  const code = (offsetSteps = 0) => oathtoolCode(secret, new Date(api.now.getTime() + offsetSteps * step));
  const wrong = (right: string) => String((Number(right) + 1) % 1_000_000).padStart(6, '0');
  const userRow = () =>
    api.running.server.services.database.db
      .selectFrom('users')
      .selectAll()
      .where('email_normalized', '=', email)
      .executeTakeFirstOrThrow();

  async function challenge(): Promise<string> {
    const answer = await api.call('POST', '/v1/auth/sign-in', { body: { email, password } });
    expect(answer.status, answer.text).toBe(401);
    expect(answer.body).toMatchObject({ code: 'SECOND_FACTOR_REQUIRED' });
    expect(answer.headers.get('set-cookie')).toBeNull();
    return String(answer.body?.['challenge']);
  }

  const complete = (challengeToken: string, typed: string) =>
    api.call('POST', '/v1/auth/sign-in/second-factor', { body: { challenge: challengeToken, code: typed } });

  it('enrols: secret, otpauth URI and QR code; sealed in the database', async () => {
    expect(await api.call('GET', '/v1/me/two-factor', { session })).toMatchObject({
      status: 200,
      body: { enabled: false, enabledAt: null, enrolmentPending: false, recoveryCodesLeft: 0 },
    });
    const enrolment = await api.call('POST', '/v1/me/two-factor', { session });
    expect(enrolment.status, enrolment.text).toBe(201);
    expect(enrolment.headers.get('cache-control')).toBe('no-store');
    secret = String(enrolment.body?.['secret']);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.body?.['otpauthUri']).toBe(
      `otpauth://totp/Holdfast:ada%40example.org?secret=${secret}&issuer=Holdfast&algorithm=SHA1&digits=6&period=30`,
    );
    const qr = String(enrolment.body?.['qrCode']);
    expect(qr.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(Buffer.from(qr.slice(qr.indexOf(',') + 1), 'base64').toString('utf8')).toContain('<svg');

    const row = await userRow();
    expect(row.totp_secret).toBeNull();
    expect(row.totp_pending_secret).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(row).toLowerCase()).not.toContain(secret.toLowerCase());
  });

  it('enables with a current code only, and answers 10 recovery codes once', async () => {
    const wrongAnswer = await api.call('POST', '/v1/me/two-factor/enable', { session, body: { code: wrong(code()) } });
    expect(wrongAnswer).toMatchObject({ status: 401, body: { code: 'SECOND_FACTOR_INVALID' } });
    const enabled = await api.call('POST', '/v1/me/two-factor/enable', { session, body: { code: code() } });
    expect(enabled.status, enabled.text).toBe(200);
    recoveryCodes = enabled.body?.['recoveryCodes'] as string[];
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const recovery of recoveryCodes) expect(recovery).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect(await api.call('GET', '/v1/me/two-factor', { session })).toMatchObject({
      status: 200,
      body: { enabled: true, enrolmentPending: false, recoveryCodesLeft: 10 },
    });
    const again = await api.call('POST', '/v1/me/two-factor', { session });
    expect(again).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });

    const row = await userRow();
    expect(row.totp_secret).toMatch(/^v1\./);
    expect(JSON.stringify(row).toLowerCase()).not.toContain(secret.toLowerCase());
    const stored = await api.running.server.services.database.db
      .selectFrom('recovery_codes')
      .select('code_hash')
      .execute();
    const hashes = JSON.stringify(stored);
    for (const recovery of recoveryCodes) {
      expect(hashes).not.toContain(recovery);
      expect(hashes).not.toContain(recovery.replace('-', ''));
    }
  });

  it('needs the code at sign-in, and refuses the code already used to enable (replay)', async () => {
    const token = await challenge();
    const replayed = await complete(token, code());
    expect(replayed).toMatchObject({ status: 401, body: { code: 'SECOND_FACTOR_INVALID' } });
    api.advance(step);
    const signedIn = await complete(token, code());
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(signedIn.body).toMatchObject({ user: { email }, nextStep: null });
    const fresh = sessionFrom(signedIn);
    expect(await api.call('GET', '/v1/me', { session: fresh })).toMatchObject({ status: 200 });
    expect(await complete(token, code(1))).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses a code replayed on a new challenge, and a code of an old step', async () => {
    const used = code();
    const token = await challenge();
    expect(await complete(token, used)).toMatchObject({ status: 401, body: { code: 'SECOND_FACTOR_INVALID' } });
    api.advance(4 * step);
    expect(await complete(token, code(-2))).toMatchObject({ status: 401, body: { code: 'SECOND_FACTOR_INVALID' } });
    expect(await complete(token, code(2))).toMatchObject({ status: 401, body: { code: 'SECOND_FACTOR_INVALID' } });
    const late = await complete(token, code(-1));
    expect(late.status, late.text).toBe(200);
  });

  it('takes a recovery code once', async () => {
    const recovery = recoveryCodes[0] ?? '';
    const first = await complete(await challenge(), recovery.toUpperCase().replace('-', ' '));
    expect(first.status, first.text).toBe(200);
    expect(await complete(await challenge(), recovery)).toMatchObject({
      status: 401,
      body: { code: 'SECOND_FACTOR_INVALID' },
    });
    expect(await api.call('GET', '/v1/me/two-factor', { session })).toMatchObject({
      body: { recoveryCodesLeft: 9 },
    });
  });

  it('burns a challenge after 5 wrong codes, and after 5 minutes', async () => {
    api.advance(step);
    const token = await challenge();
    for (let i = 0; i < 5; i++) {
      expect(await complete(token, wrong(code()))).toMatchObject({
        status: 401,
        body: { code: 'SECOND_FACTOR_INVALID' },
      });
    }
    expect(await complete(token, code())).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });

    const slow = await challenge();
    api.advance(5 * 60_000);
    expect(await complete(slow, code())).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await complete('not-a-challenge', code())).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
  });

  it('disables only with the password and a code', async () => {
    session = await (async () => {
      api.advance(step);
      const signedIn = await complete(await challenge(), code());
      expect(signedIn.status, signedIn.text).toBe(200);
      return sessionFrom(signedIn);
    })();
    api.advance(step);
    expect(
      await api.call('POST', '/v1/me/two-factor/disable', {
        session,
        body: { password: 'wrong password', code: code() },
      }),
    ).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
    expect(
      await api.call('POST', '/v1/me/two-factor/disable', { session, body: { password, code: wrong(code()) } }),
    ).toMatchObject({ status: 401, body: { code: 'SECOND_FACTOR_INVALID' } });
    const off = await api.call('POST', '/v1/me/two-factor/disable', { session, body: { password, code: code() } });
    expect(off.status, off.text).toBe(204);
    const row = await userRow();
    expect([row.totp_secret, row.totp_pending_secret, row.totp_enabled_at]).toEqual([null, null, null]);
    expect(await api.signIn(email, password)).toMatchObject({ csrfToken: expect.any(String) as unknown });
  });

  it('never logs the secret, codes, recovery codes or challenges', () => {
    const logs = api.running.logs.text();
    expect(logs).not.toContain(secret);
    for (const recovery of recoveryCodes) expect(logs).not.toContain(recovery);
    expect(logs).not.toMatch(/"challenge"/);
  });
});
