import { describe, expect, it } from 'vitest';
import { ConflictError, isHoldfastError } from '../../src/errors/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import type { ByteStream, ObjectStore } from '../../src/ports/index.ts';
import {
  chunkedStream,
  collect,
  collectBytes,
  describeObjectStore,
  expectHoldfastError,
  FaultInjectingObjectStore,
  RequestCountingObjectStore,
  testBytes,
  utf8,
} from '../../src/testing/index.ts';

// Without faults, the wrappers are invisible: they pass the whole conformance suite.
describeObjectStore({
  name: 'FaultInjectingObjectStore without faults',
  create: async () => Promise.resolve({ store: new FaultInjectingObjectStore(new MemoryObjectStore()) }),
});
describeObjectStore({
  name: 'RequestCountingObjectStore',
  create: async () => Promise.resolve({ store: new RequestCountingObjectStore(new MemoryObjectStore()) }),
});

/** An inner store that records what its puts received. */
class RecordingStore extends MemoryObjectStore {
  readonly received: number[] = [];
  override async put(key: string, body: Uint8Array | ByteStream): Promise<void> {
    let bytes = 0;
    const counted = async function* (): AsyncGenerator<Uint8Array> {
      for await (const chunk of body instanceof Uint8Array ? [body] : body) {
        bytes += chunk.length;
        yield chunk;
      }
    };
    try {
      await super.put(key, counted());
    } finally {
      this.received.push(bytes);
    }
  }
}

describe('FaultInjectingObjectStore', () => {
  it("fails chosen puts 'before' the inner store sees them, counting calls and faults", async () => {
    const inner = new RecordingStore();
    const store = new FaultInjectingObjectStore(inner, { failOnPut: (n) => n === 2 });
    await store.put('a', utf8('a'));
    const error = await expectHoldfastError(store.put('b', utf8('b')), 'TRANSIENT');
    expect(error.message).toBe('injected fault: put "b"');
    await store.put('c', utf8('c'));
    expect(inner.received).toEqual([1, 1]);
    expect(store.counts).toEqual({ put: 3, get: 0, head: 0, list: 0, delete: 0 });
    expect(store.injected.put).toBe(1);
    expect((await collect(store.list(''))).map((info) => info.key)).toEqual(['a', 'c']);
  });

  it("fails a put 'midway': the inner store gets half the body, then a stream error, and stores nothing", async () => {
    const inner = new RecordingStore();
    const store = new FaultInjectingObjectStore(inner, { failOnPut: () => 'midway' });
    await expectHoldfastError(store.put('array', testBytes(1000)), 'TRANSIENT');
    await expectHoldfastError(
      store.put('sized', chunkedStream(testBytes(100_000), [10_000]), { size: 100_000 }),
      'TRANSIENT',
    );
    await expectHoldfastError(store.put('stream', chunkedStream(testBytes(100_000), [10_000])), 'TRANSIENT');
    expect(inner.received).toEqual([500, 50_000, 5_000]);
    expect(inner.size).toBe(0);
  });

  it("fails a put 'after' the object is stored, as a lost response would", async () => {
    const store = new FaultInjectingObjectStore(new MemoryObjectStore(), {
      failOnPut: (_n, key) => (key === 'x' ? 'after' : false),
    });
    await expectHoldfastError(store.put('x', utf8('x')), 'TRANSIENT');
    expect(await collectBytes(await store.get('x'))).toEqual(utf8('x'));
  });

  it("fails gets 'before' or 'midway' through the stream", async () => {
    const inner = new MemoryObjectStore();
    await inner.put('k', testBytes(100));
    const store = new FaultInjectingObjectStore(inner, {
      failOnGet: (n) => (n === 1 ? true : n === 2 ? 'midway' : false),
    });
    await expectHoldfastError(store.get('k'), 'TRANSIENT', 'before');
    const stream = await store.get('k');
    const chunks: Uint8Array[] = [];
    const failure = (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })();
    await expectHoldfastError(failure, 'TRANSIENT', 'midway');
    expect(chunks.map((chunk) => chunk.length)).toEqual([50]);
    expect((await collectBytes(await store.get('k'))).length).toBe(100);
    expect(store.injected.get).toBe(2);
  });

  it('fails heads, lists and deletes, a delete also after deleting', async () => {
    const inner = new MemoryObjectStore();
    await inner.put('k', utf8('k'));
    await inner.put('l', utf8('l'));
    const store = new FaultInjectingObjectStore(inner, {
      failOnHead: () => true,
      failOnList: (_n, prefix) => prefix === 'k',
      failOnDelete: (n) => (n === 1 ? 'before' : 'after'),
      error: (method, key) => new ConflictError(`${method} ${key}`),
    });
    await expectHoldfastError(store.head('k'), 'CONFLICT');
    await expectHoldfastError(collect(store.list('k')), 'CONFLICT');
    expect(await collect(store.list('l'))).toHaveLength(1);
    await expectHoldfastError(store.delete('k'), 'CONFLICT');
    expect(inner.size).toBe(2);
    await expectHoldfastError(store.delete('k'), 'CONFLICT');
    expect(inner.size).toBe(1);
    expect(store.injected).toEqual({ put: 0, get: 0, head: 1, list: 1, delete: 2 });
    expect(store.name).toBe('faulty(memory)');
  });
});

describe('RequestCountingObjectStore', () => {
  it('counts calls and bytes, and resets', async () => {
    const store = new RequestCountingObjectStore(new MemoryObjectStore());
    await store.put('a', testBytes(10));
    await store.put('b', chunkedStream(testBytes(1000)));
    await collectBytes(await store.get('b', { range: { offset: 100, length: 50 } }));
    await store.head('a');
    await collect(store.list(''));
    await store.delete('a');
    await expect(store.get('missing')).rejects.toSatisfy((error) => isHoldfastError(error, 'NOT_FOUND'));
    expect(store.counts).toEqual({ put: 2, get: 2, head: 1, list: 1, delete: 1 });
    expect(store.total).toBe(7);
    expect(store.bytesWritten).toBe(1010);
    expect(store.bytesRead).toBe(50);
    store.reset();
    expect(store.total + store.bytesRead + store.bytesWritten).toBe(0);
    const inner: ObjectStore = new MemoryObjectStore();
    expect(new RequestCountingObjectStore(inner).capabilities).toBe(inner.capabilities);
  });
});
