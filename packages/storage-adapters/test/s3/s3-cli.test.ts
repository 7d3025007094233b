/**
 * The built `holdfast` CLI with `--repo s3://bucket/prefix` on s3rver, endpoint and credentials from the
 * documented environment variables: init, backup, snapshots, restore, check, export to s3://. The CLI
 * runs as a child process, asynchronously: the s3rver proxy lives in this process and must keep serving.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, type S3rver } from './s3rver.ts';

const cli = join(dirname(createRequire(import.meta.url).resolve('@holdfast/engine/package.json')), 'dist', 'cli.js');
let server: S3rver;
let work: string;

beforeAll(async () => {
  server = await startS3rver();
  await server.createBucket('cli-bucket');
  work = await mkdtemp(join(tmpdir(), 'holdfast-s3-cli-'));
}, 60_000);
afterAll(async () => {
  await server.stop();
  await rm(work, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(args: readonly string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

async function holdfast(...args: string[]): Promise<Run> {
  return run(args, {
    PATH: process.env['PATH'],
    HOLDFAST_REPOSITORY: 's3://cli-bucket/backups/ana',
    HOLDFAST_PASSWORD: 'correct horse battery staple',
    HOLDFAST_TEST_CHEAP_KDF: '1',
    HOLDFAST_S3_ENDPOINT: server.endpoint,
    HOLDFAST_S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
  });
}

describe('holdfast with --repo s3://', () => {
  it('initialises, backs up, lists, restores, checks and exports through S3', async () => {
    const data = join(work, 'data');
    await mkdir(join(data, 'docs'), { recursive: true });
    await writeFile(join(data, 'docs', 'a.txt'), 'alpha '.repeat(1000));
    await writeFile(join(data, 'b.txt'), 'beta');

    expect(await holdfast('init')).toMatchObject({ code: 0 });
    const again = await holdfast('init');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('s3://cli-bucket/backups/ana');
    expect(await holdfast('backup', data)).toMatchObject({ code: 0 });
    const snapshots = JSON.parse((await holdfast('snapshots', '--json')).stdout) as { id: string }[];
    expect(snapshots).toHaveLength(1);

    const target = join(work, 'restored');
    expect(await holdfast('restore', 'latest', '--target', target)).toMatchObject({ code: 0 });
    expect(await readFile(join(target, 'docs', 'a.txt'), 'utf8')).toBe('alpha '.repeat(1000));
    expect(await holdfast('check', '--read-data')).toMatchObject({ code: 0 });

    const exported = await holdfast('export', 'latest', '--to', 's3://cli-bucket/exports', '--name', 'ana.zip');
    expect(exported.code).toBe(0);
    const head = await server.client.send(new HeadObjectCommand({ Bucket: 'cli-bucket', Key: 'exports/ana.zip' }));
    expect(head.ContentLength).toBeGreaterThan(0);
  });

  it('a missing repository fails with exit 10', async () => {
    const missing = await run(['snapshots', '--repo', 's3://cli-bucket/nothing-here'], {
      PATH: process.env['PATH'],
      HOLDFAST_PASSWORD: 'x',
      HOLDFAST_S3_ENDPOINT: server.endpoint,
      HOLDFAST_S3_FORCE_PATH_STYLE: '1',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    });
    expect(missing.code).toBe(10);
    expect(missing.stderr).toContain('no repository at s3://cli-bucket/nothing-here');
  });
});
