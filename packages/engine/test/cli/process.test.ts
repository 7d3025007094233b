/**
 * `holdfast` as a process: the tsup bundle of the bin (built here with the package's own tsup options,
 * into `node_modules/.cache`, so `dist/` is never touched by a test run), and the sources run directly by
 * Node's type stripping with the build-time defines supplied by a preload. Covers what in-process runs
 * cannot: exit codes and output of a real process, signals, and a lock held by another process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { packageDefines, tsupOptions } from '../../../../scripts/build/package-build-config.ts';
import type { Snapshot } from '../../src/repository/snapshot-record.ts';
import { CliSandbox, contents } from './cli-harness.ts';

const engineDir = fileURLToPath(new URL('../..', import.meta.url));
const cacheDir = join(engineDir, 'node_modules', '.cache', 'holdfast-cli-test');
const bundle = join(cacheDir, 'cli.js');
const preload = join(cacheDir, 'defines.mjs');
const mainSource = join(engineDir, 'src', 'cli', 'main.ts');
const packageJson = JSON.parse(await readFile(join(engineDir, 'package.json'), 'utf8')) as { version: string };

interface ProcessRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `node <args>` and collects its output. */
function start(args: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string) {
  const child = spawn(process.execPath, [...args], { cwd, env: { PATH: process.env['PATH'], ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const done = new Promise<ProcessRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done, output: () => stdout };
}

async function waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

beforeAll(async () => {
  await mkdir(cacheDir, { recursive: true });
  const defines = packageDefines(engineDir);
  await writeFile(
    preload,
    Object.entries(defines)
      .map(([name, value]) => `globalThis.${name} = ${value};`)
      .join('\n'),
  );
  await build({
    ...tsupOptions(engineDir, { cli: join(engineDir, 'src', 'cli', 'main.ts') }),
    outDir: cacheDir,
    dts: false,
    clean: false,
    sourcemap: false,
    config: false,
    silent: true,
  });
}, 60_000);

describe('the built holdfast bin', () => {
  let box: CliSandbox;

  beforeEach(async () => {
    box = await CliSandbox.create();
  });

  afterEach(async () => {
    await box.cleanup();
  });

  it('starts with a shebang and reports its version', async () => {
    expect((await readFile(bundle, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    const run = await start([bundle, '--version'], {}, box.root).done;
    expect(run).toMatchObject({ code: 0, stdout: `holdfast ${packageJson.version} (@holdfast/engine)\n`, stderr: '' });
  });

  it('backs up and restores byte for byte, with exit codes and one-line errors', async () => {
    await mkdir(box.path('src', 'sub'), { recursive: true });
    await writeFile(box.path('src', 'sub', 'data.bin'), randomBytes(2_000_000));
    await writeFile(box.path('src', 'note.txt'), 'note\n');
    const cli = async (...argv: string[]): Promise<ProcessRun> => start([bundle, ...argv], box.env, box.root).done;

    expect((await cli('init')).code).toBe(0);
    const backup = await cli('backup', 'src');
    expect(backup).toMatchObject({ code: 0, stderr: '' });
    expect(backup.stdout).toMatch(/^snapshot [0-9a-f]{8} saved\n/);
    expect((await cli('restore', 'latest', '--target', 'out')).code).toBe(0);
    expect(await contents(box.path('out'))).toEqual(await contents(box.path('src')));
    expect((await cli('check', '--read-data')).code).toBe(0);

    const missing = await start([bundle, 'snapshots', '--repo', 'nowhere'], box.env, box.root).done;
    expect(missing).toMatchObject({
      code: 10,
      stdout: '',
      stderr: `holdfast: no repository at ${box.path('nowhere')} (create one with "holdfast init")\n`,
    });
    const usage = await cli('restore', 'latest');
    expect(usage.code).toBe(2);
    const json = await cli('ls', 'ffff', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toEqual({ error: { code: 'NOT_FOUND', message: 'no snapshot ffff' } });
  });
});

describe('holdfast run from its sources (Node type stripping)', () => {
  let box: CliSandbox;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    box = await CliSandbox.create();
    await box.ok(['init']);
  });

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await box.cleanup();
  });

  it('runs the .ts entry directly', async () => {
    const run = await start(['--import', preload, mainSource, 'snapshots', '--json'], box.env, box.root).done;
    expect(run).toMatchObject({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('cancels a backup cleanly on SIGINT (exit 130): no snapshot, the repository checks clean', async () => {
    await mkdir(box.path('big'));
    for (let i = 0; i < 48; i++)
      await writeFile(box.path('big', `file-${String(i)}.bin`), randomBytes(4 * 1024 * 1024));
    const run = start(['--import', preload, mainSource, 'backup', 'big'], box.env, box.root);
    children.push(run.child);
    await waitFor('the backup lock', async () => (await readdir(join(box.repo, 'locks')).catch(() => [])).length > 0);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('holdfast: interrupted: stopping cleanly');
    expect(result.stderr).toMatch(/\nholdfast: interrupted: .*cancel/);
    expect(result.stdout).toBe('');
    expect(await box.json<Snapshot[]>(['snapshots'])).toEqual([]);
    expect((await box.run(['check', '--read-data'])).code).toBe(0);
    expect(await readdir(join(box.repo, 'locks')).catch(() => [])).toEqual([]);
    // The next run completes, reusing what the cancelled one stored.
    expect((await box.run(['backup', 'big'])).code).toBe(0);
  }, 60_000);

  it('refuses to run while another process holds the lock (exit 11, naming the holder)', async () => {
    await mkdir(box.path('src'));
    await writeFile(box.path('src', 'a.txt'), 'a\n');
    const holder = start(
      ['--import', preload, fileURLToPath(new URL('fixtures/hold-exclusive-lock.ts', import.meta.url)), box.repo],
      box.env,
      box.root,
    );
    children.push(holder.child);
    await waitFor('the lock holder', () => holder.output().includes('locked\n'));

    const before = await readdir(join(box.repo, 'snapshots')).catch(() => []);
    const refused = await box.run(['backup', 'src']);
    expect(refused.code).toBe(11);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^holdfast: the repository is locked \\(exclusive, key rotate\\) by \\S*@\\S+ pid ${String(holder.child.pid)} since `,
      ),
    );
    expect(await readdir(join(box.repo, 'snapshots')).catch(() => [])).toEqual(before);
    const json = await box.run(['backup', 'src', '--json']);
    expect(json.code).toBe(11);
    expect((JSON.parse(json.stderr) as { error: { code: string } }).error.code).toBe('CONFLICT');

    // A holder that died leaves a stale lock, which the next run ignores.
    holder.child.kill('SIGKILL');
    await holder.done;
    expect((await box.run(['backup', 'src'])).code).toBe(0);
  }, 30_000);
});
