/**
 * The engine end to end with its repository in Azurite: init, two backups of a folder (the second
 * incremental: unchanged files are not read again), restore of both snapshots compared byte for byte,
 * `check --read-data`, and an export to an Azure Blob destination whose zip `unzip -t` accepts.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  FsRestoreTarget,
  FsSource,
  fsSourceEntityId,
  PassphraseKeyProvider,
  Repository,
  testingKdfParams,
} from '@holdfast/engine';
import { collect } from '@holdfast/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobExportDestination, AzureBlobObjectStore } from '../../src/azure-blob/index.ts';
import { type Azurite, startAzurite } from './azurite.ts';

let azurite: Azurite;
let work: string;
beforeAll(async () => {
  azurite = await startAzurite();
  work = await mkdtemp(join(tmpdir(), 'holdfast-azure-repo-'));
}, 60_000);
afterAll(async () => {
  await (azurite as Azurite | undefined)?.stop();
  if ((work as string | undefined) !== undefined) await rm(work, { recursive: true, force: true });
});

/** Every file under `root`, by relative path, with its bytes. */
async function files(root: string): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    found.set(relative(root, path).split('\\').join('/'), await readFile(path));
  }
  return found;
}

/** Sets the access and modification times of every file under `root`. */
async function setTimes(root: string, time: Date): Promise<void> {
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) await utimes(join(entry.parentPath, entry.name), time, time);
  }
}

/** Asserts `actual` holds exactly the files of `expected`, comparing bytes. */
function expectSameFiles(actual: Map<string, Buffer>, expected: Map<string, Buffer>, label: string): void {
  expect([...actual.keys()].sort(), label).toEqual([...expected.keys()].sort());
  for (const [path, bytes] of expected) expect(actual.get(path)?.equals(bytes), `${label}: ${path}`).toBe(true);
}

describe('Repository on Azure Blob (Azurite)', () => {
  it('backs up twice (incrementally), restores both, checks every byte, and exports a valid zip', async () => {
    const container = await azurite.newContainer();
    const credentials = { connectionString: azurite.connectionString };
    const store = new AzureBlobObjectStore({ container: container.containerName, prefix: 'repos/alice/', credentials });
    const keyProvider = new PassphraseKeyProvider('correct horse battery staple', { kdf: testingKdfParams });

    const source = join(work, 'source');
    await mkdir(join(source, 'docs', 'deep'), { recursive: true });
    await writeFile(join(source, 'readme.md'), '# hello\n'.repeat(2000));
    await writeFile(join(source, 'docs', 'big.bin'), randomBytes(12 * 1024 * 1024 + 17)); // a staged pack
    await writeFile(join(source, 'docs', 'notes.txt'), 'first version');
    await writeFile(join(source, 'docs', 'deep', 'empty.txt'), '');
    await writeFile(join(source, 'docs', 'gone.txt'), 'deleted before the second backup');
    await writeFile(join(source, 'näme with spaces.txt'), 'unicode');
    // Times well before the backup: files modified just before a run are read again by the next ("racily
    // clean"), which would hide whether unchanged files are reused.
    await setTimes(source, new Date('2025-01-01T00:00:00Z'));
    const before = await files(source);

    const repository = await Repository.init(store, { keyProvider });
    const first = await repository.backup(new FsSource(source), fsSourceEntityId);
    expect(first.status, JSON.stringify(first.errors)).toBe('complete');
    expect(first.stats.newFiles).toBe(6);

    // Change one file (a new size and time), add one, delete one.
    await writeFile(join(source, 'docs', 'notes.txt'), 'second version, longer');
    await writeFile(join(source, 'docs', 'added.bin'), randomBytes(300_000));
    for (const file of ['notes.txt', 'added.bin']) {
      await utimes(join(source, 'docs', file), new Date('2025-06-01T00:00:00Z'), new Date('2025-06-01T00:00:00Z'));
    }
    await unlink(join(source, 'docs', 'gone.txt'));
    const after = await files(source);

    const second = await repository.backup(new FsSource(source), fsSourceEntityId);
    expect(second.status, JSON.stringify(second.errors)).toBe('complete');
    expect(second.parent).toBe(first.id);
    expect(second.stats).toMatchObject({ newFiles: 1, changedFiles: 1, unchangedFiles: 4, deletedItems: 1 });
    expect(second.stats.bytesRead).toBe(300_000 + 'second version, longer'.length); // big.bin not re-read

    for (const [snapshot, expected, label] of [
      [first, before, 'first'],
      [second, after, 'second'],
    ] as const) {
      const target = join(work, `restore-${label}`);
      const result = await repository.restore(snapshot.id, await FsRestoreTarget.open(target));
      expect(result.errors, label).toEqual([]);
      expectSameFiles(await files(target), expected, `restore of the ${label} snapshot`);
    }

    // The pack holding big.bin is larger than one 8 MiB block: it was staged and committed as blocks.
    const packs = (await collect(store.list('data/'))).sort((a, b) => b.size - a.size);
    expect(packs[0]?.size).toBeGreaterThan(12 * 1024 * 1024);
    const blocks = await container.getBlockBlobClient(`repos/alice/${packs[0]?.key ?? ''}`).getBlockList('committed');
    expect(blocks.committedBlocks?.map((block) => block.size).slice(0, 1)).toEqual([8 * 1024 * 1024]);

    const report = await repository.check({ readData: true });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);

    const destination = new AzureBlobExportDestination({
      container: container.containerName,
      prefix: 'exports/',
      credentials,
    });
    const exported = await repository.export(second, destination, { name: 'alice.zip' });
    expect(exported.location.location).toBe(container.getBlobClient('exports/alice.zip').url);
    expect(exported).toMatchObject({ files: 6, skipped: 0 });
    const zip = join(work, 'alice.zip');
    await container.getBlobClient('exports/alice.zip').downloadToFile(zip);
    const unzip = spawnSync('unzip', ['-t', zip], { encoding: 'utf8' });
    expect(unzip.status, unzip.stdout + unzip.stderr).toBe(0);
    expect(unzip.stdout).toMatch(/No errors detected/);
    await repository.close();

    // The repository reopens from the store alone, and lives only under the prefix.
    const reopened = await Repository.open(store, { keyProvider });
    expect((await reopened.snapshots()).map((snapshot) => snapshot.id).sort()).toEqual([first.id, second.id].sort());
    await reopened.close();
    for await (const blob of container.listBlobsFlat()) expect(blob.name).toMatch(/^(repos\/alice|exports)\//);
  });
});
