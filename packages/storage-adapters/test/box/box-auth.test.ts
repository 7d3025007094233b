/**
 * Box authentication against the MOCK Box's token endpoint: Client Credentials, JWT (a config file with
 * an encrypted private key, or the same object, for the enterprise or one user: the mock checks the RS256
 * signature and the claims), and OAuth 2 (authorize URL, code exchange, refresh through a TokenStore).
 * Refresh is single-flight: 20 concurrent calls on an expired token make exactly one token call (Box
 * refresh tokens are single-use: a second call would be refused). A refused refresh is an AuthError saying
 * to re-authorise, and it sticks. No secret reaches a message, a name or JSON.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, expectHoldfastError } from '@holdfast/engine/testing';
import {
  BoxConnection,
  BoxOAuthFlow,
  BoxSource,
  type BoxJwtConfigFile,
  type BoxTokens,
  type TokenStore,
} from '../../src/box/index.ts';
import { mockBaseUrls, mockConnection, useBoxMock } from './box-test-support.ts';

const mock = useBoxMock();
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'holdfast-box-auth-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A TokenStore in memory that counts writes. */
class MemoryTokenStore implements TokenStore {
  tokens: BoxTokens | undefined;
  writes = 0;
  async get(): Promise<BoxTokens | undefined> {
    return Promise.resolve(this.tokens);
  }
  async set(tokens: BoxTokens): Promise<void> {
    this.tokens = tokens;
    this.writes += 1;
    return Promise.resolve();
  }
}

function jwtConfig(extra: Partial<BoxJwtConfigFile> = {}): BoxJwtConfigFile {
  const { app } = mock.auth;
  return {
    boxAppSettings: {
      clientID: app.clientId,
      clientSecret: app.clientSecret,
      appAuth: { publicKeyID: app.publicKeyId, privateKey: app.privateKeyPem, passphrase: app.passphrase },
    },
    enterpriseID: mock.store.enterpriseId,
    ...extra,
  };
}

/** An OAuth connection for a user, its first tokens exchanged through the flow. */
async function oauthConnection(
  store = new MemoryTokenStore(),
): Promise<{ connection: BoxConnection; store: MemoryTokenStore; userId: string }> {
  const user = mock.addUser(`OAuth ${String(mock.store.users.size)}`);
  const options = { clientId: mock.auth.app.clientId, clientSecret: mock.auth.app.clientSecret, tokenStore: store };
  await new BoxOAuthFlow({ ...options, baseUrls: mockBaseUrls }).exchangeCode(mock.auth.issueCode(user.id));
  const connection = new BoxConnection({
    auth: { type: 'oauth', ...options },
    baseUrls: mockBaseUrls,
    retry: { baseDelayMs: 1 },
  });
  return { connection, store, userId: user.id };
}

/** Every string an error shows: message, name, JSON, and its causes'. */
function shown(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    parts.push(current.message, current.name, String(current), JSON.stringify(current));
  }
  return parts.join('\n');
}

describe('Box auth', () => {
  it('Client Credentials: one token call for the enterprise, then As-User calls', async () => {
    const user = mock.addUser('CCG user');
    const connection = mockConnection(mock);
    const before = mock.auth.grants['client_credentials'] ?? 0;
    const source = new BoxSource({ connection });
    expect(source.name).toBe(`box:enterprise:${mock.store.enterpriseId}`);
    expect((await collect(source.listEntities())).map((entity) => entity.id)).toContain(user.id);
    await collect((await source.walk(user.id)).entries);
    expect((mock.auth.grants['client_credentials'] ?? 0) - before).toBe(1);
    expect(mock.requests.some((record) => record.asUser === user.id)).toBe(true);
  });

  it('JWT from a config file with an encrypted key, and from the object for one user', async () => {
    const file = join(work, 'box_config.json');
    await writeFile(file, JSON.stringify(jwtConfig()));
    const enterprise = new BoxConnection({ auth: { type: 'jwt', configFile: file }, baseUrls: mockBaseUrls });
    expect(enterprise.label).toBe(`box:enterprise:${mock.store.enterpriseId}`);
    const user = mock.addUser('JWT user');
    expect((await enterprise.api.user(user.id)).login).toBe(user.login);
    const single = new BoxConnection({
      auth: { type: 'jwt', config: jwtConfig(), userId: user.id },
      baseUrls: mockBaseUrls,
    });
    expect(single.label).toBe(`box:user:${user.id}`);
    const entities = await collect(new BoxSource({ connection: single }).listEntities());
    expect(entities.map((entity) => entity.id)).toEqual([user.id]);
    expect(mock.auth.grants['urn:ietf:params:oauth:grant-type:jwt-bearer']).toBe(2);
  });

  it('refuses a JWT config file that is missing or not a Box config, without showing its content', async () => {
    expect(() => new BoxConnection({ auth: { type: 'jwt', configFile: join(work, 'missing.json') } })).toThrow(
      /cannot be read/,
    );
    const broken = join(work, 'broken.json');
    await writeFile(broken, JSON.stringify({ privateKey: mock.auth.app.privateKeyPem }));
    expect(() => new BoxConnection({ auth: { type: 'jwt', configFile: broken } })).toThrow(/not a Box app config/);
    try {
      new BoxConnection({ auth: { type: 'jwt', configFile: broken } });
    } catch (error) {
      expect(shown(error)).not.toContain('PRIVATE KEY');
    }
  });

  it('OAuth: the authorize URL, the code exchange into the TokenStore, and a single-user source', async () => {
    const store = new MemoryTokenStore();
    const flow = new BoxOAuthFlow({
      clientId: 'app-id',
      clientSecret: 'app-secret',
      tokenStore: store,
      baseUrls: mockBaseUrls,
    });
    const url = new URL(
      flow.authorizeUrl({
        redirectUri: 'https://holdfast.example/box/callback',
        state: 'xyz',
        scope: 'root_readwrite',
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://account.box.test/api/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'app-id',
      redirect_uri: 'https://holdfast.example/box/callback',
      state: 'xyz',
      scope: 'root_readwrite',
    });
    expect(url.toString()).not.toContain('app-secret');
    const { connection, store: tokens, userId } = await oauthConnection();
    expect(tokens.tokens?.refreshToken).toMatch(/^[0-9a-f]+$/);
    mock.resetCounters();
    const source = new BoxSource({ connection });
    expect(source.name).toBe('box:oauth');
    expect((await collect(source.listEntities())).map((entity) => entity.id)).toEqual([userId]);
    await collect((await source.walk(userId)).entries);
    expect(mock.requests.filter((record) => record.asUser !== null)).toEqual([]);
    await expectHoldfastError(source.walk(mock.addUser('Someone else').id), 'NOT_FOUND');
  });

  it('refreshes once for 20 concurrent calls on an expired token (single-use refresh tokens)', async () => {
    const { connection, store, userId } = await oauthConnection();
    // The stored token says it expired: every call wants a renewal.
    store.tokens = { ...store.tokens!, expiresAt: new Date(Date.now() - 1000).toISOString() };
    const before = mock.auth.grants['refresh_token'] ?? 0;
    const results = await Promise.all(Array.from({ length: 20 }, async () => connection.api.me()));
    expect(results.every((me) => me.id === userId)).toBe(true);
    expect((mock.auth.grants['refresh_token'] ?? 0) - before).toBe(1);
    // Box says 401 to a token the store still thinks valid: again one refresh for 20 calls.
    mock.auth.expireAccessTokens();
    await Promise.all(Array.from({ length: 20 }, async () => connection.api.me()));
    expect((mock.auth.grants['refresh_token'] ?? 0) - before).toBe(2);
    expect(store.writes).toBe(3);
  });

  it('uses a token another process refreshed, rather than spending the refresh token again', async () => {
    const { connection: first, store } = await oauthConnection();
    const second = new BoxConnection({
      auth: {
        type: 'oauth',
        clientId: mock.auth.app.clientId,
        clientSecret: mock.auth.app.clientSecret,
        tokenStore: store,
      },
      baseUrls: mockBaseUrls,
    });
    await second.api.me();
    mock.auth.expireAccessTokens();
    const before = mock.auth.grants['refresh_token'] ?? 0;
    await first.api.me();
    await second.api.me();
    expect((mock.auth.grants['refresh_token'] ?? 0) - before).toBe(1);
  });

  it('turns a refused refresh into an AuthError saying to re-authorise, and does not try again', async () => {
    const { connection } = await oauthConnection();
    mock.auth.revokeRefreshTokens();
    mock.auth.expireAccessTokens();
    const before = mock.auth.tokenRequests;
    const error = await expectHoldfastError(connection.api.me(), 'AUTH');
    expect(error.message).toMatch(/invalid_grant.*re-authorised/);
    await expectHoldfastError(connection.api.me(), 'AUTH');
    expect(mock.auth.tokenRequests - before).toBe(1);
  });

  it('never shows a secret: a refused client secret, a refused code, the connection itself', async () => {
    const secret = 'very-secret-client-secret-123';
    const connection = new BoxConnection({
      auth: {
        type: 'client-credentials',
        clientId: mock.auth.app.clientId,
        clientSecret: secret,
        enterpriseId: mock.store.enterpriseId,
      },
      baseUrls: mockBaseUrls,
    });
    const refused = await expectHoldfastError(connection.api.me(), 'AUTH');
    expect(refused.message).toMatch(/invalid_client/);
    const store = new MemoryTokenStore();
    const flow = new BoxOAuthFlow({
      clientId: mock.auth.app.clientId,
      clientSecret: secret,
      tokenStore: store,
      baseUrls: mockBaseUrls,
    });
    const badCode = await expectHoldfastError(flow.exchangeCode('not-a-code'), 'AUTH');
    const { connection: oauth, store: tokens } = await oauthConnection();
    mock.auth.revokeRefreshTokens();
    mock.auth.expireAccessTokens();
    const dead = await expectHoldfastError(oauth.api.me(), 'AUTH');
    for (const text of [
      shown(refused),
      shown(badCode),
      shown(dead),
      JSON.stringify(connection.auth),
      connection.label,
      JSON.stringify(flow),
    ]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(mock.auth.app.clientSecret);
      expect(text).not.toContain(tokens.tokens?.refreshToken ?? 'no-refresh-token');
      expect(text).not.toContain(tokens.tokens?.accessToken ?? 'no-access-token');
    }
  });
});
