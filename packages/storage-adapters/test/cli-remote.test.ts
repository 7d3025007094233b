/**
 * The built `holdfast` CLI with `--repo azure://container/prefix` (on Azurite) and `--repo
 * gs://bucket/prefix` (on the GCS fake), endpoints and credentials from the documented environment
 * variables: init, backup, restore, check, export. Run as child processes, asynchronously: the GCS fake
 * lives in this process.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type Azurite } from './azure-blob/azurite.ts';
import { startFakeGcsServer, type FakeGcsServer } from './gcs/fake-gcs-server.ts';

const cli = join(dirname(createRequire(import.meta.url).resolve('@holdfast/engine/package.json')), 'dist', 'cli.js');
let work: string;
let data: string;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function holdfast(args: readonly string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve) => {
    const base = {
      PATH: process.env['PATH'],
      HOLDFAST_PASSWORD: 'correct horse battery staple',
      HOLDFAST_TEST_CHEAP_KDF: '1',
    };
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { ...base, ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'holdfast-cli-remote-'));
  data = join(work, 'data');
  await mkdir(join(data, 'docs'), { recursive: true });
  await writeFile(join(data, 'docs', 'a.txt'), 'alpha '.repeat(5000));
  await writeFile(join(data, 'b.txt'), 'beta');
});
afterAll(async () => rm(work, { recursive: true, force: true }));

async function exercise(
  repository: string,
  exportTo: string,
  env: Record<string, string | undefined>,
  label: string,
): Promise<void> {
  const withRepo = { ...env, HOLDFAST_REPOSITORY: repository };
  expect(await holdfast(['init'], withRepo)).toMatchObject({ code: 0 });
  expect(await holdfast(['backup', data], withRepo)).toMatchObject({ code: 0 });
  const target = join(work, `${label}-restored`);
  expect(await holdfast(['restore', 'latest', '--target', target], withRepo)).toMatchObject({ code: 0 });
  expect(await readFile(join(target, 'docs', 'a.txt'), 'utf8')).toBe('alpha '.repeat(5000));
  expect(await holdfast(['check', '--read-data'], withRepo)).toMatchObject({ code: 0 });
  const exported = await holdfast(['export', 'latest', '--to', exportTo, '--name', `${label}.zip`, '--json'], withRepo);
  expect(exported.code).toBe(0);
  expect((JSON.parse(exported.stdout) as { files: number }).files).toBe(2);
}

describe('holdfast with --repo azure://', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
    await azurite.service.getContainerClient('backups').create();
  }, 60_000);
  afterAll(async () => azurite.stop());

  it('works end to end with a connection string', async () => {
    await exercise(
      'azure://backups/ana',
      'azure://backups/exports',
      { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
      'azure',
    );
  }, 120_000);

  it('names the variables to set when no credentials are given', async () => {
    const run = await holdfast(['snapshots'], { HOLDFAST_REPOSITORY: 'azure://backups/ana' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('AZURE_STORAGE_CONNECTION_STRING');
  }, 30_000);
});

describe('holdfast with --repo gs://', () => {
  let fake: FakeGcsServer;
  beforeAll(async () => {
    fake = await startFakeGcsServer({ autoCreateBuckets: true });
  });
  afterAll(async () => fake.close());

  it('works end to end against the GCS fake', async () => {
    await exercise(
      'gs://holdfast-test/ana',
      'gs://holdfast-test/exports',
      { HOLDFAST_GCS_ENDPOINT: fake.url, GOOGLE_CLOUD_PROJECT: 'test' },
      'gcs',
    );
  }, 120_000);
});
