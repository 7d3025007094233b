/** Opening, keys, locks, partial snapshots, cancellation, ls and diff through the library API. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import type { ObjectStore, Source, SourceItem } from '../../src/ports/index.ts';
import { AuthError } from '../../src/errors/index.ts';
import { Repository } from '../../src/repository/repository.ts';
import { RequestCountingObjectStore } from '../../src/testing/index.ts';
import { initSmallRepository, tempDir, testKeys } from './support/repo.ts';

let work: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  work = await tempDir('repository');
  await writeFile(join(work.path, 'a.txt'), 'alpha');
  await writeFile(join(work.path, 'b.txt'), 'bravo');
});
afterAll(async () => work.cleanup());

async function keysOf(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list('')) keys.push(`${info.key}:${String(info.size)}`);
  return keys.sort();
}

/** A source that yields what it is given, to test how the engine treats odd sources. */
function scriptedSource(items: SourceItem[], failing: ReadonlySet<string> = new Set()): Source {
  return {
    name: 'scripted',
    capabilities: { changeFeed: false },
    async *listEntities() {
      yield { id: 'e', name: 'E' };
    },
    walk: async () => ({
      mode: 'full',
      entries: (async function* () {
        for (const item of items) yield { kind: 'item' as const, item };
      })(),
      cursor: () => 'cursor-1',
    }),
    openContent: async (_entity, item) => {
      if (failing.has(item.path)) throw new AuthError(`no access to ${item.path}`);
      return (async function* () {
        yield new TextEncoder().encode(`content of ${item.path}`);
      })();
    },
  };
}

describe('Repository', () => {
  it('refuses a wrong passphrase without writing anything, and an existing repository on init', async () => {
    const store = new MemoryObjectStore();
    const repo = await initSmallRepository(store);
    await repo.backup(new FsSource(work.path), fsSourceEntityId);
    const before = await keysOf(store);
    await expect(Repository.open(store, { keyProvider: testKeys('wrong') })).rejects.toMatchObject({
      code: 'AUTH',
      message: expect.stringMatching(/opens none of the 1 key/),
    });
    await expect(initSmallRepository(store)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await keysOf(store)).toEqual(before);
    await expect(Repository.open(new MemoryObjectStore(), { keyProvider: testKeys() })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('adds and rotates keys without re-encrypting data', async () => {
    const store = new RequestCountingObjectStore(new MemoryObjectStore());
    const repo = await initSmallRepository(store);
    await repo.backup(new FsSource(work.path), fsSourceEntityId);
    const added = await repo.addKey(testKeys('second'), 'laptop');
    expect((await repo.keys()).map((key) => key.id)).toContain(added);
    store.reset();
    await repo.rotateKey(testKeys('third'));
    // Rotation writes a key record and removes one: no pack, index or snapshot is touched.
    expect(store.counts.put).toBe(2); // the new key record and the exclusive lock
    expect(store.counts.delete).toBe(2); // the old key record and the lock
    await expect(Repository.open(store, { keyProvider: testKeys() })).rejects.toMatchObject({ code: 'AUTH' });
    const reopened = await Repository.open(store, { keyProvider: testKeys('third') });
    expect(await reopened.snapshots()).toHaveLength(1);
    expect((await Repository.open(store, { keyProvider: testKeys('second') })).keyId).toBe(added);
    await expect(reopened.removeKey(reopened.keyId)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('makes a partial snapshot when an item cannot be read, and keeps the rest', async () => {
    const repo = await initSmallRepository(new MemoryObjectStore());
    const source = scriptedSource(
      [
        { id: '1', path: 'docs', type: 'folder' },
        { id: '2', path: 'docs/ok.txt', type: 'file', size: 20, version: 'v1' },
        { id: '3', path: 'docs/secret.txt', type: 'file', size: 20, version: 'v1' },
      ],
      new Set(['docs/secret.txt']),
    );
    const snapshot = await repo.backup(source, 'e', { tags: ['nightly'] });
    expect(snapshot.status).toBe('partial');
    expect(snapshot.cursor).toBe('cursor-1');
    expect(snapshot.tags).toEqual(['nightly']);
    expect(snapshot.errors).toEqual([
      { path: 'docs/secret.txt', code: 'AUTH', message: 'no access to docs/secret.txt' },
    ]);
    const paths: string[] = [];
    for await (const entry of repo.ls(snapshot.id)) paths.push(entry.path);
    expect(paths).toEqual(['docs', 'docs/ok.txt']);
  });

  it('refuses a walk that yields an item before its folder', async () => {
    const repo = await initSmallRepository(new MemoryObjectStore());
    const source = scriptedSource([{ id: '2', path: 'missing/x.txt', type: 'file', size: 1, version: 'v' }]);
    await expect(repo.backup(source, 'e')).rejects.toThrow(/before its folder/);
    expect(await repo.snapshots()).toEqual([]);
  });

  it('reuses unchanged items without reading them and diffs snapshots', async () => {
    const repo = await initSmallRepository(new MemoryObjectStore());
    const old = '2020-01-01T00:00:00.000Z';
    const items: SourceItem[] = [
      { id: '1', path: 'a.txt', type: 'file', size: 14, version: 'v1', modifiedAt: old },
      { id: '2', path: 'b.txt', type: 'file', size: 14, version: 'v1', modifiedAt: old },
    ];
    const first = await repo.backup(scriptedSource(items), 'e');
    const changed = [
      items[0]!,
      { ...items[1]!, version: 'v2' },
      { id: '3', path: 'c.txt', type: 'file' as const, size: 14, version: 'v1' },
    ];
    const second = await repo.backup(scriptedSource(changed), 'e');
    expect(second.parent).toBe(first.id);
    expect(second.stats).toMatchObject({ unchangedFiles: 1, changedFiles: 1, newFiles: 1, deletedItems: 0 });
    const third = await repo.backup(scriptedSource([changed[0]!]), 'e');
    expect(third.stats.deletedItems).toBe(2);
    const diff: string[] = [];
    for await (const entry of repo.diff(first.id, third.id)) diff.push(`${entry.change} ${entry.path}`);
    expect(diff).toEqual(['removed b.txt']);
  });

  it('names the holder of a conflicting lock, and ignores a stale one', async () => {
    const store = new MemoryObjectStore();
    const repo = await initSmallRepository(store);
    const other = await Repository.open(store, { keyProvider: testKeys() });
    const lock = await other.lock('exclusive', 'prune');
    await expect(repo.backup(new FsSource(work.path), fsSourceEntityId)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/locked \(exclusive, prune\) by .*@.* pid \d+ since \d{4}-/),
    });
    await lock.release();
    await repo.backup(new FsSource(work.path), fsSourceEntityId);

    // A lock not refreshed within staleAfter no longer blocks anyone.
    await other.lock('exclusive', 'prune');
    const patient = await Repository.open(store, { keyProvider: testKeys(), lock: { staleAfter: 0 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(patient.backup(new FsSource(work.path), fsSourceEntityId)).resolves.toMatchObject({
      status: 'complete',
    });
  });
});
