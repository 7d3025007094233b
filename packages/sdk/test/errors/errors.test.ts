import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createHoldfastClient,
  HoldfastApiError,
  HoldfastNetworkError,
  isHoldfastApiError,
  isHoldfastNetworkError,
  isOAuthError,
  OAuthError,
  parseRetryAfter,
  unwrap,
  type ApiErrorCode,
  type ResultData,
  type components,
} from '../../src/index.ts';
import { FakeServer, json, problem } from '../support/fake-server.ts';

const baseUrl = 'http://holdfast.test';

function clientWith(route: (request: Request) => Response | Promise<Response>) {
  return createHoldfastClient({ baseUrl, accessToken: 'hfat_given', fetch: async (request) => route(request) });
}

describe('HoldfastApiError', () => {
  it('carries the problem details and the request id', async () => {
    const holdfast = clientWith(() =>
      problem(400, 'VALIDATION', {
        detail: '2 fields are invalid.',
        instance: 'urn:holdfast:request:01je28jt97kb6cq643dzvmxxqk',
        errors: [
          { path: '/body/email', message: 'must match format "email"' },
          { path: '/query/limit', message: 'must be <= 200' },
        ],
      }),
    );

    const error: unknown = await holdfast.users.get('usr_x').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(HoldfastApiError);
    expect(isHoldfastApiError(error, 'VALIDATION')).toBe(true);
    expect(error).toMatchObject({
      name: 'HoldfastApiError',
      status: 400,
      code: 'VALIDATION',
      title: 'validation',
      detail: '2 fields are invalid.',
      type: 'urn:holdfast:error:VALIDATION',
      instance: 'urn:holdfast:request:01je28jt97kb6cq643dzvmxxqk',
      requestId: 'req-1',
      retryAfter: null,
      method: 'GET',
      url: `${baseUrl}/v1/users/usr_x`,
      errors: [
        { path: '/body/email', message: 'must match format "email"' },
        { path: '/query/limit', message: 'must be <= 200' },
      ],
    });
    expect((error as Error).message).toBe(`400 VALIDATION: 2 fields are invalid. (GET ${baseUrl}/v1/users/usr_x)`);
  });

  it('keeps codes it does not know, and says UNKNOWN for answers that are not problems', async () => {
    const future = clientWith(() => problem(501, 'NOT_IMPLEMENTED'));
    await expect(future.me()).rejects.toMatchObject({ status: 501, code: 'NOT_IMPLEMENTED' });

    const proxy = clientWith(
      () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    const error: unknown = await proxy.me().catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      status: 502,
      code: 'UNKNOWN',
      title: 'Bad Gateway',
      body: '<html>Bad gateway</html>',
    });

    const empty = clientWith(() => new Response(null, { status: 404 }));
    await expect(empty.me()).rejects.toMatchObject({ status: 404, code: 'UNKNOWN', title: 'HTTP 404', errors: [] });
  });

  it('narrows by code, and ignores look-alikes', () => {
    const error: unknown = new HoldfastApiError({ status: 404, code: 'NOT_FOUND', title: 'Not found' });
    expect(isHoldfastApiError(error)).toBe(true);
    expect(isHoldfastApiError(error, 'NOT_FOUND')).toBe(true);
    expect(isHoldfastApiError(error, 'CONFLICT')).toBe(false);
    expect(isHoldfastApiError({ code: 'NOT_FOUND', status: 404 })).toBe(false);
    expect(isHoldfastApiError(new Error('NOT_FOUND'))).toBe(false);
    if (isHoldfastApiError(error)) expectTypeOf(error.code).toEqualTypeOf<ApiErrorCode>();
    if (isHoldfastApiError(error, 'NOT_FOUND')) expectTypeOf(error.code).toEqualTypeOf<'NOT_FOUND'>();
    expectTypeOf<components['schemas']['ErrorCode']>().toExtend<ApiErrorCode>();
  });
});

describe('unwrap', () => {
  it('answers the data, undefined for 204, and throws for errors', async () => {
    const server = new FakeServer();
    server.validAccessTokens.add('hfat_given');
    server.route('GET', '/v1/me', () => json({ kind: 'api_key' }));
    server.route('DELETE', '/v1/api-keys/key_x', () => new Response(null, { status: 204 }));
    const holdfast = createHoldfastClient({ baseUrl, accessToken: 'hfat_given', fetch: server.fetch });

    const me = unwrap(await holdfast.api.GET('/v1/me'));
    expectTypeOf(me).toEqualTypeOf<components['schemas']['Me']>();
    expect(me).toEqual({ kind: 'api_key' });

    const deletion = await holdfast.api.DELETE('/v1/api-keys/{apiKeyId}', { params: { path: { apiKeyId: 'key_x' } } });
    expectTypeOf<ResultData<typeof deletion>>().toEqualTypeOf<undefined>();
    expect(() => {
      unwrap(deletion);
    }).not.toThrow();
    expect(deletion.response.status).toBe(204);
    expect(deletion.data).toBeUndefined();

    const missing = await holdfast.api.GET('/v1/users/{userId}', { params: { path: { userId: 'usr_x' } } });
    expect(() => unwrap(missing)).toThrow(HoldfastApiError);
    expect(missing.error).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('network errors', () => {
  it('are wrapped with their cause', async () => {
    const cause = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    const holdfast = clientWith(() => Promise.reject(cause));
    const error: unknown = await holdfast.me().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HoldfastNetworkError);
    expect(isHoldfastNetworkError(error)).toBe(true);
    expect(error).toMatchObject({ method: 'GET', url: `${baseUrl}/v1/me`, cause });
    expect((error as Error).message).toBe(`GET ${baseUrl}/v1/me failed: fetch failed`);
  });

  it('against a real closed port', async () => {
    const holdfast = createHoldfastClient({ baseUrl: 'http://127.0.0.1:9' });
    await expect(holdfast.regions()).rejects.toBeInstanceOf(HoldfastNetworkError);
  });

  it('are the token endpoint’s too', async () => {
    const holdfast = createHoldfastClient({
      baseUrl,
      clientId: 'key_x',
      clientSecret: 'hfs_x',
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    await expect(holdfast.me()).rejects.toMatchObject({
      name: 'HoldfastNetworkError',
      url: `${baseUrl}/v1/oauth/token`,
    });
  });

  it('aborts are not wrapped', async () => {
    const holdfast = createHoldfastClient({ baseUrl: 'http://127.0.0.1:9' });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(holdfast.me({ signal: controller.signal })).rejects.toMatchObject({ message: 'stop' });
  });
});

describe('OAuthError', () => {
  it('narrows by code', () => {
    const error: unknown = new OAuthError({ status: 400, code: 'invalid_grant', description: 'used' });
    expect(isOAuthError(error, 'invalid_grant')).toBe(true);
    expect(isOAuthError(error, 'invalid_client')).toBe(false);
    expect(isOAuthError(new Error('x'))).toBe(false);
    expect((error as Error).message).toBe('OAuth invalid_grant: used');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-01T09:00:00Z');
  it.each([
    ['30', 30],
    [' 7 ', 7],
    ['Tue, 01 Dec 2026 09:01:00 GMT', 60],
    ['Tue, 01 Dec 2026 08:00:00 GMT', 0],
    ['', null],
    ['-5', null],
    ['soon', null],
  ] as const)('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
  it('null → null', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
