/**
 * The engine end to end on the GCS adapter, with the repository in the fake bucket: init, back up a
 * folder, change it, back up again, restore both snapshots and compare every byte, `check --read-data`,
 * and export to a GCS destination whose zip `unzip -t` must accept. The threshold is lowered so packs go
 * through resumable uploads while config, keys, indexes and snapshots go in single requests.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FsRestoreTarget,
  FsSource,
  fsSourceEntityId,
  PassphraseKeyProvider,
  Repository,
  testingKdfParams,
} from '@holdfast/engine';
import { testBytes } from '@holdfast/engine/testing';
import { startFakeGcsServer, type FakeGcsServer } from './fake-gcs-server.ts';
import { destinationOn, emptyPrefix, objectAt, storeOn } from './gcs-test-support.ts';

const run = promisify(execFile);
const KIB = 1024;
const MIB = 1024 * KIB;

let fake: FakeGcsServer;
let work: string;
beforeAll(async () => {
  fake = await startFakeGcsServer();
  work = await mkdtemp(join(tmpdir(), 'holdfast-gcs-repo-'));
});
afterAll(async () => {
  await fake.close();
  await rm(work, { recursive: true, force: true });
});

/** Every file under `root`, by relative path, with its bytes. */
async function filesOf(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(root, path), await readFile(path));
  }
  return files;
}

function expectSameFiles(actual: Map<string, Buffer>, expected: Map<string, Buffer>, label: string): void {
  expect([...actual.keys()].sort(), `${label}: paths`).toEqual([...expected.keys()].sort());
  for (const [path, bytes] of expected) {
    expect(actual.get(path)?.equals(bytes), `${label}: ${path}`).toBe(true);
  }
}

describe('a Holdfast repository in GCS (the fake JSON API)', () => {
  it('backs up twice, restores both snapshots byte for byte, checks with read-data and exports a valid zip', async () => {
    const source = join(work, 'source');
    await mkdir(join(source, 'docs', 'nested'), { recursive: true });
    await writeFile(join(source, 'big.bin'), testBytes(3 * MIB + 17, 1));
    await writeFile(join(source, 'docs', 'notes.txt'), 'first version\n'.repeat(500));
    await writeFile(join(source, 'docs', 'nested', 'ü 日本.txt'), 'unicode name');
    await writeFile(join(source, 'empty'), '');
    const firstState = await filesOf(source);

    const store = storeOn(fake, { resumableThreshold: 512 * KIB, chunkSize: 256 * KIB });
    const keyProvider = new PassphraseKeyProvider('correct horse battery staple', { kdf: testingKdfParams });
    try {
      const repository = await Repository.init(store, {
        keyProvider,
        packSize: MIB,
        chunker: { minSize: 64 * KIB, avgSize: 128 * KIB, maxSize: 512 * KIB },
      });
      const first = await repository.backup(new FsSource(source), fsSourceEntityId);
      expect(first.status).toBe('complete');

      await writeFile(join(source, 'docs', 'notes.txt'), 'second version\n'.repeat(700));
      await writeFile(join(source, 'added.bin'), testBytes(700 * KIB, 2));
      await rm(join(source, 'empty'));
      const secondState = await filesOf(source);
      const second = await repository.backup(new FsSource(source), fsSourceEntityId);
      expect(second.status).toBe('complete');
      await repository.close();

      // Reopen from the bucket alone, as another process would.
      const reopened = await Repository.open(store, { keyProvider });
      for (const [snapshot, state, label] of [
        [first, firstState, 'first snapshot'],
        [second, secondState, 'second snapshot'],
      ] as const) {
        const target = join(work, `restore-${snapshot.id}`);
        const result = await reopened.restore(snapshot.id, await FsRestoreTarget.open(target));
        expect(result.errors, label).toEqual([]);
        expectSameFiles(await filesOf(target), state, label);
      }

      const report = await reopened.check({ readData: true });
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.stats.bytesRead).toBeGreaterThan(0);

      const destination = destinationOn(fake, { resumableThreshold: 512 * KIB, chunkSize: 256 * KIB });
      const exported = await reopened.export(second.id, destination, { name: 'second.zip' });
      expect(exported.location.location).toBe(`gs://holdfast-test/${destination.prefix}second.zip`);
      const zip = join(work, 'second.zip');
      await writeFile(zip, objectAt(fake, exported.location.location));
      const { stdout } = await run('unzip', ['-t', zip]);
      expect(stdout).toMatch(/No errors detected/);
      const { stdout: listing } = await run('unzip', ['-Z1', zip]);
      for (const path of secondState.keys()) expect(listing).toContain(path);
      await reopened.close();
      emptyPrefix(fake, destination.prefix);

      // The packs went through resumable uploads, every session was completed or cancelled.
      expect(fake.requests.some((request) => request.kind === 'upload-resumable-start')).toBe(true);
      expect(fake.openSessions).toBe(0);
    } finally {
      emptyPrefix(fake, store.prefix);
    }
  }, 120_000);
});
