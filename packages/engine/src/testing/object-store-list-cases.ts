/**
 * ObjectStore conformance cases: listing, key spelling, concurrency and atomicity. Titles and
 * guarantees are in `object-store-suite.ts`.
 */
import { expect } from 'vitest';
import { chunkedStream, collect, expectBytes, failingStream, testBytes, utf8, collectBytes } from './bytes.ts';
import { expectNoObject, expectObject, listedKeys, type ObjectStoreCase } from './object-store-cases.ts';
import type { objectStoreTests } from './object-store-suite.ts';
import type { ObjectStore } from '../ports/index.ts';

/** Keys shaped like a repository's, for the listing cases. */
const repositoryKeys = [
  'config',
  'data/a',
  'data/aa/1',
  'data/ab/2',
  'data/b/3',
  'dataz',
  'index/0001',
  'snapshots/2026-11-22',
] as const;

/** Puts each key with a distinct size (its index + 1 bytes). */
async function putKeys(store: ObjectStore, keys: readonly string[]): Promise<void> {
  for (const [index, key] of keys.entries()) await store.put(key, testBytes(index + 1, index));
}

/** The listing, atomicity and concurrency cases. */
export const objectStoreListCases = {
  async listAll(use) {
    const { store } = await use();
    await putKeys(store, repositoryKeys);
    const infos = await collect(store.list(''));
    expect(infos.map((info) => info.key).sort()).toEqual([...repositoryKeys].sort());
    for (const info of infos) {
      expect(info.size, `size of ${info.key}`).toBe(
        repositoryKeys.indexOf(info.key as (typeof repositoryKeys)[number]) + 1,
      );
    }
  },
  async listFolderPrefix(use) {
    const { store } = await use();
    await putKeys(store, repositoryKeys);
    expect(await listedKeys(store, 'data/')).toEqual(['data/a', 'data/aa/1', 'data/ab/2', 'data/b/3']);
    expect(await listedKeys(store, 'data/aa/')).toEqual(['data/aa/1']);
    expect(await listedKeys(store, 'snapshots/')).toEqual(['snapshots/2026-11-22']);
  },
  async listMidSegmentPrefix(use) {
    const { store } = await use();
    await putKeys(store, repositoryKeys);
    expect(await listedKeys(store, 'data/a')).toEqual(['data/a', 'data/aa/1', 'data/ab/2']);
    expect(await listedKeys(store, 'dat')).toEqual(['data/a', 'data/aa/1', 'data/ab/2', 'data/b/3', 'dataz']);
    expect(await listedKeys(store, 'snapshots/2026-')).toEqual(['snapshots/2026-11-22']);
    expect(await listedKeys(store, 'c')).toEqual(['config']);
  },
  async listWholeKeyPrefix(use) {
    const { store } = await use();
    await putKeys(store, ['x/ab', 'x/abc', 'x/ab2/y', 'x/b']);
    expect(await listedKeys(store, 'x/ab')).toEqual(['x/ab', 'x/ab2/y', 'x/abc']);
    expect(await listedKeys(store, 'x/abc')).toEqual(['x/abc']);
  },
  async listNoMatch(use) {
    const { store } = await use();
    expect(await listedKeys(store, '')).toEqual([]);
    await putKeys(store, repositoryKeys);
    expect(await listedKeys(store, 'locks/')).toEqual([]);
    expect(await listedKeys(store, 'data/c')).toEqual([]);
    expect(await listedKeys(store, 'zzz')).toEqual([]);
  },
  async listPaging(use) {
    const { store } = await use();
    const keys = Array.from({ length: 23 }, (_, index) => `index/${index.toString(16).padStart(4, '0')}`);
    await Promise.all(keys.map(async (key) => store.put(key, utf8(key))));
    const listed = (await collect(store.list('index/', { pageSize: 5 }))).map((info) => info.key);
    expect(listed.length, 'keys listed').toBe(23);
    expect([...listed].sort()).toEqual(keys);
    expect(await listedKeys(store, '', 5)).toEqual(keys);
    expect(await listedKeys(store, 'index/', 1)).toEqual(keys);
  },
  async listAbandoned(use) {
    const { store } = await use();
    await putKeys(store, repositoryKeys);
    for await (const info of store.list('', { pageSize: 2 })) {
      expect(repositoryKeys).toContain(info.key);
      break;
    }
    await store.put('after', testBytes(3));
    await expectObject(store, 'after', testBytes(3));
    expect(await listedKeys(store, 'after')).toEqual(['after']);
  },
  async unicodeKeys(use) {
    const { store } = await use();
    const keys = ['snapshots/ü-日本-😀', 'snapshots/ü-日本-😀.2', 'ελληνικά/ключ/مفتاح'];
    for (const key of keys) await store.put(key, utf8(key));
    for (const key of keys) await expectObject(store, key, utf8(key));
    expect(await listedKeys(store, '')).toEqual([...keys].sort());
    expect(await listedKeys(store, 'snapshots/ü-')).toEqual(keys.slice(0, 2).sort());
    await store.delete(keys[0] ?? '');
    await expectNoObject(store, keys[0] ?? '');
    expect(await listedKeys(store, 'snapshots/')).toEqual([keys[1]]);
  },
  async punctuationKeys(use) {
    const { store } = await use();
    const keys = ['with space/a b', 'plus+equals=amp&', 'percent%20hash#', 'question?comma,semi;', 'at@tilde~(paren)'];
    for (const key of keys) await store.put(key, utf8(key));
    for (const key of keys) await expectObject(store, key, utf8(key));
    expect(await listedKeys(store, '')).toEqual([...keys].sort());
    expect(await listedKeys(store, 'with space/')).toEqual(['with space/a b']);
    for (const key of keys) await store.delete(key);
    expect(await listedKeys(store, '')).toEqual([]);
  },
  async concurrentKeys(use) {
    const { store } = await use();
    const keys = Array.from({ length: 20 }, (_, index) => `data/${(index % 4).toString()}/${index.toString()}`);
    await Promise.all(keys.map(async (key, index) => store.put(key, chunkedStream(testBytes(70_000 + index, index)))));
    expect(await listedKeys(store, '')).toEqual([...keys].sort());
    for (const [index, key] of keys.entries()) await expectObject(store, key, testBytes(70_000 + index, index));
  },
  async concurrentSameKey(use) {
    const { store } = await use();
    const bodies = Array.from({ length: 8 }, (_, index) => testBytes(300_000 + index * 1000, 100 + index));
    await Promise.all(bodies.map(async (bytes) => store.put('locks/contended', chunkedStream(bytes))));
    const got = await collectBytes(await store.get('locks/contended'));
    const winner = bodies.find((bytes) => bytes.length === got.length);
    expect(winner, `no put had ${got.length} bytes`).toBeDefined();
    expectBytes(got, winner ?? new Uint8Array(0), 'the surviving object');
    expect(await listedKeys(store, '')).toEqual(['locks/contended']);
  },
  async failedPut(use) {
    const { store } = await use();
    const bytes = testBytes(2 * 1024 * 1024, 4);
    await expect(store.put('data/failed', failingStream(bytes, 1024 * 1024 + 17))).rejects.toBeDefined();
    await expect(store.put('tiny-failed', failingStream(bytes, 0))).rejects.toBeDefined();
    await expectNoObject(store, 'data/failed');
    await expectNoObject(store, 'tiny-failed');
    expect(await listedKeys(store, '')).toEqual([]);
  },
  async failedOverwrite(use) {
    const { store } = await use();
    const original = testBytes(100_000, 1);
    await store.put('index/kept', original);
    await expect(store.put('index/kept', failingStream(testBytes(200_000, 2), 150_000))).rejects.toBeDefined();
    await expectObject(store, 'index/kept', original);
    expect(await listedKeys(store, '')).toEqual(['index/kept']);
  },
} satisfies Partial<Record<keyof typeof objectStoreTests, ObjectStoreCase>>;
