/**
 * The ObjectStore wrappers: each still passes the conformance suite over a MemoryObjectStore, the retrying
 * one retries what can be retried and nothing else, and the limited one never runs more calls at once
 * than its limit.
 */
import { describe, expect, it } from 'vitest';
import { PermanentError, ThrottledError } from '../../src/errors/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import type { ByteStream, ObjectInfo, ObjectStore } from '../../src/ports/index.ts';
import { ConcurrencyLimitedObjectStore } from '../../src/stores/concurrency-limited-object-store.ts';
import { RequestCountingObjectStore } from '../../src/stores/request-counting-object-store.ts';
import { RetryingObjectStore } from '../../src/stores/retrying-object-store.ts';
import { collectBytes, describeObjectStore, FaultInjectingObjectStore, utf8 } from '../../src/testing/index.ts';

describeObjectStore({
  name: 'RetryingObjectStore over MemoryObjectStore',
  create: async () => Promise.resolve({ store: new RetryingObjectStore(new MemoryObjectStore(), { minTimeout: 1 }) }),
});
describeObjectStore({
  name: 'ConcurrencyLimitedObjectStore(2) over MemoryObjectStore',
  create: async () => Promise.resolve({ store: new ConcurrencyLimitedObjectStore(new MemoryObjectStore(), 2) }),
});
describeObjectStore({
  name: 'RequestCountingObjectStore over MemoryObjectStore',
  create: async () => Promise.resolve({ store: new RequestCountingObjectStore(new MemoryObjectStore()) }),
});

const throttled = (method: string, key: string): ThrottledError =>
  new ThrottledError(`throttled ${method} ${key}`, { retryAfter: 1 });

describe('RetryingObjectStore', () => {
  it('retries throttled puts of bytes, gets, heads and deletes until they succeed', async () => {
    const inner = new MemoryObjectStore();
    const faulty = new FaultInjectingObjectStore(inner, {
      failOnPut: (n) => n <= 2,
      failOnGet: (n) => n <= 2,
      failOnHead: (n) => n <= 2,
      failOnDelete: (n) => (n <= 2 ? 'before' : undefined),
      error: throttled,
    });
    const retries: number[] = [];
    const store = new RetryingObjectStore(faulty, { minTimeout: 1, onRetry: (_, attempt) => retries.push(attempt) });
    await store.put('a', utf8('hello'));
    expect(await collectBytes(await store.get('a'))).toEqual(utf8('hello'));
    expect((await store.head('a')).size).toBe(5);
    await store.delete('a');
    expect(faulty.counts).toMatchObject({ put: 3, get: 3, head: 3, delete: 3 });
    expect(store.retries).toBe(8);
    expect(await inner.list('').next()).toMatchObject({ done: true });
  });

  it('retries a streamed put that failed before its first chunk, not one already partly sent', async () => {
    const inner = new MemoryObjectStore();
    let putCalls = 0;
    const early: ObjectStore = {
      ...wrap(inner),
      put: async (key, body, options) => {
        putCalls++;
        if (putCalls === 1) throw new ThrottledError('throttled before reading the body');
        return inner.put(key, body, options);
      },
    };
    await new RetryingObjectStore(early, { minTimeout: 1 }).put('k', chunks('ab', 'cd'));
    expect(await collectBytes(await inner.get('k'))).toEqual(utf8('abcd'));

    const late: ObjectStore = {
      ...wrap(inner),
      put: async (_key, body) => {
        for await (const _ of body as ByteStream) throw new ThrottledError('throttled midway');
      },
    };
    await expect(new RetryingObjectStore(late, { minTimeout: 1 }).put('k2', chunks('ab', 'cd'))).rejects.toThrow(
      'throttled midway',
    );
  });

  it('does not retry errors that are not retryable', async () => {
    const faulty = new FaultInjectingObjectStore(new MemoryObjectStore(), {
      failOnHead: () => true,
      error: () => new PermanentError('no'),
    });
    await expect(new RetryingObjectStore(faulty, { minTimeout: 1 }).head('x')).rejects.toThrow('no');
    expect(faulty.counts.head).toBe(1);
  });

  it('restarts a listing that failed between pages and yields each key once', async () => {
    const inner = new MemoryObjectStore();
    for (let i = 0; i < 10; i++) await inner.put(`k${String(i)}`, utf8('x'));
    let listings = 0;
    const flaky: ObjectStore = {
      ...wrap(inner),
      list: async function* (prefix, options) {
        listings++;
        let n = 0;
        for await (const info of inner.list(prefix, options)) {
          if (listings === 1 && ++n === 4) throw new ThrottledError('throttled page');
          yield info;
        }
      },
    };
    const keys: string[] = [];
    for await (const info of new RetryingObjectStore(flaky, { minTimeout: 1 }).list('')) keys.push(info.key);
    expect(keys.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${String(i)}`).sort());
    expect(listings).toBe(2);
  });
});

describe('ConcurrencyLimitedObjectStore', () => {
  it('runs at most `limit` calls at once, and a get holds its slot until its stream ends', async () => {
    const inner = new MemoryObjectStore();
    await inner.put('a', utf8('a'));
    let running = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    const slow: ObjectStore = {
      ...wrap(inner),
      head: async (key, options) => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        return inner.head(key, options);
      },
    };
    const limited = new ConcurrencyLimitedObjectStore(slow, 2);
    const calls = Array.from({ length: 5 }, async () => limited.head('a'));
    for (let released = 0; released < 5; released++) {
      while (gates.length === 0) await Promise.resolve();
      expect(running).toBeLessThanOrEqual(2);
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(calls);
    expect(most).toBe(2);

    const one = new ConcurrencyLimitedObjectStore(inner, 1);
    const stream = await one.get('a');
    let second = false;
    const waiting = one.head('a').then(() => (second = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBe(false); // the open stream holds the only slot
    await collectBytes(stream);
    await waiting;
    expect(second).toBe(true);
  });

  it('refuses a limit below 1', () => {
    expect(() => new ConcurrencyLimitedObjectStore(new MemoryObjectStore(), 0)).toThrow(/at least 1/);
  });
});

function wrap(inner: ObjectStore): ObjectStore {
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    put: async (k, b, o) => inner.put(k, b, o),
    get: async (k, o) => inner.get(k, o),
    head: async (k, o) => inner.head(k, o),
    delete: async (k, o) => inner.delete(k, o),
    list: (p, o): AsyncIterable<ObjectInfo> => inner.list(p, o),
  };
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield utf8(part);
}
