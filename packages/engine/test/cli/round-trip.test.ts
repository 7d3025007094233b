import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/check/check-run.ts';
import type { DiffEntry } from '../../src/repository/tree-diff.ts';
import type { Snapshot } from '../../src/repository/snapshot-record.ts';
import type { RestoreResult } from '../../src/restore/restore-run.ts';
import { CliSandbox, contents } from './cli-harness.ts';

describe('holdfast: init, backup, snapshots, ls, diff, restore, check', () => {
  let box: CliSandbox;
  let source: string;

  beforeEach(async () => {
    box = await CliSandbox.create();
    source = box.path('src');
    await mkdir(box.path('src', 'docs', 'deep'), { recursive: true });
    await writeFile(box.path('src', 'a.txt'), 'hello\n');
    await writeFile(box.path('src', 'empty.txt'), '');
    await writeFile(box.path('src', 'docs', 'b.bin'), randomBytes(300_000));
    await writeFile(box.path('src', 'docs', 'deep', 'c.txt'), 'deep\n');
    await symlink('a.txt', box.path('src', 'link'));
    // Older than the engine's "racily clean" window, so the next run may reuse unchanged files.
    await age(source);
  });

  afterEach(async () => {
    await box.cleanup();
  });

  it('round-trips a folder byte for byte, incrementally, with human and JSON output', async () => {
    const init = await box.ok(['init']);
    expect(init.stdout).toMatch(/^created repository [0-9a-f]{8} at /);
    expect(init.stderr).toBe('');

    const first = await box.ok(['backup', source, '--tag', 'first', '--tag', 'daily']);
    expect(first.stdout).toMatch(/^snapshot [0-9a-f]{8} saved\n/);
    expect(first.stdout).toContain('files: 4 new, 0 changed, 0 unchanged; 0 deleted, 0 failed');
    expect(first.stdout).toMatch(/took \d/);
    expect(first.stderr).toBe(''); // not a terminal, and faster than a progress line

    const original = await contents(source);
    const [firstSnapshot] = await box.json<Snapshot[]>(['snapshots']);
    expect(firstSnapshot?.source).toBe(`fs:${await realpath(source)}`);
    expect(firstSnapshot?.tags).toEqual(['first', 'daily']);
    expect(firstSnapshot?.status).toBe('complete');
    const firstId = firstSnapshot?.id ?? '';

    await writeFile(box.path('src', 'a.txt'), 'hello again\n');
    await rm(box.path('src', 'docs', 'deep', 'c.txt'));
    await writeFile(box.path('src', 'new.txt'), 'new\n');
    // Given relatively this time: the same folder, so the first snapshot is the parent.
    const second = await box.json<{ snapshot: Snapshot; durationMs: number }>(['backup', './src']);
    expect(second.snapshot.parent).toBe(firstId);
    expect(second.snapshot.stats).toMatchObject({ newFiles: 1, changedFiles: 1, unchangedFiles: 2, deletedItems: 1 });
    expect(second.durationMs).toBeGreaterThanOrEqual(0);
    const secondId = second.snapshot.id;

    const table = await box.ok(['snapshots']);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TIME\s+SOURCE\s+TAGS\s+STATUS\s+SIZE$/);
    expect(lines[1]).toContain(firstId.slice(0, 8));
    expect(lines[1]).toContain('first,daily');
    expect(lines[1]).toContain('complete');
    expect(lines[2]).toContain(secondId.slice(0, 8));
    expect(lines[3]).toBe('2 snapshots');
    expect((await box.json<Snapshot[]>(['snapshots', '--tag', 'daily'])).map((s) => s.id)).toEqual([firstId]);

    const listing = await box.ok(['ls', 'latest']);
    expect(listing.stdout.split('\n').filter(Boolean)).toEqual([
      'a.txt',
      'docs/',
      'docs/b.bin',
      'docs/deep/',
      'empty.txt',
      'link@',
      'new.txt',
    ]);
    const long = await box.ok(['ls', firstId.slice(0, 6), 'docs', '-l', '--depth', '1']);
    const longLines = long.stdout.trimEnd().split('\n');
    expect(longLines).toHaveLength(3);
    expect(longLines[0]).toMatch(/^drwx.{6}\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+docs\/$/);
    expect(longLines[1]).toMatch(/^-rw.{7}\s+300000\s+.*\s+docs\/b\.bin$/);
    expect(longLines[2]).toMatch(/docs\/deep\/$/);
    const items = await box.json<{ path: string; type: string; size?: number; link?: string }[]>(['ls', firstId]);
    expect(items.find((item) => item.path === 'link')).toMatchObject({ type: 'symlink', link: 'a.txt' });
    expect(items.find((item) => item.path === 'docs/b.bin')).toMatchObject({ type: 'file', size: 300_000 });
    expect(await box.json<unknown[]>(['ls', firstId, 'docs/deep/c.txt'])).toHaveLength(1);

    const diff = await box.ok(['diff', firstId.slice(0, 8), 'latest']);
    expect(diff.stdout.split('\n').filter((line) => /^[+\-M] /.test(line))).toEqual([
      'M a.txt',
      'M docs/deep/',
      '- docs/deep/c.txt',
      '+ new.txt',
    ]);
    expect(diff.stdout).toMatch(/-> [0-9a-f]{8}: 1 added, 1 removed, 2 modified\n$/);
    const diffJson = await box.json<DiffEntry[]>(['diff', firstId, secondId]);
    expect(diffJson.find((entry) => entry.path === 'a.txt')).toMatchObject({ change: 'modified', type: 'file' });
    expect(diffJson.find((entry) => entry.path === 'a.txt')?.fields).toContain('content');

    const restored = await box.ok(['restore', firstId, '--target', box.path('out')]);
    expect(restored.stdout).toMatch(
      /^restored snapshot [0-9a-f]{8} to .*out: 4 files, 2 folders, 1 symlink, 293 KiB in /,
    );
    expect(await contents(box.path('out'))).toEqual(original);
    expect(await readFile(box.path('out', 'docs', 'b.bin'))).toEqual(readFileOf(original, 'docs/b.bin'));

    const partial = await box.json<RestoreResult>(['restore', 'latest', '-t', 'only', '--include', 'docs']);
    expect(partial).toMatchObject({ files: 1, folders: 2, errors: [] });
    expect(Object.keys(await contents(box.path('only')))).toEqual(['docs/b.bin']);

    const check = await box.ok(['check']);
    expect(check.stdout).toMatch(/checked 2 snapshots, \d+ packs?, \d+ trees, \d+ blobs/);
    expect(check.stdout).toMatch(/no errors found\n$/);
    const report = await box.json<CheckReport>(['check', '--read-data']);
    expect(report.ok).toBe(true);
    expect(report.stats.bytesRead).toBeGreaterThan(300_000);
  });

  it('restores into a folder that holds data in each mode: non-destructive, bypass, replace', async () => {
    await box.ok(['init']);
    await box.ok(['backup', source]);
    await mkdir(box.path('out'));
    await writeFile(box.path('out', 'a.txt'), 'mine\n');

    // Non-destructive (the default): nothing live is touched; everything goes into a restore folder.
    const dry = await box.ok(['restore', 'latest', '--target', 'out', '--dry-run']);
    expect(dry.stdout).toMatch(/^ACTION +REASON +PATH\n/);
    expect(dry.stdout).toMatch(
      /restore-folder +non-destructive +a\.txt -> Holdfast Restore \d{4}-\d\d-\d\d \d\d-\d\d-\d\d UTC\/a\.txt/,
    );
    expect(await readdir(box.path('out'))).toEqual(['a.txt']); // a dry run writes nothing
    const safe = await box.ok(['restore', 'latest', '--target', 'out']);
    expect(safe.stdout).toMatch(/into "Holdfast Restore .* UTC" \(non-destructive mode\)/);
    expect(await readFile(box.path('out', 'a.txt'), 'utf8')).toBe('mine\n');
    const folder = (await readdir(box.path('out'))).find((name) => name.startsWith('Holdfast Restore')) ?? '';
    expect(await contents(box.path('out', folder))).toEqual(await contents(source));
    await rm(box.path('out', folder), { recursive: true });

    // Bypass: missing items come back, existing ones stay as they are.
    const bypass = await box.json<{ totals: { skipped: number; failed: number } }>([
      'restore',
      'latest',
      '--target',
      'out',
      '--mode',
      'bypass',
    ]);
    expect(bypass.totals).toMatchObject({ skipped: 1, failed: 0 });
    expect(await readFile(box.path('out', 'a.txt'), 'utf8')).toBe('mine\n');
    expect(await readFile(box.path('out', 'docs', 'deep', 'c.txt'), 'utf8')).toBe('deep\n');

    // Replace (or --overwrite): existing items get the snapshot's version.
    const replaced = await box.ok(['restore', 'latest', '--target', 'out', '--overwrite']);
    // a.txt, and the symlink: a target cannot tell whether a link is identical, so replace rewrites it.
    expect(replaced.stdout).toMatch(/\n2 items overwritten; 5 items skipped/);
    expect(await contents(box.path('out'))).toEqual(await contents(source));

    const bad = await box.run(['restore', 'latest', '--target', 'out', '--mode', 'merge']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--mode is one of non-destructive, replace, bypass, not "merge"');
  });

  it('marks a backup with unreadable items partial (exit 3) and lists them', async () => {
    await box.ok(['init']);
    // A name that is not valid UTF-8 cannot be backed up: the item fails, the rest is saved.
    await writeFile(Buffer.concat([Buffer.from(`${source}/bad-`), Buffer.from([0xff, 0xfe])]), 'x');
    const result = await box.run(['backup', source]);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^snapshot [0-9a-f]{8} saved \(partial: 1 item failed\)/);
    expect(result.stdout).toMatch(/failed items:\n {2}\S*bad-\S*: /);
    const [snapshot] = await box.json<Snapshot[]>(['snapshots']);
    expect(snapshot?.status).toBe('partial');
    const json = await box.run(['backup', source, '--json']);
    expect(json.code).toBe(3);
    expect((JSON.parse(json.stdout) as { snapshot: Snapshot }).snapshot.stats.failedItems).toBe(1);
  });

  it('prints nothing but data with --quiet', async () => {
    expect((await box.ok(['init', '--quiet'])).stdout).toBe('');
    expect((await box.ok(['backup', source, '-q'])).stdout).toBe('');
    expect((await box.ok(['snapshots', '-q'])).stdout).toMatch(/^ID.*\n[0-9a-f]{8} .*\n$/);
    expect((await box.ok(['restore', 'latest', '--target', 'out', '-q'])).stdout).toBe('');
    expect((await box.ok(['check', '-q'])).stdout).toBe('');
  });

  it('draws a progress bar on a terminal and clears it before the summary', async () => {
    await box.ok(['init']);
    const result = await box.ok(['backup', source], { isTTY: true, columns: 60 });
    expect(result.stderr.startsWith('\r')).toBe(true);
    expect(result.stderr).toContain(' items');
    expect(result.stderr).toContain('\u001b[K');
    expect(result.stderr.endsWith('\r\u001b[K')).toBe(true);
    for (const frame of result.stderr.split('\r').filter((text) => text !== '')) {
      expect(frame.replace('\u001b[K', '').length).toBeLessThanOrEqual(59);
    }
    const json = await box.ok(['backup', source, '--json'], { isTTY: true });
    expect(json.stderr).toBe('');
  });
});

/** Sets the modification time of everything under `folder` (symlinks aside) to an hour ago. */
async function age(folder: string): Promise<void> {
  const then = new Date(Date.now() - 3600_000);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await age(path);
    if (!entry.isSymbolicLink()) await utimes(path, then, then);
  }
  await utimes(folder, then, then);
}

function readFileOf(files: Record<string, string>, path: string): Buffer {
  return Buffer.from(files[path] ?? '', 'base64');
}

describe('holdfast check on a damaged repository', () => {
  let box: CliSandbox;

  beforeEach(async () => {
    box = await CliSandbox.create();
    await mkdir(box.path('src'));
    await writeFile(box.path('src', 'a.bin'), randomBytes(100_000));
    await box.ok(['init']);
    await box.ok(['backup', 'src']);
  });

  afterEach(async () => {
    await box.cleanup();
  });

  it('reports a missing pack grouped by kind with a verdict (exit 4); restore lists what failed (exit 3)', async () => {
    const packs = await filesUnder(box.path('repo', 'data'));
    expect(packs.length).toBeGreaterThan(0);
    for (const pack of packs) await rm(pack);

    const check = await box.run(['check']);
    expect(check.code).toBe(4);
    expect(check.stdout).toMatch(/^errors \(\d+\):\n {2}pack:\n {4}data\/\S+: pack is missing\n/);
    expect(check.stdout).toMatch(/\n\d+ errors? found(: 1 snapshot cannot be fully restored)?\n$/);
    const report = await box.run(['check', '--json']);
    expect(report.code).toBe(4);
    expect((JSON.parse(report.stdout) as CheckReport).ok).toBe(false);
    const quiet = await box.run(['check', '--quiet']);
    expect(quiet.code).toBe(4);
    expect(quiet.stdout).toMatch(/^errors \(/); // errors are printed even with --quiet

    const restore = await box.run(['restore', 'latest', '--target', 'out']);
    expect(restore.code).toBe(3);
    expect(restore.stdout).toMatch(/\n1 item failed:\n {2}\/: .*is missing\n/); // every pack is gone, the root tree too
  });
});

async function filesUnder(folder: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(path)));
    else files.push(path);
  }
  return files;
}
