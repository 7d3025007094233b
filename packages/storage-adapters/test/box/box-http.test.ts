/**
 * BoxHttp against the MOCK Box: Box's lowercase `retry-after` honoured on 429 and 503 (the waits are
 * recorded, not slept), backoff when it is absent, a bounded number of waits, transient retries only for
 * calls safe to repeat, one token renewal on 401, bounded concurrency per user and per app, and a
 * cancellation during a wait.
 */
import { describe, expect, it } from 'vitest';
import { expectHoldfastError } from '@holdfast/engine/testing';
import { isHoldfastError } from '@holdfast/engine';
import type { BoxConnection } from '../../src/box/index.ts';
import { mockConnection, useBoxMock } from './box-test-support.ts';

const mock = useBoxMock();

function recording(options: Parameters<typeof mockConnection>[1] = {}): { connection: BoxConnection; waits: number[] } {
  const waits: number[] = [];
  const connection = mockConnection(mock, {
    sleep: async (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    ...options,
  });
  return { connection, waits };
}

describe('BoxHttp', () => {
  it('waits the lowercase retry-after of a 429, and of a 503, then succeeds', async () => {
    const user = mock.addUser('Throttled');
    const { connection, waits } = recording({ retry: { maxDelayMs: 60_000 } });
    await connection.api.user(user.id);
    mock.faults.push(
      {
        match: ({ key }) => key === 'GET /users/{id}',
        answer: {
          status: 429,
          headers: { 'retry-after': '1' },
          json: { type: 'error', status: 429, code: 'too_many_requests', message: 'slow down' },
        },
      },
      {
        match: ({ key }) => key === 'GET /users/{id}',
        answer: {
          status: 503,
          headers: { 'retry-after': '2' },
          json: { type: 'error', status: 503, code: 'unavailable', message: 'later' },
        },
      },
    );
    expect((await connection.api.user(user.id)).id).toBe(user.id);
    expect(waits).toEqual([1000, 2000]);
  });

  it('backs off with growing, jittered waits when Box sends no retry-after', async () => {
    const user = mock.addUser('Backoff');
    const { connection, waits } = recording({ retry: { baseDelayMs: 100, maxDelayMs: 10_000 } });
    await connection.api.user(user.id);
    for (let index = 0; index < 4; index += 1) {
      mock.faults.push({
        match: ({ key }) => key === 'GET /users/{id}',
        answer: { status: 429, json: { type: 'error', status: 429, code: 'too_many_requests', message: 'x' } },
      });
    }
    await connection.api.user(user.id);
    expect(waits).toHaveLength(4);
    waits.forEach((wait, index) => {
      expect(wait).toBeGreaterThanOrEqual(100 * 2 ** index * 0.5);
      expect(wait).toBeLessThanOrEqual(100 * 2 ** index * 1.5);
    });
  });

  it('gives up after maxThrottleWaits with a ThrottledError that carries the retry-after', async () => {
    const user = mock.addUser('Always throttled');
    const { connection, waits } = recording({ retry: { maxThrottleWaits: 3, maxDelayMs: 60_000 } });
    await connection.api.user(user.id);
    mock.throttle = { every: 1, retryAfter: '7' };
    const error = await expectHoldfastError(connection.api.user(user.id), 'THROTTLED');
    expect(isHoldfastError(error, 'THROTTLED') && error.retryAfter).toBe(7000);
    expect(waits).toEqual([7000, 7000, 7000]);
  });

  it('honours a per-user rate limit window: the limited user waits, another user does not', async () => {
    const [limited, other] = [mock.addUser('Limited'), mock.addUser('Unlimited')];
    const { connection, waits } = recording({ retry: { maxThrottleWaits: 2, maxDelayMs: 60_000 } });
    await connection.api.user(limited.id);
    mock.throttle = { limit: 3, windowMs: 60_000, retryAfter: '30' };
    for (let index = 0; index < 3; index += 1) await connection.api.folder('0', connection.actor(limited.id));
    await expectHoldfastError(connection.api.folder('0', connection.actor(limited.id)), 'THROTTLED');
    expect(waits).toEqual([30_000, 30_000]);
    expect((await connection.api.folder('0', connection.actor(other.id))).id).toBe('0');
  });

  it('retries a 5xx for a read, not for a create', async () => {
    const user = mock.addUser('Flaky');
    const { connection, waits } = recording();
    const actor = connection.actor(user.id);
    mock.faults.push({ match: ({ key }) => key === 'GET /folders/{id}', times: 2 });
    expect((await connection.api.folder('0', actor)).id).toBe('0');
    expect(waits).toHaveLength(2);
    mock.faults.push({ match: ({ key }) => key === 'POST /folders' });
    await expectHoldfastError(connection.api.createFolder('0', 'once', actor), 'TRANSIENT');
    expect(mock.store.at(user.id, 'once')).toBeUndefined();
  });

  it('renews the token once after a 401 and repeats the call', async () => {
    const user = mock.addUser('Expired');
    const { connection } = recording();
    await connection.api.user(user.id);
    const grants = connection.auth.tokenCalls;
    mock.auth.expireAccessTokens();
    expect((await connection.api.user(user.id)).id).toBe(user.id);
    expect(connection.auth.tokenCalls).toBe(grants + 1);
  });

  it('keeps at most perUser calls in flight for a user, and perApp for the connection', async () => {
    const users = [mock.addUser('Busy 1'), mock.addUser('Busy 2'), mock.addUser('Busy 3')];
    const { connection } = recording({ concurrency: { perUser: 3, perApp: 5 } });
    await connection.api.user(users[0]?.id ?? '');
    mock.latencyMs = 15;
    mock.resetCounters();
    await Promise.all(
      users.flatMap((user) =>
        Array.from({ length: 12 }, async () => connection.api.folder('0', connection.actor(user.id))),
      ),
    );
    for (const user of users) expect(mock.maxInFlightPerUser.get(user.id)).toBeLessThanOrEqual(3);
    expect(mock.maxInFlight).toBeLessThanOrEqual(5);
    expect(mock.maxInFlight).toBeGreaterThan(1);
  });

  it('stops waiting when the call is cancelled', async () => {
    const user = mock.addUser('Cancelled');
    const controller = new AbortController();
    const reason = new Error('stop');
    const connection = mockConnection(mock, {
      sleep: async () => {
        controller.abort(reason);
        return Promise.resolve();
      },
    });
    await connection.api.user(user.id);
    mock.throttle = { every: 1 };
    await expectHoldfastError(connection.api.user(user.id, controller.signal), 'CANCELED');
  });
});
