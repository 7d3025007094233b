/**
 * Round trip, property style: a random tree mutated at random over 22 snapshots; every snapshot must
 * restore exactly as the source was when it was taken (bytes, mtimes, modes, symlinks), and check must
 * pass with --read-data at the end. The seed is printed on failure so a case can be replayed.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsObjectStore, FsRestoreTarget, FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import type { ObjectStore } from '../../src/ports/index.ts';
import { dirState, stateDifferences, type ItemState } from './support/dir-state.ts';
import { Random } from './support/random.ts';
import { createRandomTree, mutate } from './support/random-tree.ts';
import { initSmallRepository, SMALL_PACK, tempDir } from './support/repo.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function roundTrip(seed: number, store: ObjectStore, snapshots: number): Promise<void> {
  const random = new Random(seed);
  const work = await tempDir(`round-trip-${String(seed)}`);
  cleanups.push(work.cleanup);
  const sourceDir = join(work.path, 'source');
  await createRandomTree(sourceDir, random, { items: 60, bigSize: SMALL_PACK * 2 });
  const repo = await initSmallRepository(store);
  const source = new FsSource(sourceDir);
  const expected: { id: string; state: Map<string, ItemState>; log: string[] }[] = [];
  let log: string[] = [];
  for (let i = 0; i < snapshots; i++) {
    const state = await dirState(sourceDir);
    const snapshot = await repo.backup(source, fsSourceEntityId);
    expect(snapshot.status, `seed ${String(seed)} snapshot ${String(i)}: ${JSON.stringify(snapshot.errors)}`).toBe(
      'complete',
    );
    expected.push({ id: snapshot.id, state, log });
    log = [];
    for (let m = random.int(1, 6); m > 0; m--) log.push(await mutate(sourceDir, random, SMALL_PACK * 2));
  }
  for (const [i, { id, state, log: mutations }] of expected.entries()) {
    const target = join(work.path, `restore-${String(i)}`);
    const result = await repo.restore(id, await FsRestoreTarget.open(target));
    expect(result.errors, `seed ${String(seed)} snapshot ${String(i)}`).toEqual([]);
    const differences = stateDifferences(state, await dirState(target));
    expect(differences, `seed ${String(seed)} snapshot ${String(i)} after ${mutations.join('; ')}`).toEqual([]);
  }
  const report = await repo.check({ readData: true });
  expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  expect(report.ok).toBe(true);
  await repo.close();
}

describe('backup and restore round trip', () => {
  it('restores each of 22 snapshots of a randomly mutated tree exactly (memory store)', async () => {
    await roundTrip(20261123, new MemoryObjectStore(), 22);
  }, 120_000);

  it('restores each of 20 snapshots exactly on a local-disk repository (another seed)', async () => {
    const repoDir = await tempDir('round-trip-repo');
    cleanups.push(repoDir.cleanup);
    await roundTrip(7, new FsObjectStore(repoDir.path), 20);
  }, 120_000);
});
