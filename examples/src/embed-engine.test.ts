import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { testingKdfParams } from '@holdfast/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embedEngine } from './embed-engine.ts';

/** The folder backed up: a nested folder, a unicode name, an empty file, and content spanning many chunks. */
const files: Record<string, Uint8Array> = {
  'readme.txt': new TextEncoder().encode('hello from the embed-engine example\n'),
  'empty.txt': new Uint8Array(0),
  'Ünïcødé 日本 😀.txt': new TextEncoder().encode('naïve café ☕\n'),
  'nested/deeper/random.bin': new Uint8Array(randomBytes(3 * 1024 * 1024 + 17)),
  'nested/notes.md': new TextEncoder().encode('# notes\n'),
};

/** Every path under `folder`, relative and sorted. */
async function listing(folder: string): Promise<string[]> {
  return (await readdir(folder, { recursive: true })).sort();
}

describe('examples/embed-engine', () => {
  let work = '';

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'holdfast-embed-engine-'));
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('restores the same bytes, reuses unchanged files and checks clean', async () => {
    const source = join(work, 'source');
    // Modified long before the first backup: a file modified less than 2 s before a backup is read again
    // by the next one (it may have changed within one timestamp tick), which would make it "changed".
    const longAgo = new Date('2020-01-01T00:00:00Z');
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(source, path)), { recursive: true });
      await writeFile(join(source, path), content);
      await utimes(join(source, path), longAgo, longAgo);
    }
    const lines: string[] = [];

    const result = await embedEngine({
      source,
      repository: join(work, 'repository'),
      restoreTo: join(work, 'restored'),
      passphrase: 'correct horse battery staple',
      kdf: testingKdfParams,
      log: (line) => lines.push(line),
    });

    const restored = join(work, 'restored');
    expect(await listing(restored)).toEqual(await listing(source));
    for (const [path, content] of Object.entries(files)) {
      expect(new Uint8Array(await readFile(join(restored, path))), path).toEqual(content);
    }
    expect(result.restored).toMatchObject({ files: 5, folders: 2, errors: [] });

    const fileCount = Object.keys(files).length;
    expect(result.first.status).toBe('complete');
    expect(result.first.stats).toMatchObject({ items: 7, newFiles: fileCount, changedFiles: 0, unchangedFiles: 0 });
    expect(result.second.status).toBe('complete');
    expect(result.second.parent).toBe(result.first.id);
    expect(result.second.stats).toMatchObject({
      items: 7,
      newFiles: 0,
      changedFiles: 0,
      unchangedFiles: fileCount,
      failedItems: 0,
      bytesRead: 0,
      blobsAdded: 0,
    });
    expect(result.snapshots.map((snapshot) => snapshot.id)).toEqual([result.first.id, result.second.id]);

    expect(result.check.ok).toBe(true);
    expect(result.check.problems).toEqual([]);
    expect(result.check.stats.snapshots).toBe(2);
    expect(result.check.stats.bytesRead).toBeGreaterThan(files['nested/deeper/random.bin']?.length ?? 0);

    expect(lines).toContain(`0 changes between ${result.first.id.slice(0, 8)} and ${result.second.id.slice(0, 8)}`);
    expect(lines.some((line) => line.startsWith('backup done: 7 items (5 new'))).toBe(true);
  }, 60_000);
});
