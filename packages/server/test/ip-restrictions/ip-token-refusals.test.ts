/**
 * What the token endpoint of a restricted account tells, and writes, when the caller holds no credential
 * of the key, on SQLite and PostgreSQL:
 *
 * - a refresh grant with the client id alone (no secret) and a refresh token that is no live token of
 *   the key (junk, another key's, an access token, a revoked or used one) answers `invalid_grant` from
 *   every address alike, before the IP gate: no `address_refused` entry, nothing that tells a trusted
 *   address from an untrusted one;
 * - a live refresh token from an untrusted address is refused (`unauthorized_client`), stays usable, and
 *   the refusal is audited once;
 * - refusals are audited once per client network per 10 minutes: 25 addresses of one IPv6 /64 are one
 *   entry, another /64 is another, and a second server process sees the entry of the first.
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { clientNetwork } from '../../src/auth/client-network.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { basicAuth, clientCredentialsToken, postOAuth, type TokenAnswer } from '../support/seed.ts';
import { auditOf, from, restrict, seedIpAccount, startIpServer, type IpAccount, type IpServer } from './ip-harness.ts';

const trusted = '203.0.113.9';
const untrusted = '198.51.100.7';
const minute = 60_000;

describeOnBothDatabases('token endpoint refusals', (target) => {
  let server: IpServer;

  beforeAll(async () => {
    server = await startIpServer(target().config);
  });
  afterAll(async () => {
    await server.close();
  });

  const refused = (accountId: string) => auditOf(server, accountId, 'address_refused');
  /** What a caller can compare between two answers. */
  const seen = (answer: TokenAnswer) => ({
    status: answer.status,
    body: answer.body,
    cacheControl: answer.headers.get('cache-control'),
    wwwAuthenticate: answer.headers.get('www-authenticate'),
  });
  const refreshWithIdOnly = (clientId: string, refreshToken: string, address: string) =>
    postOAuth(
      server.url,
      'token',
      { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken },
      from(address),
    );

  describe('a refresh grant with the client id alone', () => {
    let ip: IpAccount;
    let other: IpAccount;
    let accessToken: string;
    let refreshToken: string;

    beforeAll(async () => {
      ip = await seedIpAccount(server, target().config);
      other = await seedIpAccount(server, target().config);
      ({ accessToken, refreshToken } = await clientCredentialsToken(server.url, ip.key));
      await restrict(server, ip.account.id, ['203.0.113.0/24']);
    });

    it('answers invalid_grant to a token that is no live refresh token of the key, from any address', async () => {
      const othersToken = (await clientCredentialsToken(server.url, other.key)).refreshToken;
      const junk = [`hfrt_${'x'.repeat(43)}`, 'junk', othersToken, accessToken];
      for (const token of junk) {
        const answers = [];
        for (const address of [untrusted, '198.51.100.8', '2001:db8:5:5::1', trusted]) {
          answers.push(seen(await refreshWithIdOnly(ip.key.id, token, address)));
        }
        expect(answers[0], token).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
        // The same answer from untrusted and trusted addresses: nothing to learn about the rules.
        expect(answers.slice(1), token).toEqual([answers[0], answers[0], answers[0]]);
      }
      expect(await refused(ip.account.id)).toEqual([]);
    });

    it('answers invalid_grant to a revoked or a used token from any address, and revokes a reused chain', async () => {
      const open = await seedIpAccount(server, target().config);
      const revoked = await clientCredentialsToken(server.url, open.key);
      const revoke = await postOAuth(server.url, 'revoke', { token: revoked.refreshToken, client_id: open.key.id });
      expect(revoke.status).toBe(200);
      const used = await clientCredentialsToken(server.url, open.key);
      const next = await refreshWithIdOnly(open.key.id, used.refreshToken, trusted);
      expect(next.status, JSON.stringify(next.body)).toBe(200);
      await restrict(server, open.account.id, ['203.0.113.0/24']);

      for (const token of [revoked.refreshToken, used.refreshToken]) {
        const fromOutside = await refreshWithIdOnly(open.key.id, token, untrusted);
        expect(fromOutside).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      }
      expect(await refused(open.account.id)).toEqual([]);
      // The used token came back: its chain is revoked (the pair issued from it too), and that is audited.
      expect(await auditOf(server, open.account.id, 'refresh_token_reused')).toHaveLength(1);
      const successor = await refreshWithIdOnly(open.key.id, String(next.body['refresh_token']), trusted);
      expect(successor).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('refuses a live refresh token from an untrusted address once audited, and leaves it usable', async () => {
      server.advance(1000);
      for (const address of [untrusted, untrusted, untrusted]) {
        const answer = await refreshWithIdOnly(ip.key.id, refreshToken, address);
        expect(answer).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
      }
      const entries = await refused(ip.account.id);
      expect(entries.map((entry) => [entry.actor_id, entry.source_ip, entry.details])).toEqual([
        [ip.key.id, untrusted, { attempt: 'token', operation: 'issueToken' }],
      ]);
      const used = await server.db
        .selectFrom('oauth_tokens')
        .select(['used_at', 'revoked_at'])
        .where('account_id', '=', ip.account.id)
        .where('kind', '=', 'refresh')
        .where('used_at', 'is not', null)
        .execute();
      expect(used).toEqual([]);
      const fromOffice = await refreshWithIdOnly(ip.key.id, refreshToken, trusted);
      expect(fromOffice.status, JSON.stringify(fromOffice.body)).toBe(200);
    });
  });

  describe('one entry per client network', () => {
    let ip: IpAccount;

    beforeAll(async () => {
      ip = await seedIpAccount(server, target().config);
      await restrict(server, ip.account.id, ['203.0.113.0/24']);
    });

    const requestToken = (address: string) =>
      postOAuth(
        server.url,
        'token',
        { grant_type: 'client_credentials' },
        { authorization: basicAuth(ip.key.id, ip.key.secret), ...from(address) },
      );
    /** The account's `address_refused` entries of one client network. */
    const entriesOf = async (network: string) =>
      (await refused(ip.account.id)).filter((entry) => clientNetwork(entry.source_ip ?? '') === network);

    it('writes one entry for 25 addresses of one /64 every 10 minutes', async () => {
      const spellings = (i: number) => [`2001:db8:1:2::${(i + 1).toString(16)}`, `2001:DB8:1:2:0:0:abc:${i + 1}`];
      for (let i = 0; i < 25; i++) {
        const answer = await requestToken(spellings(i)[i % 2]!);
        expect(answer).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
      }
      const first = await entriesOf('2001:db8:1:2::/64');
      expect(first.map((entry) => entry.source_ip)).toEqual(['2001:db8:1:2::1']);
      expect(first[0]?.description).toContain('Further refusals of its network (2001:db8:1:2::/64)');

      // Another /64 of the same /48 is another client.
      await requestToken('2001:db8:1:3::1');
      expect(await entriesOf('2001:db8:1:3::/64')).toHaveLength(1);

      // A second process (no shared memory) inside the window finds the entry in the log.
      const restarted = await startIpServer(target().config);
      try {
        restarted.advance(server.now().getTime() - restarted.now().getTime() + 9 * minute);
        const answer = await postOAuth(
          restarted.url,
          'token',
          { grant_type: 'client_credentials' },
          { authorization: basicAuth(ip.key.id, ip.key.secret), ...from('2001:db8:1:2:ffff::99') },
        );
        expect(answer.status).toBe(400);
      } finally {
        await restarted.close();
      }
      expect(await entriesOf('2001:db8:1:2::/64')).toHaveLength(1);

      server.advance(10 * minute);
      for (let i = 0; i < 25; i++) await requestToken(spellings(i + 25)[0]!);
      expect(await entriesOf('2001:db8:1:2::/64')).toHaveLength(2);
    });

    it('still writes one entry per IPv4 address', async () => {
      server.advance(minute);
      for (const address of ['192.0.2.60', '192.0.2.61', '192.0.2.60']) await requestToken(address);
      expect(await entriesOf('192.0.2.60')).toHaveLength(1);
      expect(await entriesOf('192.0.2.61')).toHaveLength(1);
    });
  });
});
