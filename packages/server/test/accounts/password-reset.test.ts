/**
 * Password reset by email link, on both databases: always `202`; the link works once, for an hour, and
 * only the newest; completing it sets the password and ends every session of the user (another
 * browser's too); a notice follows.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tokenIn } from '../email/mail-reader.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { startAccountsServer, type AccountsHarness } from './account-client.ts';

const hour = 3_600_000;
const email = 'ada@example.org';
const oldPassword = 'correct horse battery staple';
const newPassword = 'a much longer passphrase than before';

describeOnBothDatabases('password reset', (target) => {
  let api: AccountsHarness;
  beforeAll(async () => {
    api = await startAccountsServer(target().config);
    await api.signUpConfirmed({ name: 'Ada Lovelace', email, password: oldPassword });
  });
  afterAll(async () => {
    await api.close();
  });

  it('answers 202 for any address and mails only real users', async () => {
    const unknown = await api.call('POST', '/v1/auth/password-reset', { body: { email: 'nobody@example.org' } });
    expect(unknown).toMatchObject({ status: 202, body: { email: 'nobody@example.org' } });
    const known = await api.call('POST', '/v1/auth/password-reset', { body: { email } });
    expect(known).toMatchObject({ status: 202, body: { email } });
    const message = await api.mailTo(email, 2);
    expect(message.subject).toBe('Reset your Holdfast password');
    expect(message.text).toContain(`${api.config.publicUrl}/reset-password#token=`);
    expect(api.messagesTo('nobody@example.org')).toEqual([]);
  });

  it('ends every session of the user and works once', async () => {
    const here = await api.signIn(email, oldPassword);
    const elsewhere = await api.signIn(email, oldPassword);
    await api.call('POST', '/v1/auth/password-reset', { body: { email } });
    const token = tokenIn(await api.mailTo(email, 3));

    const done = await api.call('POST', '/v1/auth/password-reset/complete', { body: { token, password: newPassword } });
    expect(done.status, done.text).toBe(204);
    for (const session of [here, elsewhere]) {
      expect((await api.call('GET', '/v1/me', { session })).status).toBe(401);
    }
    expect((await api.call('POST', '/v1/auth/sign-in', { body: { email, password: oldPassword } })).status).toBe(401);
    await api.signIn(email, newPassword);
    expect((await api.mailTo(email, 4)).subject).toBe('Your Holdfast password was changed');

    const reused = await api.call('POST', '/v1/auth/password-reset/complete', {
      body: { token, password: 'yet another password' },
    });
    expect(reused).toMatchObject({ status: 410, body: { code: 'LINK_INVALID' } });
  });

  it('lets only the newest link work, for one hour', async () => {
    await api.call('POST', '/v1/auth/password-reset', { body: { email } });
    const older = tokenIn(await api.mailTo(email, 5));
    await api.call('POST', '/v1/auth/password-reset', { body: { email } });
    const newer = tokenIn(await api.mailTo(email, 6));
    const body = (token: string) => ({ body: { token, password: 'the third password here' } });
    expect((await api.call('POST', '/v1/auth/password-reset/complete', body(older))).status).toBe(410);
    api.advance(hour);
    expect((await api.call('POST', '/v1/auth/password-reset/complete', body(newer))).status).toBe(410);
    await api.signIn(email, newPassword);
  });

  it('refuses a token of another purpose', async () => {
    await api.call('POST', '/v1/auth/sign-up', {
      body: { name: 'Alan', email: 'alan@example.org', password: oldPassword, region: 'eu-central' },
    });
    const confirmation = tokenIn(await api.mailTo('alan@example.org'));
    const answer = await api.call('POST', '/v1/auth/password-reset/complete', {
      body: { token: confirmation, password: newPassword },
    });
    expect(answer).toMatchObject({ status: 410, body: { code: 'LINK_INVALID' } });
    expect((await api.call('POST', '/v1/auth/confirm-email', { body: { token: confirmation } })).status).toBe(200);
  });
});
