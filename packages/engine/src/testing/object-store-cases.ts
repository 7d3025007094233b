/**
 * ObjectStore conformance cases: reads, writes, ranges, errors and cancellation. Titles and guarantees
 * are in `object-store-suite.ts`.
 */
import { expect } from 'vitest';
import type { ObjectInfo, ObjectStore } from '../ports/index.ts';
import {
  abortedSignal,
  chunkedStream,
  collect,
  collectBytes,
  expectBytes,
  expectCanceled,
  expectHoldfastError,
  testBytes,
} from './bytes.ts';
import type { ObjectStoreContext, objectStoreTests } from './object-store-suite.ts';

/** One case: gets a function that creates its (empty) store. */
export type ObjectStoreCase = (use: () => Promise<ObjectStoreContext>) => Promise<void>;

/** Asserts `key` holds exactly `expected`, through get and head. */
export async function expectObject(store: ObjectStore, key: string, expected: Uint8Array): Promise<void> {
  expectBytes(await collectBytes(await store.get(key)), expected, `content of ${JSON.stringify(key)}`);
  expect((await store.head(key)).size, `head size of ${JSON.stringify(key)}`).toBe(expected.length);
}

/** Asserts `key` does not exist: get and head reject with NotFoundError. */
export async function expectNoObject(store: ObjectStore, key: string): Promise<void> {
  await expectHoldfastError(store.get(key), 'NOT_FOUND', `get of ${JSON.stringify(key)}`);
  await expectHoldfastError(store.head(key), 'NOT_FOUND', `head of ${JSON.stringify(key)}`);
}

/** The keys listed under `prefix`, sorted. */
export async function listedKeys(store: ObjectStore, prefix: string, pageSize?: number): Promise<string[]> {
  const infos: ObjectInfo[] = await collect(store.list(prefix, pageSize === undefined ? {} : { pageSize }));
  return infos.map((info) => info.key).sort();
}

/** A case that reads `range` of a 1000-byte object and expects `[start, end)` of it. */
function rangeCase(range: { offset: number; length?: number }, start: number, end: number): ObjectStoreCase {
  return async (use) => {
    const { store } = await use();
    const bytes = testBytes(1000, 3);
    await store.put('ranges/object', bytes);
    const got = await collectBytes(await store.get('ranges/object', { range }));
    expectBytes(got, bytes.subarray(start, end), `range ${JSON.stringify(range)}`);
  };
}

/** The read, write, range and error cases. */
export const objectStoreCases = {
  async capabilities(use) {
    const { store } = await use();
    expect(typeof store.name).toBe('string');
    expect(store.name.length).toBeGreaterThan(0);
    const { rangedReads, immutableWrites, listPageSize } = store.capabilities;
    expect(typeof rangedReads).toBe('boolean');
    expect(typeof immutableWrites).toBe('boolean');
    expect(Number.isInteger(listPageSize) && listPageSize > 0, `listPageSize ${listPageSize}`).toBe(true);
  },
  async getMissing(use) {
    const { store } = await use();
    await expectHoldfastError(store.get('missing/key'), 'NOT_FOUND', 'get of a missing key');
  },
  async headMissing(use) {
    const { store } = await use();
    await expectHoldfastError(store.head('missing/key'), 'NOT_FOUND', 'head of a missing key');
  },
  async deleteMissing(use) {
    const { store } = await use();
    await store.delete('missing/key');
    await store.delete('missing-too');
  },
  async emptyObject(use) {
    const { store } = await use();
    await store.put('empty', new Uint8Array(0));
    await expectObject(store, 'empty', new Uint8Array(0));
    await store.put('empty-stream', chunkedStream(new Uint8Array(0)));
    await expectObject(store, 'empty-stream', new Uint8Array(0));
    const listed = await collect(store.list(''));
    expect(listed.map(({ key, size }) => ({ key, size })).sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'empty', size: 0 },
      { key: 'empty-stream', size: 0 },
    ]);
  },
  async oneByte(use) {
    const { store } = await use();
    await store.put('one', Uint8Array.of(0xa5));
    await expectObject(store, 'one', Uint8Array.of(0xa5));
  },
  async largeStream(use) {
    const { store } = await use();
    const bytes = testBytes(20 * 1024 * 1024 + 3, 20);
    await store.put('data/large', chunkedStream(bytes));
    await expectObject(store, 'data/large', bytes);
  },
  async sizeHint(use) {
    const { store } = await use();
    const bytes = testBytes(5 * 1024 * 1024 + 1, 5);
    await store.put('data/hinted', chunkedStream(bytes), { size: bytes.length });
    await expectObject(store, 'data/hinted', bytes);
  },
  async copies(use) {
    const { store } = await use();
    const bytes = testBytes(4096, 7);
    const original = bytes.slice();
    await store.put('copied', bytes);
    bytes.fill(0);
    const got = await collectBytes(await store.get('copied'));
    expectBytes(got, original, 'after changing the buffer that was put');
    for await (const chunk of await store.get('copied')) chunk.fill(1);
    await expectObject(store, 'copied', original);
  },
  async head(use) {
    const { store } = await use();
    const before = Date.now();
    await store.put('headed', testBytes(1234));
    const info = await store.head('headed');
    expect(info.key).toBe('headed');
    expect(info.size).toBe(1234);
    if (info.lastModified !== undefined) {
      expect(info.lastModified).toBeInstanceOf(Date);
      const time = info.lastModified.getTime();
      // Within a day of the put: the backend's clock may differ from ours, but not by more.
      expect(Math.abs(time - before), `lastModified ${info.lastModified.toISOString()}`).toBeLessThan(86_400_000);
    }
  },
  async overwrite(use) {
    const { store } = await use();
    await store.put('rewritten', testBytes(10_000, 1));
    const shorter = testBytes(100, 2);
    await store.put('rewritten', chunkedStream(shorter));
    await expectObject(store, 'rewritten', shorter);
    const longer = testBytes(20_000, 3);
    await store.put('rewritten', longer);
    await expectObject(store, 'rewritten', longer);
    expect(await listedKeys(store, '')).toEqual(['rewritten']);
  },
  async delete(use) {
    const { store } = await use();
    await store.put('locks/a', testBytes(10));
    await store.put('locks/b', testBytes(10));
    await store.delete('locks/a');
    await expectNoObject(store, 'locks/a');
    expect(await listedKeys(store, '')).toEqual(['locks/b']);
    await store.delete('locks/a');
    await expectObject(store, 'locks/b', testBytes(10));
  },
  rangeStart: rangeCase({ offset: 0, length: 10 }, 0, 10),
  rangeMiddle: rangeCase({ offset: 317, length: 211 }, 317, 528),
  rangeEnd: rangeCase({ offset: 990, length: 10 }, 990, 1000),
  rangeNoLength: rangeCase({ offset: 400 }, 400, 1000),
  rangeClipped: rangeCase({ offset: 900, length: 500 }, 900, 1000),
  async rangePastEnd(use) {
    const { store } = await use();
    await store.put('ranges/object', testBytes(1000));
    for (const range of [
      { offset: 1000 },
      { offset: 1000, length: 5 },
      { offset: 5000, length: 1 },
      { offset: 5000 },
    ]) {
      const got = await collectBytes(await store.get('ranges/object', { range }));
      expect(got.length, `range ${JSON.stringify(range)}`).toBe(0);
    }
  },
  async rangeZeroLength(use) {
    const { store } = await use();
    await store.put('ranges/object', testBytes(1000));
    for (const offset of [0, 500, 1000]) {
      const got = await collectBytes(await store.get('ranges/object', { range: { offset, length: 0 } }));
      expect(got.length, `length 0 at ${offset}`).toBe(0);
    }
  },
  async rangeLarge(use) {
    const { store } = await use();
    const mib = 1024 * 1024;
    const bytes = testBytes(3 * mib + 5, 11);
    await store.put('data/packed', chunkedStream(bytes));
    const cases: [number, number | undefined][] = [
      [mib - 3, 6],
      [mib - 3, mib + 6],
      [1, 2 * mib],
      [0, undefined],
      [2 * mib + 1, undefined],
      [mib, mib],
      [3 * mib, 100],
    ];
    for (const [offset, length] of cases) {
      const range = length === undefined ? { offset } : { offset, length };
      const end = length === undefined ? bytes.length : Math.min(bytes.length, offset + length);
      const got = await collectBytes(await store.get('data/packed', { range }));
      expectBytes(got, bytes.subarray(offset, end), `range ${JSON.stringify(range)}`);
    }
  },
  async rangeMissing(use) {
    const { store } = await use();
    await expectHoldfastError(store.get('missing', { range: { offset: 0, length: 10 } }), 'NOT_FOUND');
    await expectHoldfastError(store.get('missing', { range: { offset: 10 } }), 'NOT_FOUND');
    await expectHoldfastError(store.get('missing', { range: { offset: 0, length: 0 } }), 'NOT_FOUND');
  },
  async rangeInvalid(use) {
    const { store } = await use();
    await store.put('ranges/object', testBytes(100));
    for (const range of [{ offset: -1 }, { offset: 0, length: -1 }, { offset: 1.5 }, { offset: 0, length: 2.5 }]) {
      await expectHoldfastError(store.get('ranges/object', { range }), 'VALIDATION', `range ${JSON.stringify(range)}`);
    }
  },
  async abortBefore(use) {
    const { store } = await use();
    await store.put('kept', testBytes(10));
    const { signal, reason } = abortedSignal();
    await expectCanceled(store.put('new', testBytes(10), { signal }), reason, 'put');
    await expectCanceled(store.put('new', chunkedStream(testBytes(10)), { signal }), reason, 'put of a stream');
    await expectCanceled(
      store.get('kept', { signal }).then(async (stream) => collectBytes(stream)),
      reason,
      'get',
    );
    await expectCanceled(store.head('kept', { signal }), reason, 'head');
    await expectCanceled(collect(store.list('', { signal })), reason, 'list');
    await expectCanceled(store.delete('kept', { signal }), reason, 'delete');
    await expectNoObject(store, 'new');
    await expectObject(store, 'kept', testBytes(10));
  },
  async abortDuringPut(use) {
    const { store } = await use();
    const controller = new AbortController();
    const reason = new Error('aborted midway by the conformance suite');
    const bytes = testBytes(3 * 1024 * 1024, 9);
    async function* body(): AsyncGenerator<Uint8Array, void, undefined> {
      await Promise.resolve();
      yield bytes.slice(0, 1024 * 1024);
      controller.abort(reason);
      yield bytes.slice(1024 * 1024);
    }
    await expectCanceled(store.put('data/aborted', body(), { signal: controller.signal }), reason, 'put');
    await expectNoObject(store, 'data/aborted');
    expect(await listedKeys(store, '')).toEqual([]);
  },
} satisfies Partial<Record<keyof typeof objectStoreTests, ObjectStoreCase>>;
