import { mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsObjectStore, fsObjectStoreTempPrefix } from '../../src/fs/index.ts';
import {
  chunkedStream,
  collect,
  collectBytes,
  describeObjectStore,
  expectHoldfastError,
  failingStream,
  testBytes,
  utf8,
} from '../../src/testing/index.ts';
import type { ObjectStore } from '../../src/ports/index.ts';
import { removeFolder, tempFolder } from './fs-fixtures.ts';

const roots = new Map<ObjectStore, string>();

describeObjectStore({
  name: 'FsObjectStore',
  create: async () => {
    const parent = await tempFolder('fs-store');
    const store = new FsObjectStore(join(parent, 'repo'));
    roots.set(store, parent);
    return { store };
  },
  cleanup: async ({ store }) => removeFolder(roots.get(store) ?? ''),
});

/** Runs `test` with a store in a fresh temp folder (`parent/repo`), removed afterwards. */
async function withStore(test: (store: FsObjectStore, parent: string) => Promise<void>): Promise<void> {
  const parent = await tempFolder('fs-store');
  try {
    await test(new FsObjectStore(join(parent, 'repo')), parent);
  } finally {
    await removeFolder(parent);
  }
}

/** Every name under `folder`, recursively, as relative paths. */
async function allNames(folder: string): Promise<string[]> {
  return (await readdir(folder, { recursive: true })).sort();
}

describe('FsObjectStore on disk', () => {
  it.each([
    '../x',
    'a/../../x',
    '/etc/passwd',
    'a//b',
    '',
    'a/',
    './a',
    'a/./b',
    '..',
    'a\\..\\..\\x',
    'a\0b',
    `${fsObjectStoreTempPrefix}1`,
    `data/${fsObjectStoreTempPrefix}1`,
  ])('refuses the key %j in every method, writing nothing', async (key) => {
    await withStore(async (store, parent) => {
      await expectHoldfastError(store.put(key, utf8('x')), 'VALIDATION', 'put');
      await expectHoldfastError(store.get(key), 'VALIDATION', 'get');
      await expectHoldfastError(store.head(key), 'VALIDATION', 'head');
      await expectHoldfastError(store.delete(key), 'VALIDATION', 'delete');
      expect(await allNames(parent)).toEqual([]);
    });
  });

  it.each(['../', '/etc', 'a/../', 'a//', '..\\x'])('refuses the list prefix %j', async (prefix) => {
    await withStore(async (store) => {
      await expectHoldfastError(collect(store.list(prefix)), 'VALIDATION');
    });
  });

  it('maps keys to files under the root, with mode 0600, leaving no temp files', async () => {
    await withStore(async (store, parent) => {
      await store.put('data/ab/abcdef', chunkedStream(testBytes(100_000)));
      await store.put('config', utf8('{}'));
      expect(await allNames(parent)).toEqual([
        'repo',
        'repo/config',
        'repo/data',
        'repo/data/ab',
        'repo/data/ab/abcdef',
      ]);
      if (process.platform !== 'win32') expect((await stat(join(parent, 'repo/config'))).mode & 0o777).toBe(0o600);
    });
  });

  it('never lists temp files, and a failed put removes its own', async () => {
    await withStore(async (store) => {
      await store.put('data/aa/1', utf8('1'));
      await writeFile(join(store.root, `${fsObjectStoreTempPrefix}stray`), 'partial');
      await writeFile(join(store.root, 'data/aa', `${fsObjectStoreTempPrefix}stray`), 'partial');
      await expect(store.put('data/aa/2', failingStream(testBytes(3_000_000), 2_000_000))).rejects.toThrow();
      expect((await collect(store.list(''))).map((info) => info.key)).toEqual(['data/aa/1']);
      expect(await collect(store.list('.holdfast'))).toEqual([]);
      expect((await readdir(join(store.root, 'data/aa'))).sort()).toEqual([`${fsObjectStoreTempPrefix}stray`, '1']);
    });
  });

  it('treats folders as no object, and cannot hold both "a" and "a/b"', async () => {
    await withStore(async (store) => {
      await store.put('a/b', utf8('b'));
      await expectHoldfastError(store.get('a'), 'NOT_FOUND', 'get of a folder');
      await expectHoldfastError(store.get('a', { range: { offset: 0, length: 1 } }), 'NOT_FOUND', 'ranged get');
      await expectHoldfastError(store.head('a'), 'NOT_FOUND', 'head of a folder');
      await store.delete('a');
      await expectHoldfastError(store.put('a', utf8('a')), 'CONFLICT', 'put over a folder');
      await expectHoldfastError(store.put('a/b/c', utf8('c')), 'CONFLICT', 'put under a file');
      await expectHoldfastError(store.get('a/b/c'), 'NOT_FOUND', 'get under a file');
      expect((await collect(store.list(''))).map((info) => info.key)).toEqual(['a/b']);
    });
  });

  it('skips symlinks and other non-files when listing', async () => {
    await withStore(async (store) => {
      await store.put('keys/k1', utf8('k'));
      await mkdir(join(store.root, 'keys/empty-folder'));
      await symlink(join(store.root, 'keys/k1'), join(store.root, 'keys/link'));
      expect((await collect(store.list('keys/'))).map((info) => info.key)).toEqual(['keys/k1']);
    });
  });

  it('lists a folder of 1200 keys page by page, and a missing root as empty', async () => {
    await withStore(async (store) => {
      expect(await collect(store.list(''))).toEqual([]);
      const keys = Array.from({ length: 1200 }, (_, index) => `index/${index.toString().padStart(5, '0')}`);
      await store.put(keys[0] ?? '', utf8(keys[0] ?? ''));
      // The rest written directly: this tests listing, and 1200 fsynced puts would only slow it down.
      await Promise.all(keys.slice(1).map(async (key) => writeFile(join(store.root, key), key)));
      const listed = await collect(store.list('index/', { pageSize: 7 }));
      expect(listed.map((info) => info.key).sort()).toEqual(keys);
      expect(listed.every((info) => info.size === 11 && info.lastModified instanceof Date)).toBe(true);
    });
  }, 20_000);

  it('streams large reads in 1 MiB blocks and small ranges in one chunk', async () => {
    await withStore(async (store) => {
      const bytes = testBytes(3 * 1024 * 1024 + 10);
      await store.put('data/pack', bytes);
      const chunks = await collect(await store.get('data/pack'));
      expect(chunks.map((chunk) => chunk.length)).toEqual([1048576, 1048576, 1048576, 10]);
      const ranged = await collect(await store.get('data/pack', { range: { offset: 5, length: 1024 * 1024 } }));
      expect(ranged.map((chunk) => chunk.length)).toEqual([1048576]);
      expect(
        await collectBytes(await store.get('data/pack', { range: { offset: bytes.length - 3, length: 50 } })),
      ).toEqual(bytes.subarray(bytes.length - 3));
    });
  });

  it('rejects puts under a root that is a file with ConflictError', async () => {
    await withStore(async (_store, parent) => {
      await writeFile(join(parent, 'file'), 'x');
      const store = new FsObjectStore(join(parent, 'file', 'repo'));
      await expectHoldfastError(store.put('config', utf8('x')), 'CONFLICT');
      await expectHoldfastError(store.get('config'), 'NOT_FOUND');
      expect(await collect(store.list(''))).toEqual([]);
    });
  });

  it('refuses a bad listPageSize', () => {
    expect(() => new FsObjectStore('/tmp/x', { listPageSize: 0 })).toThrow('listPageSize');
    expect(new FsObjectStore('relative/repo').root).toBe(join(process.cwd(), 'relative/repo'));
    expect(new FsObjectStore('/srv/repo').name).toBe('fs:/srv/repo');
  });
});
