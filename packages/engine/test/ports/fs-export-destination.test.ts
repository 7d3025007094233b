import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsExportDestination, fsExportTempPrefix } from '../../src/fs/index.ts';
import {
  chunkedStream,
  describeExportDestination,
  expectHoldfastError,
  failingStream,
  testBytes,
  utf8,
} from '../../src/testing/index.ts';
import type { ExportDestination } from '../../src/ports/index.ts';
import { removeFolder, tempFolder } from './fs-fixtures.ts';

const parents = new Map<ExportDestination, string>();

describeExportDestination({
  name: 'FsExportDestination',
  create: async () => {
    const parent = await tempFolder('fs-export');
    const destination = new FsExportDestination(join(parent, 'exports'));
    parents.set(destination, parent);
    return { destination, read: async (location) => readFile(location) };
  },
  cleanup: async ({ destination }) => removeFolder(parents.get(destination) ?? ''),
});

async function withDestination(test: (destination: FsExportDestination) => Promise<void>): Promise<void> {
  const parent = await tempFolder('fs-export');
  try {
    await test(new FsExportDestination(join(parent, 'exports')));
  } finally {
    await removeFolder(parent);
  }
}

describe('FsExportDestination on disk', () => {
  it('writes to <folder>/<name>, creating the folder, and reports the absolute path', async () => {
    await withDestination(async (destination) => {
      const result = await destination.write('a.zip', chunkedStream(utf8('zip')), { contentType: 'application/zip' });
      expect(result).toEqual({ location: join(destination.folder, 'a.zip'), size: 3 });
      expect(await readdir(destination.folder)).toEqual(['a.zip']);
      expect(destination.name).toBe(`fs:${destination.folder}`);
    });
  });

  it.each(['a\\b.zip', `${fsExportTempPrefix}x.tmp`])('refuses the name %j', async (name) => {
    await withDestination(async (destination) => {
      await expectHoldfastError(destination.write(name, chunkedStream(utf8('x'))), 'VALIDATION');
    });
  });

  it('refuses a name taken by a folder or any file, before reading the content', async () => {
    await withDestination(async (destination) => {
      await mkdir(join(destination.folder, 'folder.zip'), { recursive: true });
      await writeFile(join(destination.folder, 'file.zip'), 'old');
      let pulled = false;
      async function* content(): AsyncGenerator<Uint8Array, void, undefined> {
        await Promise.resolve();
        pulled = true;
        yield utf8('new');
      }
      await expectHoldfastError(destination.write('folder.zip', content()), 'CONFLICT');
      await expectHoldfastError(destination.write('file.zip', content()), 'CONFLICT');
      expect(pulled).toBe(false);
      expect(await readFile(join(destination.folder, 'file.zip'), 'utf8')).toBe('old');
    });
  });

  it('refuses content of a size other than announced, and leaves no temp file after failures', async () => {
    await withDestination(async (destination) => {
      await expectHoldfastError(destination.write('short.zip', chunkedStream(utf8('abc')), { size: 4 }), 'INTEGRITY');
      await expect(destination.write('failed.zip', failingStream(testBytes(2_000_000), 1_500_000))).rejects.toThrow();
      expect(await readdir(destination.folder)).toEqual([]);
    });
  });

  it('lets exactly one of two concurrent writes of one name win', async () => {
    await withDestination(async (destination) => {
      const results = await Promise.allSettled([
        destination.write('race.zip', chunkedStream(testBytes(500_000, 1))),
        destination.write('race.zip', chunkedStream(testBytes(500_000, 2))),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      expect(await readdir(destination.folder)).toEqual(['race.zip']);
    });
  });
});
