/**
 * The engine with its repository on S3 (s3rver): backup, incremental backup, restore, check and export;
 * and the same under a throttling storm (every fifth request answered 503 SlowDown), which the
 * RetryingObjectStore wrapper rides out with nothing lost.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  FsRestoreTarget,
  FsSource,
  fsSourceEntityId,
  PassphraseKeyProvider,
  Repository,
  RequestCountingObjectStore,
  RetryingObjectStore,
  testingKdfParams,
  type ObjectStore,
} from '@holdfast/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ExportDestination, S3ObjectStore } from '../../src/s3/index.ts';
import { startS3rver, type S3rver } from './s3rver.ts';

let server: S3rver;
let work: string;
let prefixes = 0;
const bucket = 'engine';
const keys = (): PassphraseKeyProvider => new PassphraseKeyProvider('correct horse', { kdf: testingKdfParams });

beforeAll(async () => {
  server = await startS3rver();
  await server.createBucket(bucket);
  work = await mkdtemp(join(tmpdir(), 'holdfast-s3-engine-'));
}, 60_000);
afterAll(async () => {
  await server.stop();
  await rm(work, { recursive: true, force: true });
});

function s3Options(): ConstructorParameters<typeof S3ObjectStore>[0] {
  return {
    bucket,
    prefix: `repo-${String(++prefixes)}`,
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
    partSize: 5 * 1024 * 1024,
  };
}

async function folder(name: string): Promise<string> {
  const path = join(work, name);
  await mkdir(join(path, 'docs'), { recursive: true });
  await writeFile(join(path, 'docs', 'big.bin'), randomBytes(6 * 1024 * 1024));
  for (let i = 0; i < 30; i++) await writeFile(join(path, `note-${String(i)}.txt`), `note ${String(i)} `.repeat(50));
  // Modified well before the backups: files modified within 2 s of a backup are read again next time.
  const old = new Date('2025-06-01T00:00:00Z');
  await utimes(join(path, 'docs', 'big.bin'), old, old);
  for (let i = 0; i < 30; i++) await utimes(join(path, `note-${String(i)}.txt`), old, old);
  return path;
}

async function sameFiles(a: string, b: string, names: string[]): Promise<void> {
  for (const name of names)
    expect(Buffer.compare(await readFile(join(a, name)), await readFile(join(b, name))), name).toBe(0);
}

async function roundTrip(store: ObjectStore, source: string, label: string): Promise<void> {
  const repository = await Repository.init(store, { keyProvider: keys(), packSize: 4 * 1024 * 1024 });
  const first = await repository.backup(new FsSource(source), fsSourceEntityId);
  expect(first.status).toBe('complete');
  await writeFile(join(source, 'note-3.txt'), 'changed');
  await utimes(join(source, 'note-3.txt'), new Date('2025-07-01T00:00:00Z'), new Date('2025-07-01T00:00:00Z'));
  const second = await repository.backup(new FsSource(source), fsSourceEntityId);
  expect(second.stats).toMatchObject({ changedFiles: 1 });
  expect(second.stats.bytesRead).toBe(7); // only the changed file was read

  const target = join(work, `${label}-restored`);
  const result = await repository.restore(second, await FsRestoreTarget.open(target));
  expect(result.errors).toEqual([]);
  await sameFiles(source, target, ['docs/big.bin', 'note-3.txt', 'note-29.txt']);
  expect((await repository.check({ readData: true })).problems).toEqual([]);
  await repository.close();
}

describe('the engine on S3', () => {
  it('backs up, backs up incrementally, restores, checks and exports to a bucket', async () => {
    const options = s3Options();
    const source = await folder('plain');
    await roundTrip(new S3ObjectStore(options), source, 'plain');

    const repository = await Repository.open(new S3ObjectStore(options), { keyProvider: keys() });
    const exported = await repository.export('latest', new S3ExportDestination({ ...options, prefix: 'exports' }), {
      name: 'latest.zip',
    });
    expect(exported.location.location).toBe(`s3://${bucket}/exports/latest.zip`);
    const response = await server.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'exports/latest.zip' }));
    const zip = join(work, 'latest.zip');
    await writeFile(zip, await response.Body!.transformToByteArray());
    expect(spawnSync('unzip', ['-tqq', zip]).status).toBe(0);
    await repository.close();
  });

  it('completes under a throttling storm (every fifth request 503 SlowDown) with nothing lost', async () => {
    const source = await folder('storm');
    const counting = new RequestCountingObjectStore(new S3ObjectStore(s3Options()));
    // Backoff of a few ms, so many attempts: on a loaded machine one request can meet the throttle several
    // times running; a storm must slow the run, never fail it.
    const retrying = new RetryingObjectStore(counting, { minTimeout: 1, maxTimeout: 5, retries: 30 });
    const throttledBefore = server.throttled();
    server.throttle(5);
    try {
      await roundTrip(retrying, source, 'storm');
    } finally {
      server.throttle(0);
    }
    const throttled = server.throttled() - throttledBefore;
    expect(throttled).toBeGreaterThan(10);
    expect(retrying.retries).toBeGreaterThanOrEqual(throttled - 5); // a few land mid-stream and are retried by the engine
    expect(counting.total).toBeGreaterThan(throttled);
  }, 120_000);
});
