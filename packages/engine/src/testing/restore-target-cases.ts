/**
 * RestoreTarget conformance cases. Titles and the context are in `restore-target-suite.ts`.
 */
import { expect } from 'vitest';
import type { RestoreTarget, TargetEntry, WriteFileOptions } from '../ports/index.ts';
import {
  abortedSignal,
  chunkedStream,
  collect,
  expectBytes,
  expectCanceled,
  expectHoldfastError,
  failingStream,
  testBytes,
  utf8,
} from './bytes.ts';
import type { RestoreTargetContext, restoreTargetTests } from './restore-target-suite.ts';

/** One case: gets a function that creates its (empty) target. */
type RestoreTargetCase = (use: () => Promise<RestoreTargetContext>) => Promise<void>;

/** Writes `bytes` at `path` as a stream of odd-sized chunks. */
async function write(
  target: RestoreTarget,
  path: string,
  bytes: Uint8Array,
  options: Partial<WriteFileOptions> = {},
): Promise<void> {
  await target.writeFile(path, chunkedStream(bytes), { overwrite: false, ...options, size: bytes.length });
}

/** The entries of a folder as `type path size`, sorted. */
async function listing(target: RestoreTarget, path: string): Promise<string[]> {
  const entries: TargetEntry[] = await collect(target.list(path));
  return entries
    .map((entry) => `${entry.type} ${entry.path}${entry.type === 'file' ? ` ${String(entry.size)}` : ''}`)
    .sort();
}

/** Asserts a file of `bytes` is at `path`: stat says so, and reading it back gives the bytes. */
async function expectFile(context: RestoreTargetContext, path: string, bytes: Uint8Array): Promise<void> {
  const entry = await context.target.stat(path);
  expect(entry?.type, `stat of ${path}`).toBe('file');
  expect(entry?.size, `size of ${path}`).toBe(bytes.length);
  expectBytes(await context.read(path), bytes, `content of ${path}`);
}

/** Paths no target may act on. */
const unsafePaths = ['../x', '..', 'a/../../x', '/etc/holdfast-x', 'a//b', './a', 'a/./b', 'a/', 'a\0b'];

/** The RestoreTarget cases. */
export const restoreTargetCases = {
  async capabilities(use) {
    const { target } = await use();
    expect(typeof target.name).toBe('string');
    expect(target.name.length).toBeGreaterThan(0);
    for (const flag of ['caseSensitive', 'symlinks', 'modificationTimes'] as const) {
      expect(typeof target.capabilities[flag], flag).toBe('boolean');
    }
  },
  async createFolderNested(use) {
    const { target } = await use();
    await target.createFolder('a/b/c');
    for (const path of ['a', 'a/b', 'a/b/c']) expect((await target.stat(path))?.type, path).toBe('folder');
    expect(await listing(target, '')).toEqual(['folder a']);
    expect(await listing(target, 'a/b')).toEqual(['folder a/b/c']);
  },
  async createFolderIdempotent(use) {
    const { target } = await use();
    await target.createFolder('x/y');
    await write(target, 'x/y/kept.txt', utf8('kept'));
    await target.createFolder('x/y');
    await target.createFolder('x');
    expect(await listing(target, 'x/y')).toEqual(['file x/y/kept.txt 4']);
  },
  async createFolderConflict(use) {
    const context = await use();
    await write(context.target, 'file', utf8('a file'));
    await expectHoldfastError(context.target.createFolder('file'), 'CONFLICT', 'createFolder onto a file');
    await expectHoldfastError(context.target.createFolder('file/sub'), 'CONFLICT', 'createFolder through a file');
    await expectFile(context, 'file', utf8('a file'));
  },
  async writeFile(use) {
    const context = await use();
    const bytes = testBytes(100_000, 1);
    await write(context.target, 'data.bin', bytes);
    await expectFile(context, 'data.bin', bytes);
  },
  async writeEmpty(use) {
    const context = await use();
    await write(context.target, 'empty', new Uint8Array(0));
    await expectFile(context, 'empty', new Uint8Array(0));
  },
  async writeLarge(use) {
    const context = await use();
    const bytes = testBytes(10 * 1024 * 1024 + 1, 10);
    await write(context.target, 'large.bin', bytes);
    await expectFile(context, 'large.bin', bytes);
  },
  async writeNested(use) {
    const context = await use();
    await context.target.createFolder('one/two/three');
    await write(context.target, 'one/two/three/file.txt', utf8('nested'));
    await expectFile(context, 'one/two/three/file.txt', utf8('nested'));
    expect(await listing(context.target, 'one/two/three')).toEqual(['file one/two/three/file.txt 6']);
  },
  async writeNoOverwrite(use) {
    const context = await use();
    await write(context.target, 'kept.txt', utf8('first'));
    await expectHoldfastError(
      write(context.target, 'kept.txt', utf8('second')),
      'CONFLICT',
      'writeFile without overwrite',
    );
    await expectFile(context, 'kept.txt', utf8('first'));
  },
  async writeOverwrite(use) {
    const context = await use();
    await write(context.target, 'replaced.bin', testBytes(50_000, 1));
    await write(context.target, 'replaced.bin', utf8('short'), { overwrite: true });
    await expectFile(context, 'replaced.bin', utf8('short'));
    expect(await listing(context.target, '')).toEqual(['file replaced.bin 5']);
  },
  async writeOntoFolder(use) {
    const { target } = await use();
    await target.createFolder('folder/inner');
    for (const overwrite of [false, true]) {
      await expectHoldfastError(
        write(target, 'folder', utf8('x'), { overwrite }),
        'CONFLICT',
        `overwrite: ${String(overwrite)}`,
      );
    }
    expect((await target.stat('folder'))?.type).toBe('folder');
    expect(await listing(target, 'folder')).toEqual(['folder folder/inner']);
  },
  async writeFailing(use) {
    const { target } = await use();
    const bytes = testBytes(3 * 1024 * 1024, 2);
    const failing = target.writeFile('failed.bin', failingStream(bytes, 2 * 1024 * 1024 + 3), {
      size: bytes.length,
      overwrite: false,
    });
    await expect(failing).rejects.toBeDefined();
    expect(await target.stat('failed.bin')).toBeUndefined();
    expect(await listing(target, '')).toEqual([]);
  },
  async writeFailingOverwrite(use) {
    const context = await use();
    const original = testBytes(20_000, 3);
    await write(context.target, 'kept.bin', original);
    const bytes = testBytes(2 * 1024 * 1024, 4);
    const failing = context.target.writeFile('kept.bin', failingStream(bytes, 1024 * 1024), {
      size: bytes.length,
      overwrite: true,
    });
    await expect(failing).rejects.toBeDefined();
    await expectFile(context, 'kept.bin', original);
    expect(await listing(context.target, '')).toEqual(['file kept.bin 20000']);
  },
  async modifiedAt(use) {
    const context = await use();
    const modifiedAt = '2021-03-04T05:06:07.000Z';
    await write(context.target, 'dated.txt', utf8('dated'), { modifiedAt });
    await expectFile(context, 'dated.txt', utf8('dated'));
    if (context.target.capabilities.modificationTimes) {
      const entry = await context.target.stat('dated.txt');
      expect(entry?.modifiedAt, 'stat modifiedAt').toBeDefined();
      expect(Date.parse(entry?.modifiedAt ?? ''), `stat modifiedAt ${String(entry?.modifiedAt)}`).toBe(
        Date.parse(modifiedAt),
      );
    }
  },
  async statMissing(use) {
    const { target } = await use();
    expect(await target.stat('missing')).toBeUndefined();
    expect(await target.stat('missing/deeper')).toBeUndefined();
    await target.createFolder('present');
    expect(await target.stat('present/missing')).toBeUndefined();
  },
  async list(use) {
    const { target } = await use();
    await target.createFolder('box/sub');
    await write(target, 'box/a.txt', utf8('aaa'));
    await write(target, 'box/b.bin', testBytes(1500));
    await write(target, 'box/sub/c.txt', utf8('c'));
    expect(await listing(target, 'box')).toEqual(['file box/a.txt 3', 'file box/b.bin 1500', 'folder box/sub']);
    expect(await listing(target, 'box/sub')).toEqual(['file box/sub/c.txt 1']);
  },
  async listRoot(use) {
    const { target } = await use();
    expect(await listing(target, '')).toEqual([]);
    await target.createFolder('top');
    await write(target, 'top.txt', utf8('t'));
    expect(await listing(target, '')).toEqual(['file top.txt 1', 'folder top']);
  },
  async listMissing(use) {
    const { target } = await use();
    await expectHoldfastError(collect(target.list('missing')), 'NOT_FOUND', 'list of a missing folder');
    await write(target, 'file.txt', utf8('f'));
    await expectHoldfastError(collect(target.list('file.txt')), 'NOT_FOUND', 'list of a file');
  },
  async removeFile(use) {
    const { target } = await use();
    await write(target, 'gone.txt', utf8('gone'));
    await write(target, 'kept.txt', utf8('kept'));
    await target.remove('gone.txt');
    expect(await target.stat('gone.txt')).toBeUndefined();
    expect(await listing(target, '')).toEqual(['file kept.txt 4']);
  },
  async removeFolder(use) {
    const { target } = await use();
    await target.createFolder('tree/deep/er');
    await write(target, 'tree/deep/er/f.txt', utf8('f'));
    await write(target, 'tree/g.txt', utf8('g'));
    await target.remove('tree');
    expect(await target.stat('tree')).toBeUndefined();
    expect(await listing(target, '')).toEqual([]);
  },
  async removeMissing(use) {
    const { target } = await use();
    await target.remove('missing');
    await target.remove('missing/deeper');
  },
  async unsafePaths(use) {
    const { target } = await use();
    for (const path of unsafePaths) {
      const at = JSON.stringify(path);
      await expectHoldfastError(target.stat(path), 'VALIDATION', `stat(${at})`);
      await expectHoldfastError(collect(target.list(path)), 'VALIDATION', `list(${at})`);
      await expectHoldfastError(target.createFolder(path), 'VALIDATION', `createFolder(${at})`);
    }
    for (const path of ['', ...unsafePaths]) {
      const at = JSON.stringify(path);
      await expectHoldfastError(write(target, path, utf8('x')), 'VALIDATION', `writeFile(${at})`);
      await expectHoldfastError(target.remove(path), 'VALIDATION', `remove(${at})`);
      if (target.createSymlink !== undefined) {
        await expectHoldfastError(target.createSymlink(path, 'x'), 'VALIDATION', `createSymlink(${at})`);
      }
    }
    expect(await listing(target, '')).toEqual([]);
  },
  async symlinks(use) {
    const { target } = await use();
    expect(typeof target.createSymlink === 'function', 'createSymlink is defined').toBe(target.capabilities.symlinks);
    if (target.createSymlink === undefined) return;
    await target.createSymlink('link', 'does-not-exist');
    expect((await target.stat('link'))?.type).toBe('symlink');
    await expectHoldfastError(target.createSymlink('link', 'elsewhere'), 'CONFLICT', 'createSymlink onto a symlink');
    await write(target, 'file.txt', utf8('f'));
    await expectHoldfastError(target.createSymlink('file.txt', 'x'), 'CONFLICT', 'createSymlink onto a file');
    expect(await listing(target, '')).toEqual(['file file.txt 1', 'symlink link']);
    await target.remove('link');
    expect(await target.stat('link')).toBeUndefined();
  },
  async caseSensitivity(use) {
    const context = await use();
    const { target } = context;
    await write(target, 'Case.txt', utf8('upper'));
    if (target.capabilities.caseSensitive) {
      await write(target, 'case.txt', utf8('lower!'));
      await expectFile(context, 'Case.txt', utf8('upper'));
      await expectFile(context, 'case.txt', utf8('lower!'));
      expect(await target.stat('CASE.TXT')).toBeUndefined();
    } else {
      expect((await target.stat('CASE.TXT'))?.type).toBe('file');
      await expectHoldfastError(write(target, 'case.txt', utf8('lower!')), 'CONFLICT', 'writeFile of a case variant');
    }
  },
  async unicode(use) {
    const context = await use();
    await context.target.createFolder('Ünïcødé 日本 😀');
    await write(context.target, 'Ünïcødé 日本 😀/naïve café 😀.txt', utf8('ü'));
    await expectFile(context, 'Ünïcødé 日本 😀/naïve café 😀.txt', utf8('ü'));
    expect(await listing(context.target, 'Ünïcødé 日本 😀')).toEqual(['file Ünïcødé 日本 😀/naïve café 😀.txt 2']);
  },
  async abort(use) {
    const { target } = await use();
    const { signal, reason } = abortedSignal();
    await expectCanceled(
      target.writeFile('a.txt', chunkedStream(utf8('a')), { size: 1, overwrite: false, signal }),
      reason,
    );
    await expectCanceled(target.createFolder('f', { signal }), reason, 'createFolder');
    const controller = new AbortController();
    const bytes = testBytes(3 * 1024 * 1024, 5);
    async function* body(): AsyncGenerator<Uint8Array, void, undefined> {
      await Promise.resolve();
      yield bytes.slice(0, 1024 * 1024);
      controller.abort(reason);
      yield bytes.slice(1024 * 1024);
    }
    const midway = target.writeFile('b.bin', body(), {
      size: bytes.length,
      overwrite: false,
      signal: controller.signal,
    });
    await expectCanceled(midway, reason, 'a writeFile aborted midway');
    expect(await listing(target, '')).toEqual([]);
  },
} satisfies Record<keyof typeof restoreTargetTests, RestoreTargetCase>;
