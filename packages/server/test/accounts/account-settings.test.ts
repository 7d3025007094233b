/**
 * Account settings on both databases: read and rename (and what a Custom user without the permission
 * gets), the email change (nothing changes until the new address confirms; the old address is told; the
 * link works once; addresses in use are refused), and only the primary user may ask for it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tokenIn } from '../email/mail-reader.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { startAccountsServer, type AccountsHarness, type Session } from './account-client.ts';
import { addUser, password } from './seed-users.ts';

describeOnBothDatabases('account settings', (target) => {
  let api: AccountsHarness;
  let owner: Session;
  let accountId: string;
  beforeAll(async () => {
    api = await startAccountsServer(target().config);
    await api.signUpConfirmed({ name: 'Ada Lovelace', email: 'ada@example.org', password });
    owner = await api.signIn('ada@example.org', password);
    accountId = ((await api.call('GET', '/v1/account', { session: owner })).body?.['id'] as string | undefined) ?? '';
    await addUser(api, accountId, 'admin@example.org', { role: 'administrator' });
    await addUser(api, accountId, 'viewer@example.org', { role: 'custom', operations: ['view_backups'] });
  });
  afterAll(async () => {
    await api.close();
  });

  it('shows the account and renames it', async () => {
    const account = await api.call('GET', '/v1/account', { session: owner });
    expect(account).toMatchObject({
      status: 200,
      body: {
        name: 'Ada Lovelace',
        email: 'ada@example.org',
        pendingEmail: null,
        region: 'eu-central',
        status: 'active',
        removal: null,
        createdAt: '2026-12-01T09:00:00Z',
      },
    });
    const admin = await api.signIn('admin@example.org', password);
    const renamed = await api.call('PATCH', '/v1/account', { session: admin, body: { name: 'Analytical Engines' } });
    expect(renamed).toMatchObject({ status: 200, body: { name: 'Analytical Engines', region: 'eu-central' } });
    const region = await api.call('PATCH', '/v1/account', { session: admin, body: { region: 'us-east' } });
    expect(region).toMatchObject({ status: 400, body: { code: 'VALIDATION' } });
    expect((await api.call('PATCH', '/v1/account', { session: admin, body: {} })).status).toBe(400);

    const viewer = await api.signIn('viewer@example.org', password);
    const denied = await api.call('GET', '/v1/account', { session: viewer });
    expect(denied).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
    const me = await api.call('GET', '/v1/me', { session: viewer });
    expect(me).toMatchObject({ status: 200, body: { permissions: ['view_backups'], user: { primary: false } } });
  });

  it('changes the address only when the new one confirms, and tells the old one', async () => {
    const admin = await api.signIn('admin@example.org', password);
    const notPrimary = await api.call('POST', '/v1/account/email-change', {
      session: admin,
      body: { email: 'x@example.org' },
    });
    expect(notPrimary).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
    const taken = await api.call('POST', '/v1/account/email-change', {
      session: owner,
      body: { email: 'Admin@example.org' },
    });
    expect(taken).toMatchObject({ status: 409, body: { code: 'EMAIL_TAKEN' } });

    const asked = await api.call('POST', '/v1/account/email-change', {
      session: owner,
      body: { email: 'ada@engines.example' },
    });
    expect(asked).toMatchObject({
      status: 202,
      body: { pendingEmail: 'ada@engines.example', expiresAt: '2026-12-02T09:00:00Z' },
    });
    const link = await api.mailTo('ada@engines.example');
    expect(link.text).toContain(`${api.config.publicUrl}/confirm-email-change#token=`);
    const notice = api.messagesTo('ada@example.org').at(-1);
    expect(notice?.subject).toBe('Your Holdfast email address is about to change');
    expect(notice?.text).toContain('ada@engines.example');
    expect(notice?.text).not.toMatch(/#token=/);

    const pending = await api.call('GET', '/v1/account', { session: owner });
    expect(pending.body).toMatchObject({ email: 'ada@example.org', pendingEmail: 'ada@engines.example' });
    await api.signIn('ada@example.org', password);

    const token = tokenIn(link);
    const confirmed = await api.call('POST', '/v1/account/email-change/confirm', { body: { token } });
    expect(confirmed).toMatchObject({ status: 200, body: { email: 'ada@engines.example' } });
    expect((await api.call('POST', '/v1/account/email-change/confirm', { body: { token } })).status).toBe(410);
    const after = await api.call('GET', '/v1/account', { session: owner });
    expect(after.body).toMatchObject({ email: 'ada@engines.example', pendingEmail: null });
    expect((await api.call('POST', '/v1/auth/sign-in', { body: { email: 'ada@example.org', password } })).status).toBe(
      401,
    );
    owner = await api.signIn('ada@engines.example', password);
  });

  it('refuses the confirmation when the address was taken meanwhile', async () => {
    await api.call('POST', '/v1/account/email-change', { session: owner, body: { email: 'late@example.org' } });
    const token = tokenIn(await api.mailTo('late@example.org'));
    await addUser(api, accountId, 'late@example.org', { role: 'administrator' });
    const answer = await api.call('POST', '/v1/account/email-change/confirm', { body: { token } });
    expect(answer).toMatchObject({ status: 409, body: { code: 'EMAIL_TAKEN' } });
    const account = await api.call('GET', '/v1/account', { session: owner });
    expect(account.body?.['email']).toBe('ada@engines.example');
  });
});
