/**
 * Crash consistency: a backup that fails at its Nth write, for every N (before the write, midway through
 * it, or after it landed but reported failure), or that is cancelled, leaves a repository that `check`
 * passes; the next backup then completes and both snapshots restore exactly.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors/index.ts';
import { FsRestoreTarget, FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import { Repository } from '../../src/repository/repository.ts';
import { FaultInjectingObjectStore } from '../../src/testing/index.ts';
import { dirState, stateDifferences, type ItemState } from './support/dir-state.ts';
import { Random } from './support/random.ts';
import { createRandomTree, mutate } from './support/random-tree.ts';
import { initSmallRepository, SMALL_PACK, tempDir, testKeys } from './support/repo.ts';

let work: Awaited<ReturnType<typeof tempDir>>;
let sourceA: string;
let sourceB: string;
let stateA: Map<string, ItemState>;
let stateB: Map<string, ItemState>;
let restores = 0;

beforeAll(async () => {
  work = await tempDir('crash');
  sourceA = join(work.path, 'a');
  sourceB = join(work.path, 'b');
  const random = new Random(99);
  await createRandomTree(sourceA, random, { items: 40, bigSize: SMALL_PACK * 2 });
  await createRandomTree(sourceB, new Random(100), { items: 40, bigSize: SMALL_PACK * 2 });
  for (let i = 0; i < 5; i++) await mutate(sourceB, random, SMALL_PACK * 2);
  stateA = await dirState(sourceA);
  stateB = await dirState(sourceB);
}, 60_000);
afterAll(async () => work.cleanup());

type Fault = 'before' | 'midway' | 'after';

/** A store holding one snapshot of A, wrapped so faults can be armed for the next backup. */
async function repositoryWithSnapshotA(): Promise<{
  inner: MemoryObjectStore;
  faulty: FaultInjectingObjectStore;
  arm: (put: number, fault: Fault) => void;
  armAbort: (put: number, controller: AbortController) => void;
  snapshotA: string;
}> {
  const inner = new MemoryObjectStore();
  let decide: (n: number) => Fault | undefined = () => undefined;
  const faulty = new FaultInjectingObjectStore(inner, {
    failOnPut: (n) => decide(n),
    error: (method, key) => new PermanentError(`injected crash at ${method} ${key}`),
  });
  const repo = await initSmallRepository(faulty);
  const a = await repo.backup(new FsSource(sourceA), fsSourceEntityId);
  await repo.close();
  return {
    inner,
    faulty,
    snapshotA: a.id,
    arm: (put, fault) => {
      const base = faulty.counts.put;
      decide = (n) => (n === base + put ? fault : undefined);
    },
    armAbort: (put, controller) => {
      const base = faulty.counts.put;
      decide = (n) => {
        if (n === base + put) controller.abort(new Error('test cancel'));
        return undefined;
      };
    },
  };
}

async function expectConsistentAndRecoverable(inner: MemoryObjectStore, snapshotA: string): Promise<void> {
  const repo = await Repository.open(inner, { keyProvider: testKeys() });
  const report = await repo.check({ readData: true });
  expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  const b = await repo.backup(new FsSource(sourceB), fsSourceEntityId);
  expect(b.status).toBe('complete');
  for (const [id, state] of [
    [snapshotA, stateA],
    [b.id, stateB],
  ] as const) {
    const target = join(work.path, `restore-${String(restores++)}`);
    const result = await repo.restore(id, await FsRestoreTarget.open(target));
    expect(result.errors).toEqual([]);
    expect(stateDifferences(state, await dirState(target))).toEqual([]);
  }
  expect((await repo.check({ readData: true })).ok).toBe(true);
  await repo.close();
}

describe('crash consistency', () => {
  it('survives a failure at every write of a backup', async () => {
    // How many writes does the backup of B make without faults?
    const probe = await repositoryWithSnapshotA();
    const before = probe.faulty.counts.put;
    const repo = await Repository.open(probe.faulty, { keyProvider: testKeys() });
    await repo.backup(new FsSource(sourceB), fsSourceEntityId);
    const writes = probe.faulty.counts.put - before;
    expect(writes).toBeGreaterThan(5);

    const faults: Fault[] = ['before', 'midway', 'after'];
    for (let put = 1; put <= writes; put++) {
      const fault = faults[put % 3] ?? 'before';
      const { inner, faulty, arm, snapshotA } = await repositoryWithSnapshotA();
      const opened = await Repository.open(faulty, { keyProvider: testKeys() });
      arm(put, fault);
      await opened.backup(new FsSource(sourceB), fsSourceEntityId).then(
        () => undefined,
        (error: unknown) => {
          expect((error as Error).message, `write ${String(put)} (${fault})`).toMatch(/injected crash/);
        },
      );
      arm(0, 'before');
      await expectConsistentAndRecoverable(inner, snapshotA);
    }
  }, 300_000);

  it('leaves a consistent repository when a backup is cancelled midway', async () => {
    const { inner, faulty, armAbort, snapshotA } = await repositoryWithSnapshotA();
    const opened = await Repository.open(faulty, { keyProvider: testKeys() });
    const controller = new AbortController();
    armAbort(4, controller);
    await expect(
      opened.backup(new FsSource(sourceB), fsSourceEntityId, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'CANCELED' });
    expect(controller.signal.aborted).toBe(true);
    expect(await opened.snapshots()).toHaveLength(1);
    await expectConsistentAndRecoverable(inner, snapshotA);
  }, 60_000);
});
