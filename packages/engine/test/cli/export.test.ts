/** `holdfast export` in-process; the zip is read back with the system's unzip. */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportResult } from '../../src/export/zip-export.ts';
import { CliSandbox, contents } from './cli-harness.ts';

describe('holdfast export', () => {
  let box: CliSandbox;

  beforeEach(async () => {
    box = await CliSandbox.create();
    await box.ok(['init']);
    await mkdir(box.path('data', 'docs'), { recursive: true });
    await writeFile(box.path('data', 'docs', 'a.txt'), 'alpha\n'.repeat(2000));
    await writeFile(box.path('data', 'b.txt'), 'beta');
    await box.ok(['backup', box.path('data')]);
  });

  afterEach(async () => {
    await box.cleanup();
  });

  it('writes a zip that unzip extracts to the same files, with a manifest', async () => {
    const run = await box.ok(['export', 'latest', '--to', 'out', '--name', 'all.zip']);
    expect(run.stdout).toMatch(/^exported snapshot [0-9a-f]{8} to .*all\.zip: 2 files, 1 folder, /);
    const unzip = spawnSync('unzip', ['-q', box.path('out', 'all.zip'), '-d', box.path('unzipped')]);
    expect(unzip.status).toBe(0);
    const extracted = await contents(box.path('unzipped'));
    const manifestJson = extracted['manifest.json'];
    const manifestCsv = extracted['manifest.csv'];
    delete extracted['manifest.json'];
    delete extracted['manifest.csv'];
    expect(extracted).toEqual(await contents(box.path('data')));
    expect(Buffer.from(manifestCsv ?? '', 'base64').toString()).toMatch(/^path,type,size,/);
    expect(JSON.parse(Buffer.from(manifestJson ?? '', 'base64').toString())).toMatchObject({ version: 1 });
  });

  it('--include exports a selection; --json reports it', async () => {
    const result = await box.json<ExportResult>([
      'export',
      'latest',
      '--to',
      'out',
      '--include',
      'docs',
      '--level',
      '0',
    ]);
    expect(result).toMatchObject({ files: 1, folders: 1 });
    expect(await readdir(box.path('out'))).toEqual([result.name]);
  });

  it.each([
    [['export', 'latest'], 2, /missing --to <dir>/],
    [['export', 'latest', '--to', 'out', '--level', '12'], 2, /--level is 0 \(store\) to 9/],
    [['export', 'latest', '--to', 'out', '--include', 'nope'], 1, /the snapshot has no nope/],
    [['export', 'latest', '--to', 'out', '--name', '../x.zip'], 2, /an export name is a file name/],
  ])('%j fails (exit %i) and writes nothing', async (argv, code, message) => {
    const run = await box.run(argv);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(await readdir(box.path('out')).catch(() => [])).toEqual([]);
  });
});
