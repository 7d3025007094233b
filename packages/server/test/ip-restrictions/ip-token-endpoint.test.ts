/**
 * The token endpoint under IP restrictions, and the audit trail of refusals, on SQLite and PostgreSQL:
 *
 * - both grants from an untrusted address answer RFC 6749 `400 unauthorized_client` and issue nothing
 *   (no token rows, the refresh token not used up); revocation works from anywhere;
 * - every kind of refusal writes one `address_refused` entry (status failed, the actor, the address),
 *   at most one per account and client network (an IPv4 address, an IPv6 /64) per 10 minutes — also
 *   across a server restart (`ip-token-refusals.test.ts` has the IPv6 side, and what a caller with a
 *   client id alone is told);
 * - a reused refresh token is audited as `refresh_token_reused`, the key as the actor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import { basicAuth, clientCredentialsToken, postOAuth } from '../support/seed.ts';
import { bearerCredential, type Credential } from '../support/credentials.ts';
import { call } from '../support/api-client.ts';
import {
  auditOf,
  from,
  password,
  restrict,
  seedIpAccount,
  send,
  startIpServer,
  type IpAccount,
  type IpServer,
} from './ip-harness.ts';

const trusted = '203.0.113.9';
const untrusted = '198.51.100.7';
const minute = 60_000;

describeOnBothDatabases('the token endpoint and refusal audits', (target) => {
  let server: IpServer;

  beforeAll(async () => {
    server = await startIpServer(target().config);
  });
  afterAll(async () => {
    await server.close();
  });

  async function tokenRows(accountId: string) {
    return server.db
      .selectFrom('oauth_tokens')
      .select(['id', 'kind', 'used_at', 'revoked_at'])
      .where('account_id', '=', accountId)
      .execute();
  }

  describe('tokens', () => {
    let ip: IpAccount;
    let refreshToken: string;
    let accessToken: string;

    beforeAll(async () => {
      ip = await seedIpAccount(server, target().config);
      ({ refreshToken, accessToken } = await clientCredentialsToken(server.url, ip.key));
      await restrict(server, ip.account.id, ['203.0.113.0/24']);
    });

    it('answers unauthorized_client to both grants from an untrusted address and issues nothing', async () => {
      const before = await tokenRows(ip.account.id);
      const auth = { authorization: basicAuth(ip.key.id, ip.key.secret), ...from(untrusted) };
      const credentials = await postOAuth(server.url, 'token', { grant_type: 'client_credentials' }, auth);
      const refresh = await postOAuth(
        server.url,
        'token',
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        auth,
      );
      for (const answer of [credentials, refresh]) {
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({
          error: 'unauthorized_client',
          error_description: "requests from this address are not trusted by the account's IP restrictions",
        });
        expect(answer.headers.get('cache-control')).toBe('no-store');
      }
      expect(await tokenRows(ip.account.id)).toEqual(before);

      // The refresh token was not used up: from a trusted address it still works.
      const fromOffice = await postOAuth(
        server.url,
        'token',
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        { authorization: basicAuth(ip.key.id, ip.key.secret), ...from(trusted) },
      );
      expect(fromOffice.status, JSON.stringify(fromOffice.body)).toBe(200);
      expect(String(fromOffice.body['access_token'])).toMatch(/^hfat_/);
    });

    it('still authenticates the client first: a wrong secret is invalid_client from anywhere', async () => {
      const wrong = await postOAuth(
        server.url,
        'token',
        { grant_type: 'client_credentials' },
        { authorization: basicAuth(ip.key.id, `hfs_${'x'.repeat(43)}`), ...from(untrusted) },
      );
      expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    });

    it('lets a token be revoked from any address', async () => {
      const revoked = await postOAuth(
        server.url,
        'revoke',
        { token: accessToken, client_id: ip.key.id, client_secret: ip.key.secret },
        from(untrusted),
      );
      expect(revoked.status).toBe(200);
      const me = await call(server.url, 'GET', '/v1/me', { bearer: accessToken, headers: from(trusted) });
      expect(me).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    });

    it('audits a reused refresh token, the key as the actor', async () => {
      const open = await seedIpAccount(server, target().config);
      const first = await clientCredentialsToken(server.url, open.key);
      const auth = { authorization: basicAuth(open.key.id, open.key.secret), ...from(untrusted) };
      const body = { grant_type: 'refresh_token', refresh_token: first.refreshToken };
      expect((await postOAuth(server.url, 'token', body, auth)).status).toBe(200);
      const reused = await postOAuth(server.url, 'token', body, auth);
      expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      const entries = await auditOf(server, open.account.id, 'refresh_token_reused');
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        status: 'failed',
        actor_kind: 'api_key',
        actor_id: open.key.id,
        actor_name: 'Nightly export',
        source_ip: untrusted,
      });
      expect(entries[0]?.description).toContain('Nightly export');
      expect(JSON.stringify(entries[0])).not.toContain(first.refreshToken);
    });
  });

  describe('address_refused', () => {
    let ip: IpAccount;
    let bearer: Credential;

    beforeAll(async () => {
      ip = await seedIpAccount(server, target().config);
      bearer = await bearerCredential(server.url, ip.key);
      await restrict(server, ip.account.id, ['203.0.113.0/24']);
    });

    it('records each kind of refusal once per address, with the actor', async () => {
      const refusals = [
        () => send(server, 'GET', '/v1/me', { credential: ip.adminSession, address: '198.51.100.1' }),
        () => send(server, 'GET', '/v1/me', { credential: bearer, address: '198.51.100.2' }),
        () =>
          call(server.url, 'POST', '/v1/auth/sign-in', {
            body: { email: ip.admin.email, password },
            headers: from('198.51.100.3'),
          }),
        () =>
          postOAuth(
            server.url,
            'token',
            { grant_type: 'client_credentials' },
            { authorization: basicAuth(ip.key.id, ip.key.secret), ...from('198.51.100.4') },
          ),
      ];
      for (const refuse of refusals) {
        server.advance(1000);
        for (let i = 0; i < 3; i++) expect([400, 403]).toContain((await refuse()).status);
      }
      const entries = await auditOf(server, ip.account.id, 'address_refused');
      expect(
        entries.map((entry) => [entry.status, entry.actor_kind, entry.actor_id, entry.source_ip, entry.details]),
      ).toEqual([
        ['failed', 'user', ip.admin.id, '198.51.100.1', { attempt: 'session', operation: 'getMe' }],
        ['failed', 'api_key', ip.key.id, '198.51.100.2', { attempt: 'bearer', operation: 'getMe' }],
        ['failed', 'user', ip.admin.id, '198.51.100.3', { attempt: 'sign_in', operation: 'signIn' }],
        ['failed', 'api_key', ip.key.id, '198.51.100.4', { attempt: 'token', operation: 'issueToken' }],
      ]);
      expect(entries[0]?.actor_name).toBe(ip.admin.email);
      expect(entries[1]?.actor_name).toBe('Nightly export');
      expect(entries[0]?.description).toContain('198.51.100.1');
    });

    it('writes at most one entry per address every 10 minutes, even after a restart', async () => {
      const flood = async (on: IpServer, address: string, times: number) => {
        for (let i = 0; i < times; i++) {
          const answer = await send(on, 'GET', '/v1/account', { credential: ip.adminSession, address });
          expect(answer.status).toBe(403);
        }
      };
      const count = async (address: string) =>
        (await auditOf(server, ip.account.id, 'address_refused')).filter((entry) => entry.source_ip === address).length;

      await flood(server, '192.0.2.50', 25);
      expect(await count('192.0.2.50')).toBe(1);
      await flood(server, '192.0.2.51', 2);
      expect(await count('192.0.2.51')).toBe(1);

      server.advance(9 * minute + 59_000);
      await flood(server, '192.0.2.50', 5);
      expect(await count('192.0.2.50')).toBe(1);

      // Another server process (no shared memory), same database, inside the window: still one.
      const restarted = await startIpServer(target().config);
      try {
        restarted.advance(server.now().getTime() - restarted.now().getTime());
        await flood(restarted, '192.0.2.50', 3);
        expect(await count('192.0.2.50')).toBe(1);
      } finally {
        await restarted.close();
      }

      server.advance(2000);
      await flood(server, '192.0.2.50', 5);
      expect(await count('192.0.2.50')).toBe(2);
      // Nothing was logged as an entry for the requests that were let in.
      expect((await send(server, 'GET', '/v1/account', { credential: ip.adminSession, address: trusted })).status).toBe(
        200,
      );
      expect(await count(trusted)).toBe(0);
    });
  });
});
