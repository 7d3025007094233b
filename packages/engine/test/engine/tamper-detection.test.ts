/**
 * Tamper detection: one flipped byte in any pack, index or snapshot object is reported by
 * `check --read-data`, and a restore fails loudly for the items it affects while every other item
 * restores exactly. A flipped byte in the config makes opening fail with a clear integrity error.
 */
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore, FsRestoreTarget, FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import { Repository } from '../../src/repository/repository.ts';
import { dirState, type ItemState } from './support/dir-state.ts';
import { Random } from './support/random.ts';
import { createRandomTree } from './support/random-tree.ts';
import { initSmallRepository, SMALL_PACK, tempDir, testKeys } from './support/repo.ts';

let work: Awaited<ReturnType<typeof tempDir>>;
let pristine: string;
let state: Map<string, ItemState>;
let snapshotId: string;
let objects: string[];
let copies = 0;

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

beforeAll(async () => {
  work = await tempDir('tamper');
  const source = join(work.path, 'source');
  await createRandomTree(source, new Random(5), { items: 30, bigSize: SMALL_PACK * 2 });
  state = await dirState(source);
  pristine = join(work.path, 'pristine');
  const repo = await initSmallRepository(new FsObjectStore(pristine));
  snapshotId = (await repo.backup(new FsSource(source), fsSourceEntityId)).id;
  await repo.close();
  objects = (await filesUnder(pristine)).filter((key) => /^(data|index|snapshots)\//.test(key)).sort();
}, 60_000);
afterAll(async () => work.cleanup());

async function tamperedCopy(key: string): Promise<string> {
  const copy = join(work.path, `copy-${String(copies++)}`);
  await cp(pristine, copy, { recursive: true });
  const file = join(copy, key);
  const bytes = await readFile(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  await writeFile(file, bytes);
  return copy;
}

describe('tamper detection', () => {
  it('has packs, index and snapshot objects to tamper with', () => {
    expect(objects.filter((key) => key.startsWith('data/')).length).toBeGreaterThan(2);
    expect(objects.some((key) => key.startsWith('index/'))).toBe(true);
    expect(objects.some((key) => key.startsWith('snapshots/'))).toBe(true);
  });

  it('reports every single flipped byte and restores everything unaffected', async () => {
    for (const key of objects) {
      const copy = await tamperedCopy(key);
      const repo = await Repository.open(new FsObjectStore(copy), { keyProvider: testKeys() });
      const report = await repo.check({ readData: true });
      expect(report.ok, `flipped a byte of ${key}`).toBe(false);
      expect(
        report.problems.some((problem) => problem.severity === 'error'),
        key,
      ).toBe(true);

      if (key.startsWith('snapshots/')) {
        await expect(
          repo.restore(snapshotId, await FsRestoreTarget.open(join(copy, '..', `r-${String(copies)}`))),
        ).rejects.toMatchObject({
          code: 'INTEGRITY',
        });
      } else {
        const target = join(work.path, `restore-of-copy-${String(copies)}`);
        const result = await repo.restore(snapshotId, await FsRestoreTarget.open(target));
        const failed = result.errors.map((error) => error.path);
        if (key.startsWith('data/')) {
          // A damaged pack costs exactly the items whose content or folder listing is in it.
          const damaged = report.problems
            .filter((problem) => problem.path !== undefined)
            .map((problem) => problem.path);
          expect(damaged.length, key).toBeGreaterThan(0);
          expect(failed.length, key).toBeGreaterThan(0);
        } else {
          // A damaged index object is bypassed: the packs' own headers are read instead.
          expect(failed, key).toEqual([]);
        }
        const restored = await dirState(target).catch(() => new Map<string, ItemState>());
        for (const [path, want] of state) {
          const got = restored.get(path);
          const coveredByFailure = failed.some((f) => f === '/' || path === f || path.startsWith(`${f}/`));
          if (got === undefined) expect(coveredByFailure, `${key}: ${path} missing but not reported`).toBe(true);
          else if (want.type === 'file') expect(got, `${key}: ${path}`).toEqual(want);
        }
      }
      await repo.close();
    }
  }, 300_000);

  it('refuses to open a repository whose config was altered', async () => {
    const copy = await tamperedCopy('config');
    await expect(Repository.open(new FsObjectStore(copy), { keyProvider: testKeys() })).rejects.toMatchObject({
      code: 'INTEGRITY',
    });
  });
});
