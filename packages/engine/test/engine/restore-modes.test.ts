/**
 * Restore planning and execution in every mode against every target state: missing, identical,
 * different, a folder where the snapshot has a file and the reverse, a name differing only in case (on a
 * case-sensitive target and on a case-insensitive one), an existing folder. Then execution follows the
 * plan, and a failed run resumes without redoing finished items.
 */
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors/index.ts';
import { FsRestoreTarget, FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import type { ByteStream, CallOptions, RestoreTarget, TargetEntry, WriteFileOptions } from '../../src/ports/index.ts';
import type { Repository } from '../../src/repository/repository.ts';
import type { Snapshot } from '../../src/repository/snapshot-record.ts';
import type { RestoreMode } from '../../src/restore/restore-plan.ts';
import { contents } from '../cli/cli-harness.ts';
import { initSmallRepository, tempDir } from './support/repo.ts';

const OLD = new Date('2025-01-01T00:00:00Z');

let work: Awaited<ReturnType<typeof tempDir>>;
let repo: Repository;
let snapshot: Snapshot;

beforeEach(async () => {
  work = await tempDir('modes');
  const source = join(work.path, 'source');
  await mkdir(join(source, 'was-folder'), { recursive: true });
  await mkdir(join(source, 'docs'), { recursive: true });
  const files: Record<string, string> = {
    'missing.txt': 'missing',
    'same.txt': 'same',
    'changed.txt': 'snapshot version',
    'was-file': 'a file in the snapshot',
    'was-folder/inner.txt': 'inner',
    'Case.txt': 'upper case in the snapshot',
    'docs/a.txt': 'docs a',
  };
  for (const [path, text] of Object.entries(files)) {
    await writeFile(join(source, path), text);
    await utimes(join(source, path), OLD, OLD);
  }
  repo = await initSmallRepository(new MemoryObjectStore());
  snapshot = await repo.backup(new FsSource(source), fsSourceEntityId);
});
afterEach(async () => {
  await repo.close();
  await work.cleanup();
});

/** A live folder in every state the table covers. */
async function liveTarget(name: string): Promise<string> {
  const root = join(work.path, name);
  await mkdir(join(root, 'was-file'), { recursive: true });
  await mkdir(join(root, 'docs'), { recursive: true });
  await writeFile(join(root, 'was-file', 'keep.txt'), 'live data in a folder');
  await writeFile(join(root, 'was-folder'), 'a live file');
  await writeFile(join(root, 'same.txt'), 'same');
  await utimes(join(root, 'same.txt'), OLD, OLD);
  await writeFile(join(root, 'changed.txt'), 'live version');
  await writeFile(join(root, 'case.txt'), 'lower case at the target');
  await writeFile(join(root, 'docs', 'a.txt'), 'docs a');
  await utimes(join(root, 'docs', 'a.txt'), OLD, OLD);
  return root;
}

/**
 * A fake of a case-insensitive service (Box, Dropbox) over a real folder: it declares
 * `caseSensitive: false` and answers `stat` for a name in any case, as such services do.
 */
class CaseInsensitiveTarget implements RestoreTarget {
  readonly name = 'case-insensitive fake';
  readonly capabilities: RestoreTarget['capabilities'];
  readonly #inner: FsRestoreTarget;
  constructor(inner: FsRestoreTarget) {
    this.#inner = inner;
    this.capabilities = { ...inner.capabilities, caseSensitive: false };
  }
  async stat(path: string, options?: CallOptions): Promise<TargetEntry | undefined> {
    if (path === '') return this.#inner.stat(path, options);
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
    try {
      for await (const entry of this.#inner.list(parent, options)) {
        if (entry.path.slice(entry.path.lastIndexOf('/') + 1).toLowerCase() === name) return entry;
      }
    } catch {
      return undefined;
    }
    return undefined;
  }
  list(path: string, options?: CallOptions): AsyncIterable<TargetEntry> {
    return this.#inner.list(path, options);
  }
  createFolder(path: string, options?: CallOptions): Promise<void> {
    return this.#inner.createFolder(path, options);
  }
  writeFile(path: string, content: ByteStream, options: WriteFileOptions): Promise<void> {
    return this.#inner.writeFile(path, content, options);
  }
  remove(path: string, options?: CallOptions): Promise<void> {
    return this.#inner.remove(path, options);
  }
}

type Row = [path: string, action: string, reason: string];

const replaceRows: Row[] = [
  ['Case.txt', 'create', 'missing'],
  ['changed.txt', 'overwrite', 'different'],
  ['docs', 'skip', 'folder-exists'],
  ['docs/a.txt', 'skip', 'identical'],
  ['missing.txt', 'create', 'missing'],
  ['same.txt', 'skip', 'identical'],
  ['was-file', 'restore-folder', 'type-conflict'],
  ['was-folder', 'restore-folder', 'type-conflict'],
  ['was-folder/inner.txt', 'restore-folder', 'type-conflict'],
];
const bypassRows: Row[] = replaceRows.map(([path, action, reason]) =>
  path === 'changed.txt' ? [path, 'skip', 'exists'] : [path, action, reason],
);
const nonDestructiveRows: Row[] = replaceRows.map(([path]) => [path, 'restore-folder', 'non-destructive']);
const caseInsensitive = (rows: Row[]): Row[] =>
  rows.map(([path, action, reason]) =>
    path === 'Case.txt' ? [path, 'restore-folder', 'case-conflict'] : [path, action, reason],
  );

describe('restore planning', () => {
  it.each([
    ['non-destructive', false, nonDestructiveRows],
    ['replace', false, replaceRows],
    ['bypass', false, bypassRows],
    ['non-destructive', true, nonDestructiveRows],
    ['replace', true, caseInsensitive(replaceRows)],
    ['bypass', true, caseInsensitive(bypassRows)],
  ] as [RestoreMode, boolean, Row[]][])('%s (case-insensitive target: %s)', async (mode, insensitive, rows) => {
    const root = await liveTarget('live');
    const fs = await FsRestoreTarget.open(root, { caseSensitive: true });
    const target = insensitive ? new CaseInsensitiveTarget(fs) : fs;
    const before = await snapshotOf(root);
    const now = new Date('2026-11-23T14:05:09.123Z');

    const plan = await repo.planRestore(snapshot, target, { mode, now });

    expect(plan.items.map((i) => [i.path, i.action, i.reason]).sort()).toEqual([...rows].sort());
    expect(await snapshotOf(root)).toEqual(before); // planning (a dry run) writes nothing
    const folder = 'Holdfast Restore 2026-11-23 14-05-09 UTC';
    for (const item of plan.items) {
      if (item.action === 'restore-folder') expect(item.targetPath).toBe(`${folder}/${item.path}`);
      else expect(item.targetPath).toBe(item.path);
    }
    const counted = { create: 0, overwrite: 0, skip: 0, 'restore-folder': 0 };
    for (const [, action] of rows) counted[action as keyof typeof counted]++;
    expect(plan.counts).toEqual(counted);

    const report = await repo.executeRestore(plan, target);
    expect(report.totals.failed).toBe(0);
    expect(report.items.every((i) => i.outcome === (i.action === 'skip' ? 'skipped' : 'succeeded'))).toBe(true);

    // What each mode did to live data.
    const after = await snapshotOf(root);
    expect(after['was-file/keep.txt']).toBe('live data in a folder'); // a live folder is never deleted
    expect(after['was-folder']).toBe('a live file');
    expect(after['case.txt']).toBe('lower case at the target');
    expect(after['changed.txt']).toBe(mode === 'replace' ? 'snapshot version' : 'live version');
    expect(after['missing.txt']).toBe(mode === 'non-destructive' ? undefined : 'missing');
    if (plan.counts['restore-folder'] > 0) {
      expect(plan.restoreFolder).toBe(folder);
      for (const item of plan.items.filter((i) => i.action === 'restore-folder' && i.type === 'file')) {
        expect(await readFile(join(root, item.targetPath), 'utf8')).toBe(
          await readFile(join(work.path, 'source', item.path), 'utf8'),
        );
      }
    }
  });

  it('creates in place when the location is empty or missing, and restores into another folder', async () => {
    const empty = join(work.path, 'empty');
    const target = await FsRestoreTarget.open(empty);
    const plan = await repo.planRestore(snapshot, target);
    expect(new Set(plan.items.map((i) => `${i.action}/${i.reason}`))).toEqual(new Set(['create/empty-location']));
    expect(plan.restoreFolder).toBeUndefined();

    const live = await liveTarget('live-elsewhere');
    const elsewhere = await FsRestoreTarget.open(live);
    const moved = await repo.planRestore(snapshot, elsewhere, { to: 'restored/ana', include: ['docs'] });
    expect(moved.items.map((i) => [i.targetPath, i.action])).toEqual([
      ['restored/ana/docs', 'create'],
      ['restored/ana/docs/a.txt', 'create'],
    ]);
    await repo.executeRestore(moved, elsewhere);
    expect(await readFile(join(live, 'restored/ana/docs/a.txt'), 'utf8')).toBe('docs a');
  });

  it('resumes after a failure without redoing finished items', async () => {
    const fs = await FsRestoreTarget.open(join(work.path, 'resume'));
    let failOnce = true;
    const writes: string[] = [];
    const flaky: RestoreTarget = {
      name: 'flaky',
      capabilities: fs.capabilities,
      stat: (p, o) => fs.stat(p, o),
      list: (p, o) => fs.list(p, o),
      createFolder: (p, o) => fs.createFolder(p, o),
      remove: (p, o) => fs.remove(p, o),
      writeFile: async (path, content, options) => {
        writes.push(path);
        if (path === 'changed.txt' && failOnce) {
          failOnce = false;
          throw new PermanentError('the service answered 500');
        }
        await fs.writeFile(path, content, options);
      },
    };
    const plan = await repo.planRestore(snapshot, flaky);
    const first = await repo.executeRestore(plan, flaky);
    expect(first.totals.failed).toBe(1);
    expect(first.items.find((i) => i.outcome === 'failed')).toMatchObject({
      path: 'changed.txt',
      code: 'PERMANENT',
      message: 'the service answered 500',
    });

    writes.length = 0;
    const done = first.items.filter((i) => i.outcome !== 'failed').map((i) => i.targetPath);
    const second = await repo.executeRestore(plan, flaky, { completed: done });
    expect(writes).toEqual(['changed.txt']);
    expect(second.totals).toMatchObject({ failed: 0, succeeded: 1 });
    expect(second.items.filter((i) => i.resumed === true)).toHaveLength(done.length);
    expect((await snapshotOf(join(work.path, 'resume')))['changed.txt']).toBe('snapshot version');
  });

  it('refuses an unknown mode, an unsafe location and a location that is a file', async () => {
    const target = await FsRestoreTarget.open(await liveTarget('refuse'));
    await expect(repo.planRestore(snapshot, target, { mode: 'merge' as RestoreMode })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(repo.planRestore(snapshot, target, { to: '../outside' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(repo.planRestore(snapshot, target, { to: 'same.txt' })).rejects.toThrow(/is a file at the target/);
  });
});

/** Every file under `root` with its text. */
async function snapshotOf(root: string): Promise<Record<string, string>> {
  const files = await contents(root); // base64, symlinks aside
  return Object.fromEntries(Object.entries(files).map(([path, b64]) => [path, Buffer.from(b64, 'base64').toString()]));
}
