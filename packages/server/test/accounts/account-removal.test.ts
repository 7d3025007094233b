/**
 * Account removal on both databases: consent is required; the grace period records a purge job, ends the
 * other sessions and refuses other users; cancelling or the primary user signing in within 7 days
 * reactivates (the job is canceled); after 7 days nobody signs in.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import { startAccountsServer, type AccountsHarness, type Session } from './account-client.ts';
import { addUser, password } from './seed-users.ts';

const day = 24 * 3_600_000;

describeOnBothDatabases('account removal', (target) => {
  let api: AccountsHarness;
  let accountId: string;
  const owner = 'ada@example.org';

  async function jobs(): Promise<{ kind: string; status: string; run_after: string }[]> {
    return api.running.server.services.database.db
      .selectFrom('jobs')
      .select(['kind', 'status', 'run_after'])
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .execute();
  }

  async function remove(session: Session): Promise<Record<string, unknown> | null> {
    const answer = await api.call('POST', '/v1/account/removal', {
      session,
      body: { consent: true, reason: 'Moving on.' },
    });
    expect(answer.status, answer.text).toBe(202);
    return answer.body;
  }

  beforeAll(async () => {
    api = await startAccountsServer(target().config);
    await api.signUpConfirmed({ name: 'Ada Lovelace', email: owner, password });
    const session = await api.signIn(owner, password);
    const me = await api.call('GET', '/v1/me', { session });
    accountId = (me.body?.['account'] as { id: string }).id;
    await addUser(api, accountId, 'admin@example.org', { role: 'administrator' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('needs explicit consent and the primary user', async () => {
    const session = await api.signIn(owner, password);
    for (const body of [{}, { consent: false }, { consent: 'yes' }, { consent: true, extra: 1 }]) {
      const answer = await api.call('POST', '/v1/account/removal', { session, body });
      expect(answer, JSON.stringify(body)).toMatchObject({ status: 400, body: { code: 'VALIDATION' } });
    }
    const admin = await api.signIn('admin@example.org', password);
    const denied = await api.call('POST', '/v1/account/removal', { session: admin, body: { consent: true } });
    expect(denied).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
  });

  it('starts a 7-day grace period, ends other sessions, refuses other users, and cancels', async () => {
    const mine = await api.signIn(owner, password);
    const otherOfMine = await api.signIn(owner, password);
    const admin = await api.signIn('admin@example.org', password);
    const account = await remove(mine);
    expect(account).toMatchObject({
      status: 'pending_removal',
      removal: { requestedAt: '2026-12-01T09:00:00Z', purgeAt: '2026-12-08T09:00:00Z' },
    });
    expect(await jobs()).toEqual([{ kind: 'account_purge', status: 'pending', run_after: '2026-12-08T09:00:00.000Z' }]);
    expect((await api.mailTo(owner, 2)).subject).toBe('Your Holdfast account Ada Lovelace will be removed');
    expect(await remove(mine)).toEqual(account);
    expect(await jobs()).toHaveLength(1);

    expect((await api.call('GET', '/v1/me', { session: otherOfMine })).status).toBe(401);
    expect((await api.call('GET', '/v1/me', { session: admin })).status).toBe(401);
    const signIn = await api.call('POST', '/v1/auth/sign-in', { body: { email: 'admin@example.org', password } });
    expect(signIn).toMatchObject({ status: 403, body: { code: 'ACCOUNT_PENDING_REMOVAL' } });
    const wrong = await api.call('POST', '/v1/auth/sign-in', { body: { email: 'admin@example.org', password: 'x' } });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
    expect((await api.call('GET', '/v1/account', { session: mine })).body?.['status']).toBe('pending_removal');

    api.advance(3_600_000);
    const cancelled = await api.call('DELETE', '/v1/account/removal', { session: mine });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'active', removal: null } });
    expect((await jobs()).map((job) => job.status)).toEqual(['canceled']);
    expect((await api.mailTo(owner, 3)).subject).toBe('Your Holdfast account Ada Lovelace is active again');
    const again = await api.call('DELETE', '/v1/account/removal', { session: mine });
    expect(again).toMatchObject({ status: 200, body: { status: 'active' } });
    await api.signIn('admin@example.org', password);
  });

  it('is cancelled by the primary user signing in within the grace period', async () => {
    const mine = await api.signIn(owner, password);
    await remove(mine);
    await api.call('POST', '/v1/auth/sign-out', { session: mine });
    api.advance(7 * day - 60_000);
    const signIn = await api.call('POST', '/v1/auth/sign-in', { body: { email: owner, password } });
    expect(signIn).toMatchObject({ status: 200, body: { accountReactivated: true, account: { status: 'active' } } });
    expect((await jobs()).map((job) => job.status)).toEqual(['canceled', 'canceled']);
    const notice = await api.mailTo(owner, 5);
    expect(notice.text).toContain('You signed in during the grace period');
  });

  it('lets nobody in after the grace period', async () => {
    const mine = await api.signIn(owner, password);
    await remove(mine);
    api.advance(7 * day);
    expect((await api.call('GET', '/v1/account', { session: mine })).status).toBe(401);
    for (const email of [owner, 'admin@example.org']) {
      const answer = await api.call('POST', '/v1/auth/sign-in', { body: { email, password } });
      expect(answer, email).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
    }
    await api.call('POST', '/v1/auth/password-reset', { body: { email: owner } });
    expect((await jobs()).map((job) => job.status)).toEqual(['canceled', 'canceled', 'pending']);
  });
});
