/**
 * Emailed links are credentials of their account, so its IP restrictions hold for them too: a password
 * reset link, an invitation and an email-change confirmation used from an untrusted address answer
 * `403 IP_NOT_TRUSTED`, change nothing, and stay usable from a trusted address; the refusal is audited.
 * Links that open nothing answer `410` as before, whatever the address (nothing to learn from the gate).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueLink } from '../../src/accounts/email-links.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { seedUser, uniqueEmail } from '../support/seed.ts';
import { auditOf, restrict, seedIpAccount, send, startIpServer, type IpAccount, type IpServer } from './ip-harness.ts';

const trusted = '203.0.113.9';
const untrusted = '198.51.100.7';

describeOnBothDatabases('IP restrictions and emailed links', (target) => {
  let server: IpServer;
  let ip: IpAccount;

  beforeAll(async () => {
    server = await startIpServer(target().config);
    ip = await seedIpAccount(server, target().config, 'Restricted Links Ltd');
    await restrict(server, ip.account.id, ['203.0.113.0/24']);
  });
  afterAll(async () => {
    await server.close();
  });

  async function link(purpose: 'reset_password' | 'invitation' | 'change_email', userId: string, newEmail?: string) {
    const issued = await issueLink(server.db, {
      accountId: ip.account.id,
      userId,
      purpose,
      now: server.now(),
      lifetimeMs: 3_600_000,
      ...(newEmail === undefined ? {} : { newEmail }),
    });
    return issued.token;
  }

  async function passwordHashOf(userId: string): Promise<string | null> {
    const row = await server.db
      .selectFrom('users')
      .select('password_hash')
      .where('account_id', '=', ip.account.id)
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    return row.password_hash;
  }

  it('refuses a password reset link from an untrusted address, and lets it work from a trusted one', async () => {
    const token = await link('reset_password', ip.admin.id);
    const before = await passwordHashOf(ip.admin.id);
    const body = { token, password: 'a new and long passphrase' };
    const refused = await send(server, 'POST', '/v1/auth/password-reset/complete', { address: untrusted, body });
    expect(refused).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
    expect(await passwordHashOf(ip.admin.id)).toBe(before);
    const done = await send(server, 'POST', '/v1/auth/password-reset/complete', { address: trusted, body });
    expect(done.status).toBe(204);
    expect(await passwordHashOf(ip.admin.id)).not.toBe(before);
    const refusals = await auditOf(server, ip.account.id, 'address_refused');
    expect(refusals.at(-1)).toMatchObject({
      status: 'failed',
      source_ip: untrusted,
      actor_id: ip.admin.id,
      details: { attempt: 'link', operation: 'completePasswordReset' },
    });
  });

  it('refuses to show or accept an invitation from an untrusted address', async () => {
    const invited = await seedUser(server.db, ip.account.id, { status: 'invited', invitedBy: ip.admin.id });
    const token = await link('invitation', invited.id);
    expect(await send(server, 'GET', `/v1/invitations/${token}`, { address: untrusted })).toMatchObject({
      status: 403,
      body: { code: 'IP_NOT_TRUSTED' },
    });
    const body = { name: 'Invited Person', password: 'an invited passphrase' };
    const refused = await send(server, 'POST', `/v1/invitations/${token}/accept`, { address: untrusted, body });
    expect(refused).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
    expect(await passwordHashOf(invited.id)).toBeNull();
    expect((await send(server, 'GET', `/v1/invitations/${token}`, { address: trusted })).status).toBe(200);
    expect((await send(server, 'POST', `/v1/invitations/${token}/accept`, { address: trusted, body })).status).toBe(
      200,
    );
  });

  it('refuses to confirm an email change from an untrusted address', async () => {
    const newEmail = uniqueEmail('restricted-new');
    const token = await link('change_email', ip.account.primary.id, newEmail);
    const refused = await send(server, 'POST', '/v1/account/email-change/confirm', {
      address: untrusted,
      body: { token },
    });
    expect(refused).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
    const done = await send(server, 'POST', '/v1/account/email-change/confirm', { address: trusted, body: { token } });
    expect(done).toMatchObject({ status: 200, body: { email: newEmail } });
  });

  it('answers 410 for a link that opens nothing, from any address', async () => {
    const body = { token: 'A'.repeat(43), password: 'a new and long passphrase' };
    for (const address of [trusted, untrusted]) {
      expect(await send(server, 'POST', '/v1/auth/password-reset/complete', { address, body })).toMatchObject({
        status: 410,
        body: { code: 'LINK_INVALID' },
      });
    }
  });
});
