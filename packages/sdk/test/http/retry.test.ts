import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHoldfastClient, isHoldfastApiError, unwrap } from '../../src/index.ts';
import { retryDelayMs, retryPolicy } from '../../src/http/retry-policy.ts';
import { FakeServer, json, problem } from '../support/fake-server.ts';

const baseUrl = 'http://holdfast.test';
const user = { id: 'usr_01jfbf5kznwj47tan9zt24mnpz', email: 'charles@example.org' };

/** A server whose route answers `failures` then success. */
function flaky(method: string, path: string, failures: Response[], success: () => Response): FakeServer {
  const server = new FakeServer();
  server.validAccessTokens.add('hfat_given');
  server.route(method, path, () => failures.shift() ?? success());
  return server;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Retry-After', () => {
  it('waits what a 429 says and sends a GET again', async () => {
    const server = flaky('GET', '/v1/me', [problem(429, 'THROTTLED', {}, { 'Retry-After': '3' })], () => json(user));
    const holdfast = createHoldfastClient({ baseUrl, accessToken: 'hfat_given', fetch: server.fetch });

    const call = holdfast.me();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(server.requestsTo('/v1/me')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(call).resolves.toEqual(user);
    expect(server.requestsTo('/v1/me')).toHaveLength(2);
  });

  it('gives up after maxRetries and returns the last answer', async () => {
    const throttled = () => problem(429, 'THROTTLED', { detail: 'slow down' }, { 'Retry-After': '1' });
    const server = flaky('GET', '/v1/me', [throttled(), throttled(), throttled(), throttled()], () => json(user));
    const holdfast = createHoldfastClient({ baseUrl, accessToken: 'hfat_given', fetch: server.fetch });

    const call = holdfast.me().catch((caught: unknown) => caught);
    await vi.advanceTimersByTimeAsync(10_000);
    const error = await call;

    expect(server.requestsTo('/v1/me')).toHaveLength(3); // 1 + the default 2 retries
    expect(isHoldfastApiError(error, 'THROTTLED')).toBe(true);
    expect(error).toMatchObject({ status: 429, retryAfter: 1, detail: 'slow down' });
  });

  it('is configurable, and 0 turns retrying off', async () => {
    const server = flaky('GET', '/v1/me', [problem(503, 'TRANSIENT', {}, { 'Retry-After': '1' })], () => json(user));
    const holdfast = createHoldfastClient({
      baseUrl,
      accessToken: 'hfat_given',
      fetch: server.fetch,
      retry: { maxRetries: 0 },
    });
    await expect(holdfast.me()).rejects.toMatchObject({ code: 'TRANSIENT', status: 503 });
    expect(server.requestsTo('/v1/me')).toHaveLength(1);
    expect(() => createHoldfastClient({ baseUrl, retry: { maxRetries: -1 } })).toThrow(RangeError);
  });

  it('does not wait longer than maxDelaySeconds: the answer goes back at once', async () => {
    const server = flaky('GET', '/v1/me', [problem(429, 'THROTTLED', {}, { 'Retry-After': '120' })], () => json(user));
    const holdfast = createHoldfastClient({ baseUrl, accessToken: 'hfat_given', fetch: server.fetch });
    await expect(holdfast.me()).rejects.toMatchObject({ code: 'THROTTLED', retryAfter: 120 });
    expect(server.requestsTo('/v1/me')).toHaveLength(1);
  });

  it('backs off 1 s, then 2 s, when a 503 says nothing', async () => {
    const unavailable = () => new Response('upstream down', { status: 503 });
    const server = flaky(
      'DELETE',
      '/v1/users/usr_x',
      [unavailable(), unavailable()],
      () => new Response(null, { status: 204 }),
    );
    const holdfast = createHoldfastClient({ baseUrl, accessToken: 'hfat_given', fetch: server.fetch });

    const call = holdfast.users.delete('usr_x');
    await vi.advanceTimersByTimeAsync(999);
    expect(server.requestsTo('/v1/users/usr_x')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.requestsTo('/v1/users/usr_x')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(call).resolves.toBeUndefined();
    expect(server.requestsTo('/v1/users/usr_x')).toHaveLength(3);
  });

  it('does not send a POST again unless it carries an Idempotency-Key', async () => {
    const throttled = () => problem(429, 'THROTTLED', {}, { 'Retry-After': '1' });
    const server = new FakeServer();
    server.validAccessTokens.add('hfat_given');
    const answers = [throttled(), throttled()];
    server.route('POST', '/v1/api-keys', () => answers.shift() ?? json({}, 201));
    const userAnswers = [throttled()];
    server.route('POST', '/v1/users', () => userAnswers.shift() ?? json(user, 201));
    const holdfast = createHoldfastClient({ baseUrl, accessToken: 'hfat_given', fetch: server.fetch });

    await expect(
      holdfast.apiKeys.create({ name: 'k', access: { role: 'administrator' }, expiresAt: null }),
    ).rejects.toMatchObject({ code: 'THROTTLED' });
    expect(server.requestsTo('/v1/api-keys')).toHaveLength(1);

    const invite = holdfast.users.invite({
      email: 'charles@example.org',
      name: 'Charles',
      authType: 'email',
      access: { role: 'administrator' },
    });
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(invite).resolves.toEqual(user);
    const sent = server.requestsTo('/v1/users');
    expect(sent).toHaveLength(2);
    const key = sent[0]?.headers.get('idempotency-key');
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]?.headers.get('idempotency-key')).toBe(key);
    expect(sent[1]?.body).toBe(sent[0]?.body);
  });

  it('never retries the probes: their 503 is the answer', async () => {
    const notReady = () => json({ status: 'fail' }, 503, { 'Retry-After': '1' });
    const server = flaky('GET', '/readyz', [notReady()], () => json({ status: 'ok' }));
    const holdfast = createHoldfastClient({ baseUrl, fetch: server.fetch });
    const { data, error, response } = await holdfast.api.GET('/readyz');
    expect(response.status).toBe(503);
    expect(error).toEqual({ status: 'fail' });
    expect(data).toBeUndefined();
  });

  it('stops waiting when the caller aborts', async () => {
    const server = flaky('GET', '/v1/me', [problem(429, 'THROTTLED', {}, { 'Retry-After': '30' })], () => json(user));
    const holdfast = createHoldfastClient({ baseUrl, accessToken: 'hfat_given', fetch: server.fetch });
    const controller = new AbortController();
    const call = holdfast.me({ signal: controller.signal }).catch((caught: unknown) => caught);
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort(new Error('enough'));
    await expect(call).resolves.toMatchObject({ message: 'enough' });
    expect(server.requestsTo('/v1/me')).toHaveLength(1);
  });
});

describe('retryDelayMs', () => {
  const policy = retryPolicy({ maxRetries: 3, maxDelaySeconds: 60 });
  const now = Date.parse('2026-12-01T09:00:00Z');
  const cases: readonly [string, number, Record<string, string>, number, number | null][] = [
    ['429 with seconds', 429, { 'Retry-After': '5' }, 0, 5_000],
    ['503 with an HTTP date', 503, { 'Retry-After': 'Tue, 01 Dec 2026 09:00:10 GMT' }, 0, 10_000],
    ['a date in the past: at once', 429, { 'Retry-After': 'Tue, 01 Dec 2026 08:00:00 GMT' }, 0, 0],
    ['no header, first retry', 503, {}, 0, 1_000],
    ['no header, third retry', 503, {}, 2, 4_000],
    ['garbage header: backoff', 429, { 'Retry-After': 'soon' }, 1, 2_000],
    ['too long', 429, { 'Retry-After': '61' }, 0, null],
    ['retries used up', 429, { 'Retry-After': '1' }, 3, null],
    ['500 is not retried', 500, { 'Retry-After': '1' }, 0, null],
    ['404 is not retried', 404, {}, 0, null],
  ];
  it.each(cases)('%s', (_name, status, headers, attempt, expected) => {
    expect(retryDelayMs(new Response(null, { status, headers }), attempt, policy, now)).toBe(expected);
  });
});

describe('unwrap after retries', () => {
  it('answers the data of the success', async () => {
    const server = flaky('GET', '/v1/me', [problem(503, 'TRANSIENT', {}, { 'Retry-After': '1' })], () => json(user));
    const holdfast = createHoldfastClient({ baseUrl, accessToken: 'hfat_given', fetch: server.fetch });
    const call = holdfast.api.GET('/v1/me');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(unwrap(await call)).toEqual(user);
  });
});
