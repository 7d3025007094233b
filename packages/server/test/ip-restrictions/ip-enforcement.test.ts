/**
 * Attacks on IP restrictions, on SQLite and PostgreSQL, through the server's real resolver and real
 * credentials. The account trusts only 203.0.113.0/24; "the caller's address" is what the trusted proxy
 * (127.0.0.1, and 10.0.0.0/8 inside) forwards in `X-Forwarded-For`, and a second server that trusts no
 * proxy sees every request as 127.0.0.1 whatever the header claims.
 *
 * - sign-in from an untrusted address: refused only after a right password (a wrong one still answers
 *   `INVALID_CREDENTIALS`), before any challenge or session; the second step is gated too;
 * - spoofed `X-Forwarded-For`: ignored from a peer that is not a trusted proxy; through the proxy only
 *   the right-most untrusted hop counts;
 * - a session and a bearer token: `403 IP_NOT_TRUSTED` from an untrusted address, working again from a
 *   trusted one (or once a rule trusts the address); sign-out stays possible;
 * - IPv6 and IPv4-mapped callers; another account's rules never apply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChallenge } from '../../src/accounts/two-factor.ts';
import { call } from '../support/api-client.ts';
import { bearerCredential, sessionCredential, type Credential } from '../support/credentials.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { withTotp } from '../support/valid-requests/request-context.ts';
import {
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

describeOnBothDatabases('enforcing IP restrictions', (target) => {
  let proxied: IpServer;
  let direct: IpServer;
  let ip: IpAccount;
  let bearer: Credential;

  beforeAll(async () => {
    proxied = await startIpServer(target().config, ['127.0.0.1', '10.0.0.0/8']);
    direct = await startIpServer(target().config, []);
    ip = await seedIpAccount(proxied, target().config);
    bearer = await bearerCredential(proxied.url, ip.key);
    await restrict(proxied, ip.account.id, ['203.0.113.0/24']);
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
  });

  const signIn = (server: IpServer, email: string, secret: string, headers: Record<string, string>) =>
    call(server.url, 'POST', '/v1/auth/sign-in', { body: { email, password: secret }, headers });

  async function sessionsOf(userId: string): Promise<number> {
    const rows = await proxied.db
      .selectFrom('sessions')
      .select('id')
      .where('account_id', '=', ip.account.id)
      .where('user_id', '=', userId)
      .execute();
    return rows.length;
  }

  describe('sign-in', () => {
    it('refuses an untrusted address only after the right password, and starts no session', async () => {
      const before = await sessionsOf(ip.admin.id);
      const refused = await signIn(proxied, ip.admin.email, password, from(untrusted));
      expect(refused).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
      expect(String(refused.body['detail'])).toContain(untrusted);
      expect(refused.headers.get('set-cookie')).toBeNull();
      expect(await sessionsOf(ip.admin.id)).toBe(before);

      const wrong = await signIn(proxied, ip.admin.email, 'not the password at all', from(untrusted));
      expect(wrong).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
      const unknown = await signIn(proxied, 'nobody-here@example.org', password, from(untrusted));
      expect(unknown).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
      const { instance: _wrong, ...wrongShape } = wrong.body;
      const { instance: _unknown, ...unknownShape } = unknown.body;
      expect(wrongShape).toEqual(unknownShape);

      const allowed = await signIn(proxied, ip.admin.email, password, from(trusted));
      expect(allowed.status, allowed.text).toBe(200);
      expect(allowed.headers.get('set-cookie')).toMatch(/^__Host-holdfast-session=/);
    });

    it('issues no second-factor challenge to an untrusted address, and gates the second step', async () => {
      const context = {
        db: proxied.db,
        url: proxied.url,
        account: ip.account,
        now: proxied.now(),
        masterKey: proxied.running.server.services.masterKey,
        caller: ip.custom,
      };
      const code = await withTotp(context, ip.custom, 'enabled');
      const challenges = () =>
        proxied.db.selectFrom('sign_in_challenges').select('id').where('user_id', '=', ip.custom.id).execute();
      const refused = await signIn(proxied, ip.custom.email, password, from(untrusted));
      expect(refused).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
      expect(await challenges()).toEqual([]);

      const first = await signIn(proxied, ip.custom.email, password, from(trusted));
      expect(first).toMatchObject({ status: 401, body: { code: 'SECOND_FACTOR_REQUIRED' } });
      const challenge = String(first.body['challenge']);
      const complete = (address: string) =>
        call(proxied.url, 'POST', '/v1/auth/sign-in/second-factor', {
          body: { challenge, code },
          headers: from(address),
        });
      expect(await complete(untrusted)).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
      const done = await complete(trusted);
      expect(done.status, done.text).toBe(200);
      // A challenge made some other way (no sign-in from this address) is gated as well.
      const { token } = await createChallenge(
        proxied.db,
        { account_id: ip.account.id, id: ip.custom.id },
        proxied.now(),
      );
      const stolen = await call(proxied.url, 'POST', '/v1/auth/sign-in/second-factor', {
        body: { challenge: token, code: '000000' },
        headers: from(untrusted),
      });
      expect(stolen).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
    });
  });

  describe('X-Forwarded-For', () => {
    it('is ignored from a peer that is not a trusted proxy', async () => {
      const spoofed = await signIn(direct, ip.admin.email, password, from(trusted));
      expect(spoofed).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
      expect(String(spoofed.body['detail'])).toContain('(127.0.0.1)');
      for (const credential of [ip.adminSession, bearer]) {
        const answer = await send(direct, 'GET', '/v1/me', { credential, address: trusted });
        expect(answer, credential.kind).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
      }
    });

    it.each([
      ['the client, then the proxy', `${trusted}, 10.0.0.5`, 200],
      ['a spoofed trusted entry left of the real client', `${trusted}, ${untrusted}, 10.0.0.5`, 403],
      ['a spoofed trusted entry left of the real client, direct', `${trusted}, ${untrusted}`, 403],
      ['a spoofed untrusted entry left of a trusted client', `${untrusted}, ${trusted}`, 200],
      ['trusted proxies in the chain are walked past', `${trusted}, 127.0.0.1, 10.0.0.5`, 200],
    ])('through the proxy, counts the right-most untrusted hop: %s', async (_name, chain, status) => {
      const answer = await call(proxied.url, 'GET', '/v1/me', {
        headers: { ...ip.adminSession.headers(), 'X-Forwarded-For': chain },
      });
      expect(answer.status, answer.text).toBe(status);
    });
  });

  describe('sessions and bearer tokens', () => {
    it('answer 403 IP_NOT_TRUSTED from an untrusted address and work again from a trusted one', async () => {
      for (const credential of [ip.adminSession, bearer]) {
        const refused = await send(proxied, 'GET', '/v1/account', { credential, address: untrusted });
        expect(refused, credential.kind).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
        const changed = await send(proxied, 'POST', '/v1/ip-rules', {
          credential,
          address: untrusted,
          body: { range: `${untrusted}/32` },
        });
        expect(changed, credential.kind).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
        const allowed = await send(proxied, 'GET', '/v1/account', { credential, address: trusted });
        expect(allowed.status, `${credential.kind}: ${allowed.text}`).toBe(200);
      }
      const added = await send(proxied, 'POST', '/v1/ip-rules', {
        credential: ip.adminSession,
        address: trusted,
        body: { range: untrusted, description: 'Home' },
      });
      expect(added.status).toBe(201);
      expect((await send(proxied, 'GET', '/v1/me', { credential: bearer, address: untrusted })).status).toBe(200);
      const removed = await send(proxied, 'DELETE', `/v1/ip-rules/${String(added.body['id'])}`, {
        credential: ip.adminSession,
        address: trusted,
      });
      expect(removed.status).toBe(204);
      expect((await send(proxied, 'GET', '/v1/me', { credential: bearer, address: untrusted })).status).toBe(403);
    });

    it('still lets a session sign out from anywhere', async () => {
      const session = await sessionCredential(proxied.db, ip.admin, proxied.now());
      const out = await send(proxied, 'POST', '/v1/auth/sign-out', { credential: session, address: untrusted });
      expect(out.status, out.text).toBe(204);
      expect((await send(proxied, 'GET', '/v1/me', { credential: session, address: trusted })).status).toBe(401);
    });

    it('trusts IPv4-mapped IPv6 callers as IPv4, and no other IPv6 caller', async () => {
      const mapped = await send(proxied, 'GET', '/v1/me', { credential: bearer, address: `::ffff:${trusted}` });
      expect(mapped.status, mapped.text).toBe(200);
      const other = await seedIpAccount(proxied, target().config);
      await restrict(proxied, other.account.id, ['0.0.0.0/0']);
      for (const address of ['2001:db8::7', '::1', `::${trusted}`]) {
        const v6 = await send(proxied, 'GET', '/v1/me', { credential: other.adminSession, address });
        expect(v6, address).toMatchObject({ status: 403, body: { code: 'IP_NOT_TRUSTED' } });
      }
      expect(
        (await send(proxied, 'GET', '/v1/me', { credential: other.adminSession, address: untrusted })).status,
      ).toBe(200);
    });

    it("never applies another account's rules", async () => {
      const open = await seedIpAccount(proxied, target().config);
      expect((await send(proxied, 'GET', '/v1/me', { credential: open.adminSession, address: untrusted })).status).toBe(
        200,
      );
      const elsewhere = await seedIpAccount(proxied, target().config);
      await restrict(proxied, elsewhere.account.id, ['198.51.100.0/24']);
      expect(
        (await send(proxied, 'GET', '/v1/me', { credential: elsewhere.adminSession, address: untrusted })).status,
      ).toBe(200);
      // B trusting the address lets nobody of A in from it.
      const refused = await send(proxied, 'GET', '/v1/me', { credential: ip.adminSession, address: untrusted });
      expect(refused.status).toBe(403);
      expect(
        (await send(proxied, 'GET', '/v1/me', { credential: elsewhere.adminSession, address: trusted })).status,
      ).toBe(403);
    });
  });
});
