import { execFile } from 'node:child_process';
import { chmod, link, lstat, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import type { Source, SourceItem, WalkEntry } from '../../src/ports/index.ts';
import {
  collect,
  collectBytes,
  describeSource,
  expectHoldfastError,
  testBytes,
  utf8,
} from '../../src/testing/index.ts';
import { fsMutations, removeFolder, tempFolder, writeFixture } from './fs-fixtures.ts';
import { summarizeWalk } from './fs-source-summary.ts';

const roots = new Map<Source, string>();

describeSource({
  name: 'FsSource',
  create: async (fixture) => {
    const root = await tempFolder('fs-source');
    await writeFixture(root, fixture);
    const source = new FsSource(root);
    roots.set(source, root);
    return { source, entityId: fsSourceEntityId, mutate: fsMutations(root) };
  },
  cleanup: async ({ source }) => removeFolder(roots.get(source) ?? ''),
});

/** Runs `test` with a fresh temp folder, removed afterwards (after restoring permissions). */
async function withFolder(test: (root: string) => Promise<void>): Promise<void> {
  const root = await tempFolder('fs-source');
  try {
    await test(root);
  } finally {
    await execFileAsync('chmod', ['-R', 'u+rwx', root]).catch(() => undefined);
    await removeFolder(root);
  }
}

const execFileAsync = promisify(execFile);

async function walkEntries(root: string): Promise<WalkEntry[]> {
  return collect((await new FsSource(root).walk(fsSourceEntityId)).entries);
}

/** The item at `path`; fails the test when there is none. */
function itemAt(items: readonly SourceItem[], path: string): SourceItem {
  const item = items.find((candidate) => candidate.path === path);
  if (item === undefined) expect.fail(`no item at ${path}`);
  return item;
}

async function walkItems(root: string): Promise<SourceItem[]> {
  return (await walkEntries(root)).flatMap((entry) => (entry.kind === 'item' ? [entry.item] : []));
}

describe('FsSource on disk', () => {
  it('reports unreadable files and folders as AuthError entries and walks on', async () => {
    await withFolder(async (root) => {
      await writeFixture(root, [
        { path: 'a.txt', type: 'file', content: utf8('a') },
        { path: 'locked', type: 'folder' },
        { path: 'locked/inner.txt', type: 'file', content: utf8('inner') },
        { path: 'no-exec', type: 'folder' },
        { path: 'no-exec/f.txt', type: 'file', content: utf8('f') },
        { path: 'secret.txt', type: 'file', content: utf8('secret') },
        { path: 'z.txt', type: 'file', content: utf8('z') },
      ]);
      await chmod(join(root, 'locked'), 0o000);
      await chmod(join(root, 'no-exec'), 0o644);
      await chmod(join(root, 'secret.txt'), 0o000);
      const expected = [
        'item file a.txt',
        'error AUTH locked',
        'item folder no-exec',
        'error AUTH no-exec/f.txt',
        'error AUTH secret.txt',
        'item file z.txt',
      ];
      if (process.getuid?.() !== 0) {
        expect(await summarizeWalk(root)).toEqual(expected);
        return;
      }
      // Root reads everything whatever the mode bits, so the walk runs as "nobody" in a child process.
      await chmod(root, 0o755);
      const cli = join(import.meta.dirname, 'fs-source-walk-cli.ts');
      const { stdout } = await execFileAsync(process.execPath, ['--disable-warning=ExperimentalWarning', cli, root], {
        uid: 65534,
        gid: 65534,
      });
      expect(JSON.parse(stdout)).toEqual(expected);
    });
  });

  it('reports names it cannot back up safely as ValidationError entries', async () => {
    await withFolder(async (root) => {
      await writeFile(join(root, 'a.txt'), 'a');
      await writeFile(join(root, 'back\\slash.txt'), 'b');
      await writeFile(
        Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.txt')]),
        'c',
      );
      expect(await summarizeWalk(root)).toEqual([
        'item file a.txt',
        'error VALIDATION back\\slash.txt',
        'error VALIDATION bad-\ufffd\ufffd.txt',
      ]);
    });
  });

  it('orders siblings by the bytes of their UTF-8 names', async () => {
    await withFolder(async (root) => {
      const names = ['b', 'a', 'B', '😀', '\uffff', 'é', 'a b', 'a-b', '_'];
      for (const name of names) await writeFile(join(root, name), name);
      const order = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect((await walkItems(root)).map((item) => item.path)).toEqual(order);
    });
  });

  it('records symlinks, never following them out of the root or into a folder', async () => {
    await withFolder(async (root) => {
      const outside = await tempFolder('fs-source-outside');
      try {
        await writeFile(join(outside, 'private.txt'), 'private');
        await mkdir(join(root, 'in'));
        await symlink(outside, join(root, 'in/out'));
        await symlink('..', join(root, 'in/loop'));
        const items = await walkItems(root);
        expect(items.map((item) => `${item.type} ${item.path} ${item.linkTarget ?? ''}`)).toEqual([
          'folder in ',
          'symlink in/loop ..',
          `symlink in/out ${outside}`,
        ]);
        expect(items[2]?.size).toBe(Buffer.byteLength(outside));
        const source = new FsSource(root);
        await expectHoldfastError(source.openContent(fsSourceEntityId, itemAt(items, 'in/out')), 'VALIDATION');
        const asFile: SourceItem = { id: '1', path: 'in/out', type: 'file' };
        await expectHoldfastError(source.openContent(fsSourceEntityId, asFile), 'NOT_FOUND', 'a file now a symlink');
      } finally {
        await removeFolder(outside);
      }
    });
  });

  it('yields sockets (and FIFOs) as "other", with no content', async () => {
    await withFolder(async (root) => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(join(root, 'socket'), resolve));
      try {
        await execFileAsync('mkfifo', [join(root, 'fifo')]);
        const items = await walkItems(root);
        expect(items.map((item) => `${item.type} ${item.path}`)).toEqual(['other fifo', 'other socket']);
        expect(items.every((item) => item.size === undefined)).toBe(true);
        const asFile: SourceItem = { id: '1', path: 'fifo', type: 'file' };
        await expectHoldfastError(new FsSource(root).openContent(fsSourceEntityId, asFile), 'NOT_FOUND', 'a FIFO');
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  it('describes items by inode, size, mtime in ns and mode', async () => {
    await withFolder(async (root) => {
      await writeFile(join(root, 'f.txt'), 'hello');
      await chmod(join(root, 'f.txt'), 0o640);
      await utimes(join(root, 'f.txt'), new Date('2020-01-02T03:04:05.678Z'), new Date('2020-01-02T03:04:05.678Z'));
      await link(join(root, 'f.txt'), join(root, 'hard-link.txt'));
      const info = await lstat(join(root, 'f.txt'), { bigint: true });
      const [file, hardLink] = await walkItems(root);
      expect(file).toEqual({
        id: String(info.ino),
        path: 'f.txt',
        type: 'file',
        size: 5,
        version: `5-${info.mtimeNs}-${info.ino}`,
        modifiedAt: '2020-01-02T03:04:05.678Z',
        mode: 0o640,
      });
      expect(hardLink?.id, 'hard links share the inode, so the id').toBe(file?.id);
    });
  });

  it('changes the version of a same-size rewrite once the mtime moves', async () => {
    await withFolder(async (root) => {
      const path = join(root, 'same-size.txt');
      await writeFile(path, 'aaaa');
      await utimes(path, new Date(1_000_000), new Date(1_000_000));
      const [before] = await walkItems(root);
      await writeFile(path, 'bbbb');
      await utimes(path, new Date(1_000_001), new Date(1_000_001));
      const [after] = await walkItems(root);
      expect(after?.id).toBe(before?.id);
      expect(after?.version).not.toBe(before?.version);
    });
  });

  it('reads small files in one chunk and large ones in 1 MiB blocks', async () => {
    await withFolder(async (root) => {
      await writeFile(join(root, 'small'), testBytes(4 * 1024 * 1024));
      await writeFile(join(root, 'large'), testBytes(4 * 1024 * 1024 + 1));
      const source = new FsSource(root);
      const items = await walkItems(root);
      const chunkSizes = async (path: string): Promise<number[]> => {
        return (await collect(await source.openContent(fsSourceEntityId, itemAt(items, path)))).map(
          (chunk) => chunk.length,
        );
      };
      expect(await chunkSizes('small')).toEqual([4 * 1024 * 1024]);
      expect(await chunkSizes('large')).toEqual([1048576, 1048576, 1048576, 1048576, 1]);
    });
  });

  it('rejects a walk of a missing root or a root that is a file with NotFoundError', async () => {
    await withFolder(async (root) => {
      await writeFile(join(root, 'file'), 'x');
      await expectHoldfastError(new FsSource(join(root, 'missing')).walk(fsSourceEntityId), 'NOT_FOUND');
      await expectHoldfastError(new FsSource(join(root, 'file')).walk(fsSourceEntityId), 'NOT_FOUND');
    });
  });

  it('has one entity named by the root, and refuses unsafe item paths', async () => {
    await withFolder(async (root) => {
      const source = new FsSource(root);
      expect(await collect(source.listEntities())).toEqual([{ id: 'root', name: root }]);
      expect(source.name).toBe(`fs:${root}`);
      for (const path of ['../etc/passwd', '/etc/passwd', 'a//b']) {
        const item: SourceItem = { id: '1', path, type: 'file' };
        await expectHoldfastError(source.openContent(fsSourceEntityId, item), 'VALIDATION', path);
      }
      await writeFile(join(root, 'x'), 'x');
      const item = itemAt(await walkItems(root), 'x');
      expect(await collectBytes(await source.openContent(fsSourceEntityId, item))).toEqual(utf8('x'));
    });
  });
});
