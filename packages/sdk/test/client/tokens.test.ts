import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHoldfastClient, isHoldfastApiError, isOAuthError, packageVersion, unwrap } from '../../src/index.ts';
import { FakeServer, json, problem } from '../support/fake-server.ts';

const baseUrl = 'http://holdfast.test';
const me = { principal: 'api_key' };

function serverWithMe(): FakeServer {
  const server = new FakeServer();
  server.route(
    'GET',
    '/v1/me',
    server.authenticated(() => json(me)),
  );
  return server;
}

function clientOf(server: FakeServer) {
  return createHoldfastClient({
    baseUrl,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    fetch: server.fetch,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('client credentials', () => {
  it('exchanges them on first use (Basic, form-encoded) and sends the access token as a bearer', async () => {
    const server = serverWithMe();
    const holdfast = clientOf(server);
    expect(server.requests).toEqual([]);

    await expect(holdfast.me()).resolves.toEqual(me);

    const [token, call] = server.requests;
    expect(token?.path).toBe('/v1/oauth/token');
    expect(token?.method).toBe('POST');
    expect(token?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(token?.body))).toEqual({ grant_type: 'client_credentials' });
    expect(call?.headers.get('authorization')).toMatch(/^Bearer hfat_/);
    expect(call?.headers.get('user-agent')).toBe(`holdfast-sdk/${packageVersion}`);
    expect(token?.headers.get('user-agent')).toBe(`holdfast-sdk/${packageVersion}`);
  });

  it('reuses the access token while it is fresh', async () => {
    const server = serverWithMe();
    const holdfast = clientOf(server);
    for (let i = 0; i < 3; i++) await holdfast.me();
    expect(server.tokenRequests()).toHaveLength(1);
    expect(server.requestsTo('/v1/me')).toHaveLength(3);
  });

  it('makes one token request for 20 concurrent first calls', async () => {
    const server = serverWithMe();
    const holdfast = clientOf(server);
    const results = await Promise.all(Array.from({ length: 20 }, () => holdfast.me()));
    expect(results).toHaveLength(20);
    expect(server.tokenRequests()).toHaveLength(1);
  });

  it('refreshes once for 20 concurrent calls answered 401 TOKEN_EXPIRED, and sends each again once', async () => {
    const server = serverWithMe();
    const holdfast = clientOf(server);
    await holdfast.me();
    server.expireAccessTokens();

    const results = await Promise.all(Array.from({ length: 20 }, () => holdfast.me()));

    expect(results.every((result) => result.principal === 'api_key')).toBe(true);
    expect(server.tokenRequests('client_credentials')).toHaveLength(1);
    expect(server.tokenRequests('refresh_token')).toHaveLength(1);
    // 1 first call + 20 answered TOKEN_EXPIRED + 20 sent again.
    expect(server.requestsTo('/v1/me')).toHaveLength(41);
  });

  it('sends the same body again after a refresh', async () => {
    const server = new FakeServer();
    const bodies: string[] = [];
    server.route(
      'POST',
      '/v1/api-keys',
      server.authenticated((request) => {
        bodies.push(request.body);
        return json({ apiKey: {}, clientId: 'key_x', clientSecret: 'hfs_x' }, 201);
      }),
    );
    server.route(
      'GET',
      '/v1/me',
      server.authenticated(() => json(me)),
    );
    const holdfast = clientOf(server);
    await holdfast.me();
    server.expireAccessTokens();

    const key = { name: 'Exports', access: { role: 'administrator' as const }, expiresAt: null };
    await holdfast.apiKeys.create(key);

    const sent = server.requestsTo('/v1/api-keys');
    expect(sent).toHaveLength(2);
    expect(sent.map((request) => JSON.parse(request.body) as unknown)).toEqual([key, key]);
    expect(sent[0]?.headers.get('authorization')).not.toBe(sent[1]?.headers.get('authorization'));
    expect(bodies).toHaveLength(1);
  });

  it('sends a request again only once: a second TOKEN_EXPIRED is the answer', async () => {
    const server = new FakeServer();
    server.route('GET', '/v1/me', () => problem(401, 'TOKEN_EXPIRED'));
    const holdfast = clientOf(server);

    const error: unknown = await holdfast.me().catch((caught: unknown) => caught);

    expect(isHoldfastApiError(error, 'TOKEN_EXPIRED')).toBe(true);
    expect(server.requestsTo('/v1/me')).toHaveLength(2);
    expect(server.tokenRequests()).toHaveLength(2);
  });

  it('does not refresh on other 401s', async () => {
    const server = new FakeServer();
    server.route('GET', '/v1/me', () => problem(401, 'UNAUTHENTICATED'));
    const holdfast = clientOf(server);
    await expect(holdfast.me()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(server.requestsTo('/v1/me')).toHaveLength(1);
    expect(server.tokenRequests()).toHaveLength(1);
  });

  it('refreshes ahead of expiry, without a 401', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const server = serverWithMe();
    const holdfast = clientOf(server);
    await holdfast.me();

    vi.setSystemTime(Date.now() + 13 * 60_000);
    await holdfast.me();
    expect(server.tokenRequests()).toHaveLength(1);

    vi.setSystemTime(Date.now() + 90_000); // 14.5 minutes in: less than a minute left
    await holdfast.me();
    expect(server.tokenRequests('refresh_token')).toHaveLength(1);
    const sentTokens = server.requestsTo('/v1/me').map((request) => request.headers.get('authorization'));
    expect(sentTokens).toHaveLength(3); // no 401 and no second attempt
    expect(sentTokens[2]).not.toBe(sentTokens[0]);
  });

  it('makes one refresh for 20 concurrent calls after the token ran out on the client’s clock', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const server = serverWithMe();
    const holdfast = clientOf(server);
    await holdfast.me();
    vi.setSystemTime(Date.now() + 20 * 60_000);

    await Promise.all(Array.from({ length: 20 }, () => holdfast.me()));

    expect(server.tokenRequests('refresh_token')).toHaveLength(1);
    expect(server.requestsTo('/v1/me')).toHaveLength(21); // no 401, nothing sent twice
  });

  it('starts a new client-credentials exchange when the refresh token is refused', async () => {
    const server = serverWithMe();
    const holdfast = clientOf(server);
    await holdfast.me();
    server.expireAccessTokens();
    server.unusedRefreshTokens.clear(); // revoked, say

    await expect(holdfast.me()).resolves.toEqual(me);

    expect(server.tokenRequests().map((request) => new URLSearchParams(request.body).get('grant_type'))).toEqual([
      'client_credentials',
      'refresh_token',
      'client_credentials',
    ]);
  });

  it('throws OAuthError from every call when the credentials are refused', async () => {
    const server = serverWithMe();
    const holdfast = createHoldfastClient({
      baseUrl,
      clientId: server.clientId,
      clientSecret: 'wrong',
      fetch: server.fetch,
    });

    const error: unknown = await holdfast.api.GET('/v1/me').catch((caught: unknown) => caught);

    expect(isOAuthError(error, 'invalid_client')).toBe(true);
    expect(error).toMatchObject({ status: 401, description: 'Unknown client or wrong secret.' });
    expect(server.requestsTo('/v1/me')).toHaveLength(0);
    // The next call tries again (nothing is cached from a failure).
    await expect(holdfast.me()).rejects.toMatchObject({ name: 'OAuthError', code: 'invalid_client' });
    expect(server.tokenRequests()).toHaveLength(2);
  });

  it('throws HoldfastApiError when the token endpoint answers a problem (429)', async () => {
    const server = serverWithMe();
    server.tokenEndpointOverrides.push(problem(429, 'THROTTLED', {}, { 'Retry-After': '30' }));
    const holdfast = clientOf(server);
    await expect(holdfast.me()).rejects.toMatchObject({ name: 'HoldfastApiError', code: 'THROTTLED', retryAfter: 30 });
    await expect(holdfast.me()).resolves.toEqual(me);
  });

  it('revokes its refresh token, then exchanges again', async () => {
    const server = serverWithMe();
    const holdfast = clientOf(server);
    await holdfast.me();
    await holdfast.revokeTokens();
    const [revocation] = server.requestsTo('/v1/oauth/revoke');
    expect(Object.fromEntries(new URLSearchParams(revocation?.body))).toEqual({
      token: [...server.unusedRefreshTokens][0],
      token_type_hint: 'refresh_token',
    });
    await holdfast.me();
    expect(server.tokenRequests('client_credentials')).toHaveLength(2);
  });

  it('never sends the bearer token to the OAuth endpoints', async () => {
    const server = serverWithMe();
    const holdfast = clientOf(server);
    await holdfast.me();
    const { response } = await holdfast.api.POST('/v1/oauth/revoke', {
      body: { token: 'hfrt_x' },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
    });
    expect(response.status).toBe(200);
    expect(server.requestsTo('/v1/oauth/revoke')[0]?.headers.get('authorization')).toBeNull();
  });
});

describe('an access token', () => {
  it('is sent as is and not refreshed', async () => {
    const server = serverWithMe();
    server.validAccessTokens.add('hfat_given');
    const holdfast = createHoldfastClient({ baseUrl, accessToken: 'hfat_given', fetch: server.fetch });
    await expect(holdfast.me()).resolves.toEqual(me);
    server.expireAccessTokens();
    await expect(holdfast.me()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(server.tokenRequests()).toHaveLength(0);
    expect(server.requestsTo('/v1/me').map((request) => request.headers.get('authorization'))).toEqual([
      'Bearer hfat_given',
      'Bearer hfat_given',
    ]);
    await holdfast.revokeTokens();
    expect(server.requestsTo('/v1/oauth/revoke')).toHaveLength(0);
  });
});

describe('no credentials', () => {
  it('sends no Authorization header, and names the caller in User-Agent', async () => {
    const server = new FakeServer();
    server.route('GET', '/v1/regions', () =>
      json({ items: [{ id: 'eu-central', name: 'EU', default: true }], nextCursor: null }),
    );
    const holdfast = createHoldfastClient({ baseUrl, fetch: server.fetch, userAgent: 'offboarding/1.0' });
    await expect(holdfast.regions()).resolves.toEqual([{ id: 'eu-central', name: 'EU', default: true }]);
    const [request] = server.requests;
    expect(request?.headers.get('authorization')).toBeNull();
    expect(request?.headers.get('user-agent')).toBe(`offboarding/1.0 holdfast-sdk/${packageVersion}`);
  });

  it('keeps a caller-set Authorization header', async () => {
    const server = serverWithMe();
    server.validAccessTokens.add('hfat_mine');
    const holdfast = clientOf(server);
    unwrap(await holdfast.api.GET('/v1/me', { headers: { Authorization: 'Bearer hfat_mine' } }));
    expect(server.tokenRequests()).toHaveLength(0);
  });
});

describe('baseUrl', () => {
  it('keeps a path prefix and drops a trailing slash', async () => {
    const requests: string[] = [];
    const holdfast = createHoldfastClient({
      baseUrl: 'https://example.org/holdfast/',
      fetch: (request) => {
        requests.push(request.url);
        return Promise.resolve(json({ status: 'ok' }));
      },
    });
    expect(holdfast.baseUrl).toBe('https://example.org/holdfast');
    unwrap(await holdfast.api.GET('/healthz'));
    expect(requests).toEqual(['https://example.org/holdfast/healthz']);
  });

  it('refuses credentials that cannot work', () => {
    const baseUrl = 'http://localhost:8080';
    expect(() => createHoldfastClient({ baseUrl, clientId: 'key_x', clientSecret: '' })).toThrow(/clientSecret/);
    expect(() => createHoldfastClient({ baseUrl, clientId: '', clientSecret: 'hfs_x' })).toThrow(/clientId/);
    expect(() => createHoldfastClient({ baseUrl, accessToken: '' })).toThrow(/accessToken/);
    const both = { baseUrl, accessToken: 'hfat_x', clientId: 'key_x', clientSecret: 'hfs_x' } as never;
    expect(() => createHoldfastClient(both)).toThrow(/not both/);
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => createHoldfastClient({ baseUrl: 'ftp://example.org' })).toThrow(/http or https/);
    expect(() => createHoldfastClient({ baseUrl: 'not a url' })).toThrow(TypeError);
  });
});
