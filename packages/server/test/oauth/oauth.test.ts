/**
 * The OAuth endpoints and bearer tokens (S8): client credentials over HTTP Basic or the form, refresh
 * rotation (a reused refresh token revokes its whole chain), RFC 6749 errors, RFC 7009 revocation, and
 * what a bearer token may do: expired tokens answer `TOKEN_EXPIRED`, revoked, unknown, malformed and
 * forged ones `UNAUTHENTICATED`. Tokens are stored only as digests. Time moves by the server's clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.ts';
import { call } from '../support/api-client.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import {
  basicAuth,
  clientCredentialsToken,
  postOAuth,
  seedAccount,
  seedApiKey,
  type SeededAccount,
} from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

const minute = 60_000;

describeOnBothDatabases('OAuth tokens', (target) => {
  let running: RunningServer;
  let now = new Date('2026-12-01T09:00:00.000Z');
  let account: SeededAccount;
  const advance = (ms: number): void => {
    now = new Date(now.getTime() + ms);
  };
  const db = () => running.server.services.database.db;
  const newKey = (options: Parameters<typeof seedApiKey>[2] = {}) => seedApiKey(db(), account.id, { now, ...options });
  const canList = async (token: string) => (await call(running.url, 'GET', '/v1/api-keys', { bearer: token })).status;
  const refresh = (clientId: string, refreshToken: string, headers: Record<string, string> = {}) =>
    postOAuth(
      running.url,
      'token',
      { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken },
      headers,
    );

  beforeAll(async () => {
    running = await startServer(target().config, { clock: () => now });
    account = await seedAccount(db(), { now });
  });
  afterAll(async () => {
    await running.close();
  });

  describe('client credentials', () => {
    it('issues a 15-minute access token and a refresh token, over Basic or the form', async () => {
      const key = await newKey();
      const basic = await postOAuth(
        running.url,
        'token',
        { grant_type: 'client_credentials', scope: 'ignored' },
        {
          authorization: basicAuth(key.id, key.secret),
        },
      );
      expect(basic.status).toBe(200);
      expect(basic.body).toEqual({
        access_token: expect.stringMatching(/^hfat_[A-Za-z0-9_-]{43}$/),
        token_type: 'Bearer',
        expires_in: 900,
        refresh_token: expect.stringMatching(/^hfrt_[A-Za-z0-9_-]{43}$/),
      });
      expect(basic.headers.get('cache-control')).toBe('no-store');
      const form = await postOAuth(running.url, 'token', {
        grant_type: 'client_credentials',
        client_id: key.id,
        client_secret: key.secret,
      });
      expect(form.status).toBe(200);
      expect(form.body['access_token']).not.toBe(basic.body['access_token']);
      expect(await canList(String(form.body['access_token']))).toBe(200);

      const rows = await db().selectFrom('oauth_tokens').selectAll().where('api_key_id', '=', key.id).execute();
      expect(rows).toHaveLength(4);
      const stored = JSON.stringify(rows);
      for (const token of [basic.body['access_token'], basic.body['refresh_token']]) {
        expect(stored).not.toContain(String(token).slice(5));
        expect(rows.some((row) => row.token_hash === hashToken(String(token)))).toBe(true);
      }
    });

    it('answers invalid_client (401) for a wrong secret, an unknown or missing client', async () => {
      const key = await newKey();
      const cases: [Record<string, string>, Record<string, string>][] = [
        [
          { grant_type: 'client_credentials' },
          { authorization: basicAuth(key.id, `${key.secret.slice(0, -1)}${key.secret.endsWith('A') ? 'B' : 'A'}`) },
        ],
        [{ grant_type: 'client_credentials', client_id: key.id, client_secret: 'hfs_wrong' }, {}],
        [{ grant_type: 'client_credentials', client_id: key.id }, {}],
        [{ grant_type: 'client_credentials' }, {}],
        [
          { grant_type: 'client_credentials', client_id: 'key_01jssz5awsh8vhtpre95b9ee0z', client_secret: key.secret },
          {},
        ],
        [{ grant_type: 'client_credentials', client_id: 'not-a-key', client_secret: key.secret }, {}],
        [{ grant_type: 'client_credentials' }, { authorization: 'Bearer hfat_x' }],
        [{ grant_type: 'client_credentials' }, { authorization: 'Basic !!!' }],
      ];
      for (const [form, headers] of cases) {
        const answer = await postOAuth(running.url, 'token', form, headers);
        expect(answer.status, JSON.stringify(form)).toBe(401);
        expect(answer.body).toMatchObject({ error: 'invalid_client' });
        expect(answer.headers.get('www-authenticate')).toContain('Basic');
      }
    });

    it('answers RFC 6749 errors for malformed requests', async () => {
      const key = await newKey();
      const twice = await postOAuth(
        running.url,
        'token',
        { grant_type: 'client_credentials', client_secret: key.secret },
        { authorization: basicAuth(key.id, key.secret) },
      );
      expect(twice).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      const grant = await postOAuth(running.url, 'token', { grant_type: 'password', username: 'a', password: 'b' });
      expect(grant).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
      const noRefresh = await postOAuth(running.url, 'token', { grant_type: 'refresh_token', client_id: key.id });
      expect(noRefresh).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      const json = await fetch(`${running.url}/v1/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret }),
      });
      expect(json.status).toBe(400);
      expect(await json.json()).toMatchObject({ error: 'invalid_request' });
    });

    it('refuses an expired key and the keys of an account pending removal', async () => {
      const key = await newKey({ expiresAt: new Date(now.getTime() + 60 * minute) });
      const { accessToken } = await clientCredentialsToken(running.url, key);
      expect(await canList(accessToken)).toBe(200);
      const other = await seedAccount(db(), { now });
      const removing = await seedApiKey(db(), other.id, { now });
      const removingToken = await clientCredentialsToken(running.url, removing);
      await db().updateTable('accounts').set({ status: 'pending_removal' }).where('id', '=', other.id).execute();
      const refused = await call(running.url, 'GET', '/v1/api-keys', { bearer: removingToken.accessToken });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'ACCOUNT_PENDING_REMOVAL' });
      const exchange = await postOAuth(running.url, 'token', {
        grant_type: 'client_credentials',
        client_id: removing.id,
        client_secret: removing.secret,
      });
      expect(exchange).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });

      advance(61 * minute);
      const expired = await call(running.url, 'GET', '/v1/api-keys', { bearer: accessToken });
      expect(expired.status).toBe(401);
      const again = await postOAuth(running.url, 'token', {
        grant_type: 'client_credentials',
        client_id: key.id,
        client_secret: key.secret,
      });
      expect(again).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    });
  });

  describe('refresh tokens', () => {
    it('rotate: each works once and the answer carries the next one', async () => {
      const key = await newKey();
      const first = await clientCredentialsToken(running.url, key);
      advance(15 * minute + 1000);
      const expired = await call(running.url, 'GET', '/v1/api-keys', { bearer: first.accessToken });
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ code: 'TOKEN_EXPIRED' });
      expect(expired.headers.get('www-authenticate')).toContain('invalid_token');

      const second = await refresh(key.id, first.refreshToken);
      expect(second.status).toBe(200);
      expect(second.body['refresh_token']).not.toBe(first.refreshToken);
      expect(await canList(String(second.body['access_token']))).toBe(200);
      const third = await refresh(key.id, String(second.body['refresh_token']), {
        authorization: basicAuth(key.id, key.secret),
      });
      expect(third.status).toBe(200);
      expect(await canList(String(third.body['access_token']))).toBe(200);
    });

    it('revoke the whole chain when a used one comes back', async () => {
      const key = await newKey();
      const first = await clientCredentialsToken(running.url, key);
      const second = await refresh(key.id, first.refreshToken);
      const secondAccess = String(second.body['access_token']);
      const secondRefresh = String(second.body['refresh_token']);
      const unrelated = await clientCredentialsToken(running.url, key);

      const reuse = await refresh(key.id, first.refreshToken);
      expect(reuse).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      expect(await canList(secondAccess)).toBe(401);
      expect(await canList(first.accessToken)).toBe(401);
      expect(await refresh(key.id, secondRefresh)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      // Another chain of the same key is untouched.
      expect(await canList(unrelated.accessToken)).toBe(200);
      expect((await refresh(key.id, unrelated.refreshToken)).status).toBe(200);
    });

    it('belong to their client, check a secret when one is sent, and expire after 30 days', async () => {
      const key = await newKey();
      const other = await newKey();
      const tokens = await clientCredentialsToken(running.url, key);
      expect(await refresh(other.id, tokens.refreshToken)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      const wrongSecret = await postOAuth(running.url, 'token', {
        grant_type: 'refresh_token',
        client_id: key.id,
        client_secret: other.secret,
        refresh_token: tokens.refreshToken,
      });
      expect(wrongSecret).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      expect(await refresh(key.id, tokens.accessToken)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      expect(await refresh(key.id, `hfrt_${'A'.repeat(43)}`)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      advance(30 * 24 * 60 * minute + 1000);
      expect(await refresh(key.id, tokens.refreshToken)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      // The next exchange clears the key's expired rows.
      await clientCredentialsToken(running.url, key);
      const rows = await db().selectFrom('oauth_tokens').select('kind').where('api_key_id', '=', key.id).execute();
      expect(rows.map((row) => row.kind).sort()).toEqual(['access', 'refresh']);
    });
  });

  describe('revocation', () => {
    it('revokes an access token alone, or a refresh token with its chain', async () => {
      const key = await newKey();
      const a = await clientCredentialsToken(running.url, key);
      const b = await clientCredentialsToken(running.url, key);
      const auth = { authorization: basicAuth(key.id, key.secret) };
      const revoked = await postOAuth(
        running.url,
        'revoke',
        { token: a.accessToken, token_type_hint: 'access_token' },
        auth,
      );
      expect(revoked).toMatchObject({ status: 200, body: {} });
      expect(await canList(a.accessToken)).toBe(401);
      expect((await refresh(key.id, a.refreshToken)).status).toBe(200);

      const chain = await postOAuth(running.url, 'revoke', { token: b.refreshToken, client_id: key.id });
      expect(chain.status).toBe(200);
      expect(await canList(b.accessToken)).toBe(401);
      expect(await refresh(key.id, b.refreshToken)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });

    it('answers 200 for unknown, revoked and other clients’ tokens, changing nothing of others', async () => {
      const key = await newKey();
      const other = await newKey();
      const theirs = await clientCredentialsToken(running.url, other);
      const auth = { authorization: basicAuth(key.id, key.secret) };
      expect((await postOAuth(running.url, 'revoke', { token: 'nonsense' }, auth)).status).toBe(200);
      expect((await postOAuth(running.url, 'revoke', { token: theirs.accessToken }, auth)).status).toBe(200);
      expect(await canList(theirs.accessToken)).toBe(200);
      const unauthenticated = await postOAuth(running.url, 'revoke', { token: theirs.accessToken });
      expect(unauthenticated).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      const wrong = await postOAuth(running.url, 'revoke', {
        token: theirs.accessToken,
        client_id: other.id,
        client_secret: 'x',
      });
      expect(wrong.status).toBe(401);
      expect(await canList(theirs.accessToken)).toBe(200);
    });
  });

  describe('bearer tokens', () => {
    it('act with their key’s access, never more', async () => {
      const custom = await newKey({ access: { role: 'custom', operations: ['view_backups'], services: ['box'] } });
      const { accessToken } = await clientCredentialsToken(running.url, custom);
      const denied = await call(running.url, 'GET', '/v1/api-keys', { bearer: accessToken });
      expect(denied).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
    });

    it.each([
      ['an unknown token', `Bearer hfat_${'A'.repeat(43)}`],
      ['a refresh token', 'REFRESH'],
      ['a malformed header', 'Bearer'],
      ['two tokens', `Bearer hfat_${'A'.repeat(43)} hfat_${'B'.repeat(43)}`],
      ['another scheme', 'Basic a2V5Onh4'],
      ['a forged token', `Bearer hfat_${'x'.repeat(42)}`],
    ])('answer 401 UNAUTHENTICATED for %s', async (_name, header) => {
      const key = await newKey();
      const tokens = await clientCredentialsToken(running.url, key);
      const authorization = header === 'REFRESH' ? `Bearer ${tokens.refreshToken}` : header;
      const response = await fetch(`${running.url}/v1/api-keys`, { headers: { authorization } });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('are refused with a session cookie as well (ambiguous)', async () => {
      const key = await newKey();
      const { accessToken } = await clientCredentialsToken(running.url, key);
      const response = await fetch(`${running.url}/v1/api-keys`, {
        headers: { authorization: `Bearer ${accessToken}`, cookie: '__Host-holdfast-session=abc' },
      });
      expect(response.status).toBe(401);
    });

    it('never reach the logs', async () => {
      const key = await newKey();
      const tokens = await clientCredentialsToken(running.url, key);
      await refresh(key.id, tokens.refreshToken);
      await canList(tokens.accessToken);
      await postOAuth(running.url, 'revoke', {
        token: tokens.accessToken,
        client_id: key.id,
        client_secret: key.secret,
      });
      const logs = running.logs.text();
      for (const secret of [key.secret, tokens.accessToken, tokens.refreshToken]) {
        expect(logs).not.toContain(secret.slice(5));
      }
    });
  });
});
