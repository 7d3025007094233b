import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { principal, resolverFor } from '../support/principals.ts';
import { testConfig } from '../support/test-config.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

// These requests never reach the database, so one SQLite server serves them all.
describe('problem answers', () => {
  let dir: string;
  let running: RunningServer;
  const admin = principal('api_key', { role: 'administrator' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'holdfast-problems-'));
    running = await startServer(testConfig(dir, undefined, { bodyLimit: 64 * 1024 }), {
      resolvePrincipal: resolverFor({ admin }),
      migrate: false,
      // An operation without a handler, for the 501 test (every operation has one by now).
      // listUsers without a database: the query-decoding cases below reach a handler (the real one is
      // tested in test/users/).
      handlers: {
        signUp: undefined as never,
        listUsers: () => Promise.resolve({ status: 200, body: { items: [], nextCursor: null } }),
      },
    });
  });
  afterAll(async () => {
    try {
      await running.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  async function call(
    method: string,
    path: string,
    init: { body?: string | Buffer; type?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.type !== undefined) headers['content-type'] = init.type;
    const response = await fetch(`${running.url}${path}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as never) };
  }

  function expectProblem(
    answer: { status: number; headers: Headers; body: Record<string, unknown> },
    status: number,
    code: string,
  ): void {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: `urn:holdfast:error:${code}`, status, code });
    expect(typeof answer.body['title']).toBe('string');
    expect(answer.body['instance']).toBe(`urn:holdfast:request:${answer.headers.get('x-request-id') ?? ''}`);
  }

  it('answers 404 NOT_FOUND for a path no operation has', async () => {
    expectProblem(await call('GET', '/v1/nothing-here'), 404, 'NOT_FOUND');
    expectProblem(await call('GET', '/nothing-here'), 404, 'NOT_FOUND');
    expectProblem(await call('POST', '/'), 404, 'NOT_FOUND'); // `/` is a page (GET) and nothing else
  });

  it('answers 405 METHOD_NOT_ALLOWED with Allow for a method the path lacks', async () => {
    const answer = await call('DELETE', '/v1/regions');
    expectProblem(answer, 405, 'METHOD_NOT_ALLOWED');
    expect(answer.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 413 PAYLOAD_TOO_LARGE for a body over the limit, declared or streamed', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(70 * 1024) });
    expectProblem(
      await call('POST', '/v1/auth/sign-up', { body: big, type: 'application/json' }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    // chunked, no Content-Length: the limit applies as the bytes arrive
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${running.url}/v1/auth/sign-up`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      for (let i = 0; i < 80; i++) request.write('x'.repeat(1024));
      request.end();
    });
    expect(status).toBe(413);
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE for a body that is not JSON', async () => {
    const body = 'name=Ada';
    expectProblem(await call('POST', '/v1/auth/sign-up', { body, type: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(
      await call('POST', '/v1/auth/sign-up', { body, type: 'application/x-www-form-urlencoded' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectProblem(
      await call('POST', '/v1/auth/sign-up', { body: '{}', type: 'application/json; charset=latin1' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  const signUp = {
    name: 'Ada Lovelace',
    email: 'ada@example.org',
    password: 'correct horse battery',
    region: 'eu-central',
  };

  it.each([
    ['malformed JSON', '{"name": "Ada",', [{ path: '/body', message: 'is not valid JSON' }]],
    ['a JSON string', '"Ada"', [{ path: '/body', message: 'must be object' }]],
    [
      'an unknown field',
      JSON.stringify({ ...signUp, admin: true }),
      [{ path: '/body/admin', message: 'is not allowed' }],
    ],
    ['no body', '', [{ path: '/body', message: 'is required' }]],
    [
      'several wrong fields at once',
      JSON.stringify({ name: ' Ada', email: 'not-an-address', region: 'eu-central' }),
      [
        { path: '/body/password', message: 'is required' },
        { path: '/body/name', message: expect.stringContaining('must match pattern') },
        { path: '/body/email', message: 'must match format "email"' },
      ],
    ],
  ])('answers 400 VALIDATION for %s', async (_name, body, errors) => {
    const answer = await call('POST', '/v1/auth/sign-up', { body, type: 'application/json' });
    expectProblem(answer, 400, 'VALIDATION');
    expect(answer.body['errors']).toEqual(expect.arrayContaining(errors as never[]));
    expect(answer.body['errors']).toHaveLength(errors.length);
  });

  const asAdmin = { headers: { 'X-Test-Principal': 'admin' } };

  it.each([
    ['/v1/users/usr_NOT-AN-ID', { path: '/path/userId', message: expect.stringContaining('must match pattern') }],
    ['/v1/users?limit=500', { path: '/query/limit', message: 'must be <= 200' }],
    ['/v1/users?limit=0', { path: '/query/limit', message: 'must be >= 1' }],
    ['/v1/users?limit=ten', { path: '/query/limit', message: 'must be integer' }],
    ['/v1/users?sort=name', { path: '/query/sort', message: 'is not allowed' }],
    ['/v1/users?status=gone', { path: '/query/status/0', message: expect.stringContaining('must be equal to one of') }],
    ['/v1/users?order=size', { path: '/query/order', message: expect.stringContaining('must be equal to one of') }],
  ])('answers 400 VALIDATION for GET %s', async (path, error) => {
    const answer = await call('GET', path, asAdmin);
    expectProblem(answer, 400, 'VALIDATION');
    expect(answer.body['errors']).toEqual([error]);
  });

  it('reports only the oneOf branch that applies', async () => {
    const invite = (access: unknown) => JSON.stringify({ email: 'charles@example.org', access });
    const custom = await call('POST', '/v1/users', {
      ...asAdmin,
      body: invite({ role: 'custom', operations: [] }),
      type: 'application/json',
    });
    expect(custom.body['errors']).toEqual([{ path: '/body/access/services', message: 'is required' }]);
    const unknownRole = await call('POST', '/v1/users', {
      ...asAdmin,
      body: invite({ role: 'owner' }),
      type: 'application/json',
    });
    expect(unknownRole.body['errors']).toEqual([
      { path: '/body/access/role', message: 'must be one of: administrator, custom' },
    ]);
    const nullable = await call('POST', '/v1/api-keys', {
      ...asAdmin,
      body: JSON.stringify({ name: 'k', access: { role: 'administrator' }, expiresAt: 'tomorrow' }),
      type: 'application/json',
    });
    expect(nullable.body['errors']).toEqual([{ path: '/body/expiresAt', message: 'must match format "date-time"' }]);
  });

  it('answers 501 NOT_IMPLEMENTED for a valid request to an operation without a handler yet', async () => {
    const answer = await call('POST', '/v1/auth/sign-up', { body: JSON.stringify(signUp), type: 'application/json' });
    expectProblem(answer, 501, 'NOT_IMPLEMENTED');
    expect(answer.body['detail']).toBe('signUp is not implemented yet.');
  });

  it('answers OAuth endpoints with RFC 6749 errors instead of problems', async () => {
    const form = 'application/x-www-form-urlencoded';
    const unsupported = await call('POST', '/v1/oauth/token', { body: 'grant_type=password&username=a', type: form });
    expect(unsupported.status).toBe(400);
    expect(unsupported.headers.get('content-type')).toMatch(/^application\/json/);
    expect(unsupported.headers.get('cache-control')).toBe('no-store');
    expect(unsupported.body).toMatchObject({ error: 'unsupported_grant_type' });
    const json = await call('POST', '/v1/oauth/token', {
      body: '{"grant_type":"client_credentials"}',
      type: 'application/json',
    });
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ error: 'invalid_request' });
    const missing = await call('POST', '/v1/oauth/token', { body: 'grant_type=refresh_token', type: form });
    expect(missing.body).toMatchObject({ error: 'invalid_request' });
    const noClient = await call('POST', '/v1/oauth/token', { body: 'grant_type=client_credentials', type: form });
    expect(noClient.status).toBe(401);
    expect(noClient.body).toMatchObject({ error: 'invalid_client' });
  });

  it.each([
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ['deep nesting', '['.repeat(5000) + ']'.repeat(5000)],
    ['a __proto__ field', '{"__proto__": {"admin": true}, "name": "Ada"}'],
    ['an array', '[1, 2, 3]'],
    ['a huge number', `{"name": ${'9'.repeat(400)}}`],
    ['null', 'null'],
    ['a NUL character', '{"name": "A\\u0000da"}'],
  ])('never answers 5xx to a body with %s', async (_name, body) => {
    const answer = await call('POST', '/v1/auth/sign-up', { body, type: 'application/json' });
    expect(answer.status).toBe(400);
  });

  it.each(['/v1/users?limit[]=1', '/v1/users?limit=1&limit=2', '/v1/users/%E0%A4%A', '/v1/users?q=%ZZ', '/v1//users'])(
    'never answers 5xx to GET %s',
    async (path) => {
      // `q=%ZZ` is a literal search for "%ZZ" (200); the others are refused (4xx). None is a 5xx.
      const answer = await call('GET', path, asAdmin);
      expect(answer.status === 501 || answer.status < 500).toBe(true);
    },
  );

  it('echoes a usable X-Request-Id and replaces an unusable one', async () => {
    const echoed = await call('GET', '/v1/nothing', { headers: { 'X-Request-Id': 'trace-abc.123:4' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-abc.123:4');
    expect(echoed.body['instance']).toBe('urn:holdfast:request:trace-abc.123:4');
    for (const bad of ['has space', 'x'.repeat(200), 'line\tbreak']) {
      const answer = await call('GET', '/healthz', { headers: { 'X-Request-Id': bad } });
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/);
    }
  });

  it('sends the security headers on every answer', async () => {
    for (const answer of [await call('GET', '/healthz'), await call('GET', '/v1/nothing')]) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });
});
