/**
 * The account's security policy over HTTP on both databases: two-factor enforcement holds sessions of
 * users without 2FA at enrolment (every other operation answers `403 SECOND_FACTOR_ENROLMENT_REQUIRED`);
 * password change (S4) with its policy, ending the other sessions; and password expiry holding sessions
 * at `changePassword` (`403 PASSWORD_EXPIRED`) until the password is changed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import { oathtoolCode } from '../support/oathtool.ts';
import { sessionFrom, startAccountsServer, type AccountsHarness } from './account-client.ts';
import { addUser, password } from './seed-users.ts';

const day = 24 * 3_600_000;

describeOnBothDatabases('the account security policy', (target) => {
  let api: AccountsHarness;
  beforeAll(async () => {
    api = await startAccountsServer(target().config);
  });
  afterAll(async () => {
    await api.close();
  });

  it('sends users without two-factor authentication to enrolment, and only there', async () => {
    const email = 'grace@example.org';
    await api.signUpConfirmed({ name: 'Grace Hopper', email, password });
    const admin = await api.signIn(email, password);
    expect(await api.call('GET', '/v1/account/security', { session: admin })).toMatchObject({
      status: 200,
      body: { requireTwoFactor: false, passwordMaxAgeDays: null },
    });
    const on = await api.call('PATCH', '/v1/account/security', { session: admin, body: { requireTwoFactor: true } });
    expect(on).toMatchObject({ status: 200, body: { requireTwoFactor: true, passwordMaxAgeDays: null } });

    const me = await api.call('GET', '/v1/me', { session: admin });
    expect(me.status, me.text).toBe(200);
    const accountId = (me.body?.['account'] as { id: string }).id;
    await addUser(api, accountId, 'colleague@example.org', { role: 'administrator' });

    for (const held of [admin, await api.signIn('colleague@example.org', password)]) {
      for (const [method, path] of [
        ['GET', '/v1/account'],
        ['GET', '/v1/users'],
        ['PATCH', '/v1/account/security'],
      ] as const) {
        const answer = await api.call(method, path, {
          session: held,
          ...(method === 'PATCH' ? { body: { requireTwoFactor: false } } : {}),
        });
        expect(answer, `${method} ${path}`).toMatchObject({
          status: 403,
          body: { code: 'SECOND_FACTOR_ENROLMENT_REQUIRED' },
        });
      }
      expect(await api.call('GET', '/v1/auth/session', { session: held })).toMatchObject({ status: 200 });
    }
    const signedIn = await api.call('POST', '/v1/auth/sign-in', { body: { email, password } });
    expect(signedIn).toMatchObject({ status: 200, body: { nextStep: 'enrol_second_factor' } });
    const session = sessionFrom(signedIn);

    const enrolment = await api.call('POST', '/v1/me/two-factor', { session });
    expect(enrolment.status, enrolment.text).toBe(201);
    const secret = String(enrolment.body?.['secret']);
    const enabled = await api.call('POST', '/v1/me/two-factor/enable', {
      session,
      body: { code: oathtoolCode(secret, api.now) },
    });
    expect(enabled.status, enabled.text).toBe(200);
    expect(await api.call('GET', '/v1/account', { session })).toMatchObject({ status: 200 });
    // API keys have no second factor: enforcement is about people.
    const key = await api.call('POST', '/v1/api-keys', {
      session,
      body: { name: 'Still allowed', access: { role: 'administrator' } },
    });
    expect(key.status, key.text).toBe(201);
  });

  it('changes the password under the policy and ends the other sessions', async () => {
    const email = 'katherine@example.org';
    await api.signUpConfirmed({ name: 'Katherine Johnson', email, password });
    const session = await api.signIn(email, password);
    const other = await api.signIn(email, password);
    const change = (body: Record<string, string>) => api.call('POST', '/v1/me/password', { session, body });
    const newPassword = 'orbital mechanics by hand';

    expect(await change({ currentPassword: 'wrong', newPassword, confirmation: newPassword })).toMatchObject({
      status: 401,
      body: { code: 'INVALID_CREDENTIALS' },
    });
    expect(await change({ currentPassword: password, newPassword, confirmation: 'something else' })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION' },
    });
    for (const [weak, detail] of [
      ['short pass', 'The password must be at least 12 characters long.'],
      [email, 'The password must not be your email address.'],
      ['KATHERINE@example.org', 'The password must not be your email address.'],
      ['Password-1234', 'This password is too common; choose another.'],
      [password, 'The new password must differ from the current one.'],
    ] as const) {
      expect(await change({ currentPassword: password, newPassword: weak, confirmation: weak }), weak).toMatchObject({
        status: 422,
        body: { code: 'PASSWORD_REJECTED', detail },
      });
    }
    const changed = await change({ currentPassword: password, newPassword, confirmation: newPassword });
    expect(changed.status, changed.text).toBe(204);
    expect(await api.call('GET', '/v1/me', { session })).toMatchObject({ status: 200 });
    expect(await api.call('GET', '/v1/me', { session: other })).toMatchObject({ status: 401 });
    expect(await api.call('POST', '/v1/auth/sign-in', { body: { email, password } })).toMatchObject({ status: 401 });
    await api.signIn(email, newPassword);
    expect((await api.mailTo(email, 2)).subject).toMatch(/password/i);
  });

  it('forces a change of an expired password at the next sign-in', async () => {
    const email = 'dorothy@example.org';
    await api.signUpConfirmed({ name: 'Dorothy Vaughan', email, password });
    const admin = await api.signIn(email, password);
    const policy = await api.call('PATCH', '/v1/account/security', {
      session: admin,
      body: { passwordMaxAgeDays: 30 },
    });
    expect(policy).toMatchObject({ status: 200, body: { passwordMaxAgeDays: 30, requireTwoFactor: false } });
    expect(await api.call('POST', '/v1/auth/sign-in', { body: { email, password } })).toMatchObject({
      status: 200,
      body: { nextStep: null },
    });

    api.advance(31 * day);
    const signedIn = await api.call('POST', '/v1/auth/sign-in', { body: { email, password } });
    expect(signedIn).toMatchObject({ status: 200, body: { nextStep: 'change_password' } });
    const session = sessionFrom(signedIn);
    expect(await api.call('GET', '/v1/account', { session })).toMatchObject({
      status: 403,
      body: { code: 'PASSWORD_EXPIRED' },
    });
    expect(await api.call('POST', '/v1/me/two-factor', { session })).toMatchObject({
      status: 403,
      body: { code: 'PASSWORD_EXPIRED' },
    });
    const newPassword = 'a fresh and longer passphrase';
    const changed = await api.call('POST', '/v1/me/password', {
      session,
      body: { currentPassword: password, newPassword, confirmation: newPassword },
    });
    expect(changed.status, changed.text).toBe(204);
    expect(await api.call('GET', '/v1/account', { session })).toMatchObject({ status: 200 });
    expect(await api.call('POST', '/v1/auth/sign-in', { body: { email, password: newPassword } })).toMatchObject({
      status: 200,
      body: { nextStep: null },
    });
  });
});
