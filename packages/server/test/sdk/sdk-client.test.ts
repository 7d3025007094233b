/**
 * `@holdfast/sdk` against the real server, started in-process on SQLite and on PostgreSQL. The SDK's own
 * unit tests (`packages/sdk/test/`) cover its fetch wrapper with a fake fetch; these check that it works
 * with what the server really does: the OAuth exchange and refresh rotation, `TOKEN_EXPIRED`, problem
 * details, cursors, idempotency keys. They live here, not in `packages/sdk`, because the server depends on
 * the SDK (for the contract's types): the SDK depending on the server, even for tests, would be a cycle.
 *
 * Time moves by the server's clock (an offset from the real one): the client keeps the real clock, so a
 * token the client believes fresh can be expired for the server, as with clock skew.
 */
import {
  createHoldfastClient,
  isHoldfastApiError,
  isOAuthError,
  packageVersion,
  paginate,
  unwrap,
  type HoldfastClient,
} from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';
import { recordingFetch, signUpWithApiKey, type SdkAccount } from './sdk-account.ts';

const minute = 60_000;
const day = 24 * 60 * minute;

describeOnBothDatabases('the SDK against the server', (target) => {
  let running: RunningServer;
  let account: SdkAccount;
  let offset = 0;

  /** A new client of the account's API key (a new token chain), recording what it sends. */
  function keyClient(options: { readonly clientSecret?: string } = {}) {
    const recorder = recordingFetch();
    const client = createHoldfastClient({
      baseUrl: running.url,
      clientId: account.clientId,
      clientSecret: options.clientSecret ?? account.clientSecret,
      fetch: recorder.fetch,
    });
    return { client, sent: recorder.sent };
  }

  beforeAll(async () => {
    running = await startServer(target().config, { clock: () => new Date(Date.now() + offset) });
  });
  afterAll(async () => {
    await running.close();
  });

  describe('public endpoints', () => {
    it('answer a client without credentials', async () => {
      const anonymous = createHoldfastClient({ baseUrl: running.url });
      expect(unwrap(await anonymous.api.GET('/healthz'))).toEqual({ status: 'ok' });
      expect(unwrap(await anonymous.api.GET('/readyz')).status).toBe('ok');
      expect(await anonymous.regions()).toEqual([
        { id: 'eu-central', name: 'Europe (Frankfurt)', default: true },
        { id: 'us-east', name: 'United States (Virginia)', default: false },
      ]);
    });
  });

  describe('signed up with an API key', () => {
    beforeAll(async () => {
      account = await signUpWithApiKey(running.url, target().config.outboxDir);
    });

    describe('an API key', () => {
      it('is exchanged for a token on first use, which later calls reuse', async () => {
        const { client, sent } = keyClient();
        const me = await client.me();
        expect(me.principal).toBe('api_key');
        expect(me.apiKey?.id).toBe(account.clientId);
        expect(me.permissions).toContain('manage_users');
        await client.account();
        expect(sent.map((request) => `${request.method} ${request.path}`)).toEqual([
          'POST /v1/oauth/token',
          'GET /v1/me',
          'GET /v1/account',
        ]);
        expect(sent[0]?.grantType).toBe('client_credentials');
        expect(sent[1]?.authorization).toMatch(/^Bearer hfat_/);
        expect(sent[2]?.authorization).toBe(sent[1]?.authorization);
        expect(sent.every((request) => request.userAgent === `holdfast-sdk/${packageVersion}`)).toBe(true);
      });

      it('throws OAuthError invalid_client for a wrong secret', async () => {
        const { client, sent } = keyClient({ clientSecret: `hfs_${'x'.repeat(43)}` });
        const error: unknown = await client.me().catch((caught: unknown) => caught);
        expect(isOAuthError(error, 'invalid_client')).toBe(true);
        expect(sent.map((request) => request.path)).toEqual(['/v1/oauth/token']);
      });
    });

    describe('tokens', () => {
      it('20 concurrent calls with a token the server says expired make one refresh, then succeed', async () => {
        const { client, sent } = keyClient();
        await client.me();
        offset += 16 * minute; // past the 15-minute access token, for the server only

        const results = await Promise.all(Array.from({ length: 20 }, () => client.me()));

        expect(results.every((me) => me.apiKey?.id === account.clientId)).toBe(true);
        const tokenRequests = sent.filter((request) => request.path === '/v1/oauth/token');
        expect(tokenRequests.map((request) => request.grantType)).toEqual(['client_credentials', 'refresh_token']);
        // The first call, 20 answered 401 TOKEN_EXPIRED, and the same 20 sent again with the new token.
        const calls = sent.filter((request) => request.path === '/v1/me');
        expect(calls).toHaveLength(41);
        const [first] = calls;
        expect(new Set(calls.slice(21).map((request) => request.authorization)).size).toBe(1);
        expect(calls[21]?.authorization).not.toBe(first?.authorization);
      });

      it('start a new chain with the client credentials when the refresh token has expired too', async () => {
        const { client, sent } = keyClient();
        await client.me();
        offset += 31 * day; // past the 30-day refresh token

        await expect(client.me()).resolves.toMatchObject({ principal: 'api_key' });

        expect(
          sent.filter((request) => request.path === '/v1/oauth/token').map((request) => request.grantType),
        ).toEqual(['client_credentials', 'refresh_token', 'client_credentials']);
      });

      it('are revoked by revokeTokens(); the client then exchanges again', async () => {
        const { client, sent } = keyClient();
        await client.me();
        const revokedToken = sent.find((request) => request.path === '/v1/me')?.authorization?.slice('Bearer '.length);
        expect(revokedToken).toBeDefined();

        await client.revokeTokens();

        const withRevoked = createHoldfastClient({ baseUrl: running.url, accessToken: revokedToken ?? '' });
        const error: unknown = await withRevoked.me().catch((caught: unknown) => caught);
        expect(isHoldfastApiError(error, 'UNAUTHENTICATED')).toBe(true);
        await expect(client.me()).resolves.toMatchObject({ principal: 'api_key' });
        expect(sent.filter((request) => request.grantType === 'client_credentials')).toHaveLength(2);
      });
    });

    describe('users', () => {
      let client: HoldfastClient;
      const invited: string[] = [];

      beforeAll(async () => {
        client = keyClient().client;
        for (const name of ['Charles Babbage', 'Mary Somerville', 'Augustus De Morgan']) {
          const email = `${name.split(' ')[0]?.toLowerCase() ?? 'x'}-${account.email}`;
          const user = await client.users.invite({ email, name, access: { role: 'administrator' } });
          invited.push(user.id);
        }
      });

      it('are listed across pages by the async iterator', async () => {
        const seen: string[] = [];
        for await (const user of paginate(client, '/v1/users', { query: { limit: 2, order: 'createdAt' } })) {
          seen.push(user.id);
        }
        expect(seen).toHaveLength(4);
        expect(seen.slice(1)).toEqual(invited);
        expect(new Set(seen).size).toBe(4);

        const pending: string[] = [];
        for await (const user of client.users.list({ status: ['invited'], limit: 1 })) pending.push(user.email);
        expect(pending).toHaveLength(3);
      });

      it('are read, changed, sent a new invitation and deleted', async () => {
        const [id] = invited;
        if (id === undefined) throw new Error('no invited user');
        const user = await client.users.get(id);
        expect(user.status).toBe('invited');

        const changed = await client.users.update(id, {
          access: { role: 'custom', operations: ['view_backups'], services: ['box'] },
        });
        expect(changed.access).toEqual({ role: 'custom', operations: ['view_backups'], services: ['box'] });
        expect((await client.users.resendInvitation(id)).id).toBe(id);

        await client.users.delete(id);
        const error: unknown = await client.users.get(id).catch((caught: unknown) => caught);
        expect(isHoldfastApiError(error, 'NOT_FOUND')).toBe(true);
        invited.shift();
      });

      it('invited again with the same Idempotency-Key answer the first invitation', async () => {
        const email = `ida-${account.email}`;
        const idempotencyKey = crypto.randomUUID();
        const first = await client.users.invite({ email, access: { role: 'administrator' } }, { idempotencyKey });
        const replay = await client.users.invite({ email, access: { role: 'administrator' } }, { idempotencyKey });
        expect(replay.id).toBe(first.id);

        const error: unknown = await client.users
          .invite({ email, access: { role: 'administrator' } })
          .catch((caught: unknown) => caught);
        expect(isHoldfastApiError(error, 'EMAIL_TAKEN')).toBe(true);
        expect(error).toMatchObject({ status: 409 });
      });
    });

    describe('API keys', () => {
      it('are created, listed, read and deleted; a deleted key gets no more tokens', async () => {
        const { client } = keyClient();
        const created = await client.apiKeys.create({
          name: 'Off-boarding exports',
          access: { role: 'custom', operations: ['view_backups', 'restore_tasks'], services: ['box'] },
        });
        expect(created.clientSecret).toMatch(/^hfs_/);

        const ids: string[] = [];
        for await (const key of client.apiKeys.list()) ids.push(key.id);
        expect(ids).toEqual(expect.arrayContaining([account.clientId, created.clientId]));
        expect((await client.apiKeys.get(created.clientId)).name).toBe('Off-boarding exports');

        const other = createHoldfastClient({
          baseUrl: running.url,
          clientId: created.clientId,
          clientSecret: created.clientSecret,
        });
        const denied: unknown = await other.users
          .get(account.clientId.replace('key_', 'usr_'))
          .catch((caught: unknown) => caught);
        expect(isHoldfastApiError(denied, 'PERMISSION_DENIED')).toBe(true);

        await client.apiKeys.delete(created.clientId);
        const afterDelete: unknown = await other.me().catch((caught: unknown) => caught);
        expect(isHoldfastApiError(afterDelete, 'UNAUTHENTICATED')).toBe(true);
        const fresh = createHoldfastClient({
          baseUrl: running.url,
          clientId: created.clientId,
          clientSecret: created.clientSecret,
        });
        await expect(fresh.me()).rejects.toMatchObject({ name: 'OAuthError', code: 'invalid_client' });
      });
    });

    describe('errors', () => {
      it('carry the problem details and the request id', async () => {
        const { client } = keyClient();
        const missing = await client.api.GET('/v1/users/{userId}', {
          params: { path: { userId: 'usr_00000000000000000000000000' } },
        });
        expect(missing.response.status).toBe(404);
        let error: unknown;
        try {
          unwrap(missing);
        } catch (caught) {
          error = caught;
        }
        expect(isHoldfastApiError(error, 'NOT_FOUND')).toBe(true);
        const requestId = missing.response.headers.get('x-request-id');
        expect(requestId).toBeTruthy();
        expect(error).toMatchObject({
          status: 404,
          code: 'NOT_FOUND',
          type: 'urn:holdfast:error:NOT_FOUND',
          requestId,
          instance: `urn:holdfast:request:${requestId ?? ''}`,
          method: 'GET',
        });

        const invalid: unknown = await client.users.get('not-a-user-id').catch((caught: unknown) => caught);
        expect(isHoldfastApiError(invalid, 'VALIDATION')).toBe(true);
        expect((invalid as { errors: unknown[] }).errors).toEqual([
          { path: '/path/userId', message: expect.any(String) },
        ]);

        const badQuery: unknown = await (async () => {
          for await (const _ of client.users.list({ limit: 500 })) {
            // never reached
          }
        })().catch((caught: unknown) => caught);
        expect(badQuery).toMatchObject({ code: 'VALIDATION', errors: [{ path: '/query/limit' }] });
      });
    });
  });
});
