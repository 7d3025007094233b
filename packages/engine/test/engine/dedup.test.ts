/**
 * Deduplication with the production chunker (FastCDC, average 1 MiB): a copied or renamed 50 MB file adds
 * almost nothing, and bytes inserted in the middle of a large file add a few chunks, not the file.
 */
import { copyFile, readFile, rename, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import { Repository } from '../../src/repository/repository.ts';
import { Random } from './support/random.ts';
import { tempDir, testKeys } from './support/repo.ts';

const MB = 1_000_000;
let work: Awaited<ReturnType<typeof tempDir>>;
let repo: Repository;
let source: FsSource;

beforeAll(async () => {
  work = await tempDir('dedup');
  await writeFile(join(work.path, 'big.bin'), new Random(1).bytes(50 * MB));
  // Older than the engine's "racily clean" window, so the next runs trust its version.
  await utimes(join(work.path, 'big.bin'), new Date('2026-01-01'), new Date('2026-01-01'));
  repo = await Repository.init(new MemoryObjectStore(), { keyProvider: testKeys() });
  source = new FsSource(work.path);
}, 60_000);
afterAll(async () => {
  await repo.close();
  await work.cleanup();
});

describe('deduplication', () => {
  it('stores a 50 MB file once, then a copy and a rename for (almost) nothing', async () => {
    const first = await repo.backup(source, fsSourceEntityId);
    expect(first.stats.bytesAdded).toBeGreaterThan(50 * MB);
    expect(first.stats.bytesAdded).toBeLessThan(51 * MB);

    await copyFile(join(work.path, 'big.bin'), join(work.path, 'copy.bin'));
    const copied = await repo.backup(source, fsSourceEntityId);
    expect(copied.stats.newFiles).toBe(1);
    expect(copied.stats.bytesRead).toBe(50 * MB);
    expect(copied.stats.bytesAdded).toBeLessThan(64 * 1024);

    await rename(join(work.path, 'copy.bin'), join(work.path, 'renamed.bin'));
    const renamed = await repo.backup(source, fsSourceEntityId);
    expect(renamed.stats.bytesAdded).toBeLessThan(64 * 1024);
  }, 120_000);

  it('stores an insertion in the middle of a large file as a few new chunks', async () => {
    const path = join(work.path, 'big.bin');
    const original = await readFile(path);
    const middle = 25 * MB;
    await writeFile(
      path,
      Buffer.concat([
        original.subarray(0, middle),
        Buffer.from('inserted bytes shift everything after'),
        original.subarray(middle),
      ]),
    );
    const edited = await repo.backup(source, fsSourceEntityId);
    expect(edited.stats.newFiles).toBe(0);
    expect(edited.stats.changedFiles).toBeGreaterThanOrEqual(1);
    // An insertion changes the chunk it lands in (and maybe a neighbour): at most 8 MiB each, 1 MiB on average.
    expect(edited.stats.bytesAdded).toBeLessThan(4 * 1024 * 1024 + 64 * 1024);
    expect(edited.stats.bytesAdded).toBeGreaterThan(0);
  }, 120_000);
});
