import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsRestoreTarget, fsRestoreTargetTempPrefix } from '../../src/fs/index.ts';
import {
  chunkedStream,
  collect,
  describeRestoreTarget,
  expectHoldfastError,
  failingStream,
  testBytes,
  utf8,
} from '../../src/testing/index.ts';
import type { RestoreTarget } from '../../src/ports/index.ts';
import { removeFolder, tempFolder } from './fs-fixtures.ts';

const parents = new Map<RestoreTarget, string>();

async function createTarget(options: { durable?: boolean } = {}): Promise<{
  target: FsRestoreTarget;
  read: (path: string) => Promise<Uint8Array>;
}> {
  const parent = await tempFolder('fs-restore');
  const root = join(parent, 'target');
  const target = await FsRestoreTarget.open(root, options);
  parents.set(target, parent);
  return { target, read: async (path) => readFile(join(root, path)) };
}

for (const durable of [false, true]) {
  describeRestoreTarget({
    name: `FsRestoreTarget (durable: ${String(durable)})`,
    create: async () => createTarget({ durable }),
    cleanup: async ({ target }) => removeFolder(parents.get(target) ?? ''),
  });
}

/** Runs `test` with a target at `<temp>/target` and a sibling folder `<temp>/outside` holding one file. */
async function withTarget(test: (target: FsRestoreTarget, outside: string) => Promise<void>): Promise<void> {
  const { target } = await createTarget();
  const outside = join(parents.get(target) ?? '', 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'keep.txt'), 'outside');
  try {
    await test(target, outside);
    expect(await readdir(outside), 'nothing changed outside the root').toEqual(['keep.txt']);
    expect(await readFile(join(outside, 'keep.txt'), 'utf8')).toBe('outside');
  } finally {
    await removeFolder(parents.get(target) ?? '');
  }
}

const write = async (target: FsRestoreTarget, path: string, text: string, overwrite = false): Promise<void> =>
  target.writeFile(path, chunkedStream(utf8(text)), { size: utf8(text).length, overwrite });

describe('FsRestoreTarget on disk', () => {
  it('refuses every path through a symlink that points outside the root', async () => {
    await withTarget(async (target, outside) => {
      await symlink(outside, join(target.root, 'escape'));
      await expectHoldfastError(write(target, 'escape/x.txt', 'x'), 'VALIDATION', 'writeFile');
      await expectHoldfastError(write(target, 'escape/keep.txt', 'x', true), 'VALIDATION', 'overwrite');
      await expectHoldfastError(target.createFolder('escape/sub'), 'VALIDATION', 'createFolder under');
      await expectHoldfastError(target.createFolder('escape'), 'VALIDATION', 'createFolder at');
      await expectHoldfastError(target.createSymlink('escape/l', '/'), 'VALIDATION', 'createSymlink');
      await expectHoldfastError(target.stat('escape/keep.txt'), 'VALIDATION', 'stat');
      await expectHoldfastError(collect(target.list('escape/sub')), 'VALIDATION', 'list under');
      await expectHoldfastError(collect(target.list('escape')), 'NOT_FOUND', 'list of the symlink');
      await expectHoldfastError(target.remove('escape/keep.txt'), 'VALIDATION', 'remove');
      expect((await target.stat('escape'))?.type).toBe('symlink');
      await target.remove('escape');
      expect(await readdir(target.root)).toEqual([]);
    });
  });

  it('refuses writing through a symlink the restore created, also where a folder was removed', async () => {
    await withTarget(async (target, outside) => {
      await target.createFolder('a/b');
      await write(target, 'a/b/f.txt', 'f');
      await target.remove('a');
      await target.createSymlink('a', outside);
      await expectHoldfastError(write(target, 'a/x.txt', 'x'), 'VALIDATION', 'through a restored symlink');
      await expectHoldfastError(target.createFolder('a/b'), 'VALIDATION', 'createFolder');
      expect(await readlink(join(target.root, 'a'))).toBe(outside);
    });
  });

  it('replaces a symlink itself, never its target, when overwriting', async () => {
    await withTarget(async (target, outside) => {
      await target.createSymlink('link.txt', join(outside, 'keep.txt'));
      await expectHoldfastError(write(target, 'link.txt', 'new'), 'CONFLICT', 'without overwrite');
      await write(target, 'link.txt', 'new', true);
      expect((await lstat(join(target.root, 'link.txt'))).isFile()).toBe(true);
      expect(await readFile(join(target.root, 'link.txt'), 'utf8')).toBe('new');
    });
  });

  it.each(['a\\b', '..\\x', 'a/b\\..\\..\\c'])('refuses the backslash path %j', async (path) => {
    await withTarget(async (target) => {
      await expectHoldfastError(write(target, path, 'x'), 'VALIDATION');
      await expectHoldfastError(target.createFolder(path), 'VALIDATION');
    });
  });

  it('sets mode (without set-id bits) and modifiedAt to the millisecond', async () => {
    await withTarget(async (target) => {
      const modifiedAt = '2020-01-02T03:04:05.678Z';
      await target.writeFile('m.sh', chunkedStream(utf8('#!')), {
        size: 2,
        overwrite: false,
        mode: 0o4751,
        modifiedAt,
      });
      const info = await stat(join(target.root, 'm.sh'));
      expect(info.mode & 0o7777).toBe(0o751);
      expect((await target.stat('m.sh'))?.modifiedAt).toBe(modifiedAt);
      const invalid = { size: 1, overwrite: false };
      await expectHoldfastError(
        target.writeFile('x', chunkedStream(utf8('x')), { ...invalid, modifiedAt: 'yesterday' }),
        'VALIDATION',
      );
      await expectHoldfastError(
        target.writeFile('x', chunkedStream(utf8('x')), { ...invalid, mode: 0o10000 }),
        'VALIDATION',
      );
      await expectHoldfastError(
        target.writeFile('x', chunkedStream(utf8('x')), { ...invalid, size: -1 }),
        'VALIDATION',
      );
    });
  });

  it('refuses content of the wrong size and leaves no file nor temp file after failures', async () => {
    await withTarget(async (target) => {
      await expectHoldfastError(
        target.writeFile('short.txt', chunkedStream(utf8('abc')), { size: 4, overwrite: false }),
        'INTEGRITY',
      );
      await expect(
        target.writeFile('failed.bin', failingStream(testBytes(100_000), 50_000), { size: 100_000, overwrite: false }),
      ).rejects.toThrow();
      expect(await readdir(target.root)).toEqual([]);
    });
  });

  it('rejects a write whose parent is missing (NotFoundError) or a file (ConflictError)', async () => {
    await withTarget(async (target) => {
      await expectHoldfastError(write(target, 'missing/x.txt', 'x'), 'NOT_FOUND');
      await write(target, 'file', 'f');
      await expectHoldfastError(write(target, 'file/x.txt', 'x'), 'CONFLICT');
      await expectHoldfastError(target.createSymlink('file/l', 'x'), 'CONFLICT');
    });
  });

  it('never lists its temp files', async () => {
    await withTarget(async (target) => {
      await writeFile(join(target.root, `${fsRestoreTargetTempPrefix}abc.tmp`), 'partial');
      await write(target, 'real.txt', 'r');
      expect((await collect(target.list(''))).map((entry) => entry.path)).toEqual(['real.txt']);
    });
  });

  it('probes case sensitivity once at open, unless told', async () => {
    await withTarget(async (target) => {
      // The temp folders of this suite are on a case-sensitive Linux file system.
      if (process.platform === 'linux') expect(target.capabilities.caseSensitive).toBe(true);
      expect((await FsRestoreTarget.open(target.root, { caseSensitive: false })).capabilities.caseSensitive).toBe(
        false,
      );
      expect(new FsRestoreTarget(target.root, { caseSensitive: true }).capabilities).toEqual({
        caseSensitive: true,
        symlinks: true,
        modificationTimes: true,
      });
      expect(await readdir(target.root), 'the probe file is gone').toEqual([]);
    });
  });

  it('reports the root as a folder, and treats createFolder("") as a no-op', async () => {
    await withTarget(async (target) => {
      expect((await target.stat(''))?.type).toBe('folder');
      await target.createFolder('');
      await expectHoldfastError(target.remove(''), 'VALIDATION');
      expect(target.name).toBe(`fs:${target.root}`);
    });
  });
});
