/**
 * `Repository.forget` over real backups: snapshots of two folders (two entities) taken on chosen days
 * (only `Date` is faked: the snapshot time comes from it), then retention applied per entity.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FsRestoreTarget, FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import { ConflictError } from '../../src/errors/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import type { Repository } from '../../src/repository/repository.ts';
import { dirState, stateDifferences } from './support/dir-state.ts';
import { initSmallRepository, tempDir } from './support/repo.ts';

let cleanups: (() => Promise<void>)[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

async function folder(label: string): Promise<string> {
  const dir = await tempDir(label);
  cleanups.push(dir.cleanup);
  return dir.path;
}

/** Backs up `dir` at `time` after writing `content` into it. */
async function backupAt(repository: Repository, dir: string, time: string, content: string, tags: string[] = []) {
  await mkdir(join(dir, 'docs'), { recursive: true });
  await writeFile(join(dir, 'docs', 'note.txt'), content);
  vi.setSystemTime(new Date(time));
  return repository.backup(new FsSource(dir), fsSourceEntityId, { tags });
}

describe('Repository.forget', () => {
  it('keeps per entity what the policy says, removes the other records, and what is kept still restores', async () => {
    const store = new MemoryObjectStore();
    const repository = await initSmallRepository(store);
    const alice = await folder('alice');
    const bob = await folder('bob');
    const aliceSnapshots = [];
    for (let day = 1; day <= 5; day++) {
      aliceSnapshots.push(await backupAt(repository, alice, `2026-03-0${String(day)}T10:00:00Z`, `alice ${day}`));
    }
    const bobFirst = await backupAt(repository, bob, '2026-01-15T10:00:00Z', 'bob 1');
    await backupAt(repository, bob, '2026-02-15T10:00:00Z', 'bob 2');

    const result = await repository.forget({ keepLast: 2 });

    expect(result.dryRun).toBe(false);
    expect(result.groups).toHaveLength(2);
    expect(result.forgotten).toBe(3);
    expect(result.kept).toBe(4);
    const aliceGroup = result.groups.find((group) => group.source === new FsSource(alice).name);
    expect(aliceGroup?.decisions.map((d) => [d.snapshot.time.slice(0, 10), d.keep, d.reasons])).toEqual([
      ['2026-03-05', true, ['last']],
      ['2026-03-04', true, ['last']],
      ['2026-03-03', false, []],
      ['2026-03-02', false, []],
      ['2026-03-01', false, []],
    ]);
    expect(new Set(result.removed)).toEqual(new Set(aliceSnapshots.slice(0, 3).map((s) => s.id)));
    const left = await repository.snapshots();
    expect(left.map((s) => s.id).sort()).toEqual(
      [
        aliceSnapshots[3]?.id,
        aliceSnapshots[4]?.id,
        bobFirst.id,
        left.find((s) => s.id !== bobFirst.id && s.source === bobFirst.source)?.id,
      ]
        .filter((id) => id !== undefined)
        .sort(),
    );
    expect((await repository.check()).problems).toEqual([]);

    const restored = await folder('restored');
    const outcome = await repository.restore(bobFirst.id, await FsRestoreTarget.open(restored));
    expect(outcome.errors).toEqual([]);
    const expected = await folder('expected');
    await mkdir(join(expected, 'docs'));
    await writeFile(join(expected, 'docs', 'note.txt'), 'bob 1');
    const differences = stateDifferences(await dirState(expected), await dirState(restored)).filter(
      (line) => !line.includes('mtime'),
    );
    expect(differences).toEqual([]);
  });

  it('reports the same decisions on a dry run and removes nothing', async () => {
    const store = new MemoryObjectStore();
    const repository = await initSmallRepository(store);
    const dir = await folder('dry');
    for (let day = 1; day <= 3; day++)
      await backupAt(repository, dir, `2026-04-0${String(day)}T08:00:00Z`, `v${String(day)}`);
    const before = (await repository.snapshots()).map((s) => s.id);

    const dry = await repository.forget({ keepDaily: 1 }, { dryRun: true });

    expect(dry).toMatchObject({ dryRun: true, kept: 1, forgotten: 2, removed: [] });
    expect((await repository.snapshots()).map((s) => s.id)).toEqual(before);
    const real = await repository.forget({ keepDaily: 1 });
    expect(real.groups[0]?.decisions.map((d) => d.keep)).toEqual(dry.groups[0]?.decisions.map((d) => d.keep));
    expect(await repository.snapshots()).toHaveLength(1);
  });

  it('considers only the snapshots the filter matches and keeps tagged ones', async () => {
    const store = new MemoryObjectStore();
    const repository = await initSmallRepository(store);
    const one = await folder('one');
    const two = await folder('two');
    await backupAt(repository, one, '2026-05-01T00:00:00Z', 'a', ['legal-hold']);
    await backupAt(repository, one, '2026-05-02T00:00:00Z', 'b');
    await backupAt(repository, one, '2026-05-03T00:00:00Z', 'c');
    await backupAt(repository, two, '2026-05-01T00:00:00Z', 'x');
    await backupAt(repository, two, '2026-05-02T00:00:00Z', 'y');

    const result = await repository.forget(
      { keepLast: 1, keepTags: ['legal-hold'] },
      { filter: { source: new FsSource(one).name } },
    );

    expect(result.groups).toHaveLength(1);
    expect(result.groups[0]?.decisions.map((d) => [d.snapshot.time.slice(0, 10), d.reasons])).toEqual([
      ['2026-05-03', ['last']],
      ['2026-05-02', []],
      ['2026-05-01', ['tag']],
    ]);
    expect(await repository.snapshots({ source: new FsSource(two).name })).toHaveLength(2);
    expect(await repository.snapshots({ source: new FsSource(one).name })).toHaveLength(2);
  });

  it('waits for nobody: a held lock makes forget fail naming its holder, a dry run still answers', async () => {
    const store = new MemoryObjectStore();
    const repository = await initSmallRepository(store);
    const dir = await folder('locked');
    await backupAt(repository, dir, '2026-06-01T00:00:00Z', 'one');
    await backupAt(repository, dir, '2026-06-02T00:00:00Z', 'two');
    const held = await repository.lock('shared', 'backup');
    try {
      await expect(repository.forget({ keepLast: 1 })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/locked.*backup/) as unknown,
      });
      expect(await repository.snapshots()).toHaveLength(2);
      expect((await repository.forget({ keepLast: 1 }, { dryRun: true })).forgotten).toBe(1);
    } finally {
      await held.release();
    }
  });

  it('refuses an invalid policy before taking a lock or touching anything', async () => {
    const store = new MemoryObjectStore();
    const repository = await initSmallRepository(store);
    const dir = await folder('invalid');
    await backupAt(repository, dir, '2026-07-01T00:00:00Z', 'one');
    await expect(repository.forget({ keepLast: -3 })).rejects.toMatchObject({ code: 'VALIDATION' });
    const locks = [];
    for await (const info of store.list('locks/')) locks.push(info.key);
    expect(locks).toEqual([]);
    expect(await repository.snapshots()).toHaveLength(1);
  });
});

describe('Repository.forget on a store that refuses some deletes (Object Lock retention)', () => {
  it('removes what it may, reports the locked records, and removes them once the store allows it', async () => {
    const inner = new MemoryObjectStore();
    const locked = new Set<string>();
    // A store whose delete of a locked key fails as the S3 adapter's does under Object Lock.
    const store = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'delete') {
          return async (key: string, options?: { signal?: AbortSignal }) => {
            if (locked.has(key)) throw new ConflictError(`${key} is locked until tomorrow`);
            return target.delete(key, options);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const repository = await initSmallRepository(store);
    const dir = await folder('locked');
    const snapshots = [];
    for (let day = 1; day <= 4; day++) {
      snapshots.push(await backupAt(repository, dir, `2026-03-0${String(day)}T10:00:00Z`, `day ${String(day)}`));
    }
    const [oldest, second] = snapshots;
    locked.add(`snapshots/${oldest?.id ?? ''}`);
    const first = await repository.forget({ keepLast: 2 });
    expect(first.locked).toEqual([oldest?.id]);
    expect(first.removed).toEqual([second?.id]);
    expect(first.forgotten).toBe(1);
    expect((await repository.snapshots()).map((s) => s.id)).toContain(oldest?.id);
    locked.clear();
    const later = await repository.forget({ keepLast: 2 });
    expect(later.removed).toEqual([oldest?.id]);
    expect(later.locked).toEqual([]);
    expect(await repository.snapshots()).toHaveLength(2);
  });
});
