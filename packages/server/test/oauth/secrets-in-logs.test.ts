/**
 * The secrets of API keys, OAuth and invitations never reach the logs, even at `trace` level: client
 * secrets (shown once at creation; sent over HTTP Basic or the form, right or wrong), access and refresh
 * tokens (issued, refreshed, reused, revoked, sent as bearer tokens), invitation tokens (in emails and in
 * `/v1/invitations/<token>` paths) and the invitee's password. The whole flow runs, then the captured log
 * output is scanned for every one of them (the foundation's `test/http/log-redaction.test.ts` covers the
 * generic places: headers, cookies, URLs, bodies).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { call } from '../support/api-client.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { basicAuth, postOAuth, seedAccount, sessionPrincipalOf, testResolver, uniqueEmail } from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

describeOnBothDatabases('secrets of keys, tokens and invitations in the logs', (target) => {
  let running: RunningServer;
  const mail = new CapturedMail();
  const registered = new Map<string, Principal>();

  beforeAll(async () => {
    running = await startServer(
      { ...target().config, logLevel: 'trace' },
      {
        mailer: mail,
        resolvePrincipal: testResolver(registered, () => undefined),
      },
    );
    const account = await seedAccount(running.server.services.database.db);
    registered.set('admin', sessionPrincipalOf(account.primary));
  });
  afterAll(async () => {
    await running.close();
  });

  it('never holds one of them', async () => {
    const secrets: string[] = [];
    const created = await call(running.url, 'POST', '/v1/api-keys', {
      as: 'admin',
      body: { name: 'Logged key', access: { role: 'administrator' } },
    });
    const { clientId, clientSecret } = created.body as { clientId: string; clientSecret: string };
    secrets.push(clientSecret);

    const wrongSecret = `hfs_${'W'.repeat(43)}`;
    secrets.push(wrongSecret);
    await postOAuth(
      running.url,
      'token',
      { grant_type: 'client_credentials' },
      { authorization: basicAuth(clientId, wrongSecret) },
    );
    await postOAuth(running.url, 'token', {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: wrongSecret,
    });
    const first = await postOAuth(
      running.url,
      'token',
      { grant_type: 'client_credentials' },
      { authorization: basicAuth(clientId, clientSecret) },
    );
    const access = String(first.body['access_token']);
    const refresh = String(first.body['refresh_token']);
    secrets.push(access, refresh);
    await call(running.url, 'GET', '/v1/api-keys', { bearer: access });
    const second = await postOAuth(running.url, 'token', {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: refresh,
    });
    secrets.push(String(second.body['access_token']), String(second.body['refresh_token']));
    // Reuse (revokes the chain, logged as a warning), then revoke and use revoked tokens.
    await postOAuth(running.url, 'token', { grant_type: 'refresh_token', client_id: clientId, refresh_token: refresh });
    await postOAuth(running.url, 'revoke', {
      token: String(second.body['refresh_token']),
      client_id: clientId,
      client_secret: clientSecret,
    });
    await call(running.url, 'GET', '/v1/api-keys', { bearer: String(second.body['access_token']) });

    const email = uniqueEmail('logged');
    mail.failNext();
    const invited = await call(running.url, 'POST', '/v1/users', {
      as: 'admin',
      body: { email, access: { role: 'administrator' } },
      headers: { 'Idempotency-Key': 'logged-invitation' },
    });
    await call(running.url, 'POST', `/v1/users/${String(invited.body['id'])}/resend-invitation`, { as: 'admin' });
    const token = mail.lastToken(email);
    secrets.push(token);
    await call(running.url, 'GET', `/v1/invitations/${token}`);
    const password = 'the invitee chose this password';
    secrets.push(password);
    const accepted = await call(running.url, 'POST', `/v1/invitations/${token}/accept`, {
      body: { name: 'Logged Person', password },
    });
    expect(accepted.status).toBe(200);

    const text = running.logs.text();
    expect(running.logs.lines().length).toBeGreaterThan(10);
    expect(text).toContain('the invitation email could not be sent');
    expect(text).toContain('a used refresh token came back');
    // Each secret, and its distinctive random part alone.
    expect(
      secrets.filter((secret) => text.includes(secret) || text.includes(secret.replace(/^hf[a-z]+_/, ''))),
    ).toEqual([]);
  });
});
