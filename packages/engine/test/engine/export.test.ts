/**
 * Export to a zip, read back by independent readers: the system's `unzip -t` tests every entry's CRC, and
 * Python's zipfile lists and reads every entry, which the test compares with the source folder and the
 * manifest.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsExportDestination, FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import type { Repository } from '../../src/repository/repository.ts';
import type { Snapshot } from '../../src/repository/snapshot-record.ts';
import { contents } from '../cli/cli-harness.ts';
import { initSmallRepository, SMALL_PACK, tempDir } from './support/repo.ts';

let work: Awaited<ReturnType<typeof tempDir>>;
let source: string;
let repo: Repository;
let snapshot: Snapshot;

beforeEach(async () => {
  work = await tempDir('export');
  source = join(work.path, 'source');
  await mkdir(join(source, 'docs', 'deep'), { recursive: true });
  await mkdir(join(source, 'empty folder'));
  await writeFile(join(source, 'readme.md'), '# hello\n'.repeat(1000));
  await writeFile(join(source, 'docs', 'big.bin'), randomBytes(SMALL_PACK * 3 + 17));
  await writeFile(join(source, 'docs', 'deep', 'zero.txt'), '');
  await writeFile(join(source, 'docs', 'näme, with "quotes".txt'), 'unicode and a comma');
  await writeFile(join(source, '=HYPERLINK("x").txt'), 'a formula-looking name');
  repo = await initSmallRepository(new MemoryObjectStore());
  snapshot = await repo.backup(new FsSource(source), fsSourceEntityId);
});
afterEach(async () => {
  await repo.close();
  await work.cleanup();
});

/** Python's zipfile: every entry's name, size and SHA-256, read independently of our code. */
function pythonRead(zip: string): Record<string, { size: number; sha256: string; text?: string }> {
  const script = [
    'import hashlib, json, sys, zipfile',
    'out = {}',
    'with zipfile.ZipFile(sys.argv[1]) as z:',
    '    assert z.testzip() is None',
    '    for info in z.infolist():',
    '        data = z.read(info)',
    '        entry = {"size": info.file_size, "sha256": hashlib.sha256(data).hexdigest()}',
    '        if info.filename.startswith("manifest."): entry["text"] = data.decode("utf-8")',
    '        out[info.filename] = entry',
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script, zip], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as Record<string, { size: number; sha256: string; text?: string }>;
}

describe('Repository.export', () => {
  it('writes a zip that unzip and Python read back exactly, with a manifest of what it holds', async () => {
    const destination = new FsExportDestination(join(work.path, 'exports'));
    const now = new Date('2026-11-23T14:05:09Z');
    const result = await repo.export(snapshot, destination, { now });

    expect(result.name).toBe(`holdfast-${snapshot.id.slice(0, 8)}-2026-11-23T14-05-09Z.zip`);
    expect(result).toMatchObject({ files: 5, folders: 3, skipped: 0 });
    const zip = join(work.path, 'exports', result.name);
    expect(result.location.size).toBeGreaterThan(0);

    const test = spawnSync('unzip', ['-t', zip], { encoding: 'utf8' });
    expect(test.status).toBe(0);
    expect(test.stdout).toMatch(/No errors detected/);

    const entries = pythonRead(zip);
    const expected = await contents(source); // path -> base64
    for (const [path, base64] of Object.entries(expected)) {
      const bytes = Buffer.from(base64, 'base64');
      expect(entries[path], path).toEqual({
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    }
    expect(Object.keys(entries)).toContain('empty folder/');

    const manifest = JSON.parse(entries['manifest.json']?.text ?? '') as {
      format: string;
      snapshot: { id: string };
      items: { path: string; type: string; size: number; sha256?: string; inZip: boolean }[];
    };
    expect(manifest.format).toBe('holdfast-export-manifest');
    expect(manifest.snapshot.id).toBe(snapshot.id);
    for (const item of manifest.items.filter((i) => i.type === 'file')) {
      expect(item.sha256, item.path).toBe(entries[item.path]?.sha256);
    }
    expect(manifest.items.map((i) => i.path).sort()).toEqual(
      Object.keys(entries)
        .filter((name) => !name.startsWith('manifest.'))
        .map((name) => name.replace(/\/$/, ''))
        .sort(),
    );

    const csv = entries['manifest.csv']?.text ?? '';
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('path,type,size,modified,sha256,source_hash,in_zip,snapshot');
    expect(lines).toHaveLength(manifest.items.length + 1);
    expect(csv).toContain(`"docs/näme, with ""quotes"".txt",file,19,`);
    expect(csv).toContain(`"'=HYPERLINK(""x"").txt",file,`); // neutralised for spreadsheets
  });

  it('exports a selection, and names the manifest apart when the data holds a manifest.json', async () => {
    await writeFile(join(source, 'manifest.json'), '{"mine": true}');
    const second = await repo.backup(new FsSource(source), fsSourceEntityId);
    const destination = new FsExportDestination(join(work.path, 'exports'));

    const selection = await repo.export(second, destination, { include: ['docs/deep', 'readme.md'], name: 'part.zip' });
    expect(selection).toMatchObject({ files: 2, folders: 1 });
    expect(Object.keys(pythonRead(join(work.path, 'exports', 'part.zip'))).sort()).toEqual([
      'docs/deep/',
      'docs/deep/zero.txt',
      'manifest.csv',
      'manifest.json',
      'readme.md',
    ]);

    const whole = await repo.export(second, destination, { name: 'whole.zip', compressionLevel: 0 });
    expect(whole.manifest).toEqual({ json: 'holdfast-manifest.json', csv: 'holdfast-manifest.csv' });
    const entries = pythonRead(join(work.path, 'exports', 'whole.zip'));
    expect(entries['manifest.json']?.size).toBe(14);
    expect(Object.keys(entries)).toContain('holdfast-manifest.csv');
  });

  it('refuses a missing path, a bad name and an existing file, leaving nothing behind', async () => {
    const folder = join(work.path, 'exports');
    const destination = new FsExportDestination(folder);
    await expect(repo.export(snapshot, destination, { include: ['nope'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(repo.export(snapshot, destination, { name: '../escape.zip' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await repo.export(snapshot, destination, { name: 'one.zip' });
    await expect(repo.export(snapshot, destination, { name: 'one.zip' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await readdir(folder)).toEqual(['one.zip']);
  });

  it('cancelled midway leaves nothing at the destination', async () => {
    const folder = join(work.path, 'exports');
    const controller = new AbortController();
    const promise = repo.export(snapshot, new FsExportDestination(folder), {
      name: 'cancelled.zip',
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.files >= 1) controller.abort(new Error('stop'));
      },
    });
    await expect(promise).rejects.toMatchObject({ code: 'CANCELED' });
    const left = await readdir(folder).catch(() => []);
    expect(left.filter((name) => name.endsWith('.zip'))).toEqual([]);
  });
});
