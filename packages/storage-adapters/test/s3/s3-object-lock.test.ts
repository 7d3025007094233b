/**
 * The S3 adapter's Object Lock support, against the Object Lock EMULATION of the test proxy (s3rver has
 * no Object Lock; see the header of `s3rver.ts` for what the emulation covers and what it does not):
 * every write carries retention and Content-MD5, a delete under retention is a ConflictError that leaves
 * the object whole, and prune leaves locked objects for a later run that removes them once retention
 * has ended.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  ConflictError,
  FsRestoreTarget,
  FsSource,
  fsSourceEntityId,
  PassphraseKeyProvider,
  Repository,
  testingKdfParams,
  type ByteStream,
  type ObjectStore,
  type Snapshot,
} from '@holdfast/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../src/s3/index.ts';
import type { S3ObjectLock, S3StoreOptions } from '../../src/s3/s3-options.ts';
import { startS3rver, type EmulatedObject, type ObjectLockEmulation, type S3rver } from './s3rver.ts';

const MiB = 1024 * 1024;
const DAY = 86_400_000;
const bucket = 'locked';
const governance: S3ObjectLock = { mode: 'GOVERNANCE', days: 1 };

let server: S3rver & { readonly objectLock: ObjectLockEmulation };
let work: string;
let prefixes = 0;

beforeAll(async () => {
  server = await startS3rver({ objectLock: true });
  await server.createBucket(bucket);
  work = await mkdtemp(join(tmpdir(), 'holdfast-s3-object-lock-'));
}, 60_000);
afterAll(async () => {
  await server.stop();
  await rm(work, { recursive: true, force: true });
});

/** Options under a fresh prefix; the smallest part size S3 allows, so 11 MiB goes up in three parts. */
function options(objectLock?: S3ObjectLock): S3StoreOptions & { readonly prefix: string } {
  return {
    bucket,
    prefix: `lock-${String(++prefixes)}/`,
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: server.credentials,
    partSize: 5 * MiB,
    objectLock,
  };
}

async function bytesOf(stream: ByteStream): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* chunked(body: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
}

/** What the emulation recorded for `key` of the store with `prefix`. */
function recorded(prefix: string, key: string): EmulatedObject | undefined {
  return server.objectLock.object(bucket, `${prefix}${key}`);
}

/** Requests under `prefix` the emulation refused. */
function refusalsUnder(prefix: string): readonly object[] {
  return server.objectLock.refusals().filter((refusal) => refusal.key.startsWith(prefix));
}

async function keysOf(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list('')) keys.push(info.key);
  return keys.sort();
}

describe('S3ObjectStore with Object Lock (emulated)', () => {
  it('declares immutableWrites with objectLock, and not without', () => {
    expect(new S3ObjectStore(options(governance)).capabilities).toEqual({
      rangedReads: true,
      immutableWrites: true,
      listPageSize: 1000,
    });
    expect(new S3ObjectStore(options()).capabilities.immutableWrites).toBe(false);
  });

  it('writes small and multipart objects with retention and Content-MD5, and reads them back intact', async () => {
    const { prefix, ...rest } = options(governance);
    const store = new S3ObjectStore({ prefix, ...rest });
    const small = randomBytes(1000);
    const large = randomBytes(11 * MiB);
    const before = Date.now();
    await store.put('small', small);
    await store.put('large', large);
    await store.put('streamed', chunked(large, 777_777));
    const after = Date.now();

    for (const [key, body, parts] of [
      ['small', small, 0],
      ['large', large, 3],
      ['streamed', large, 3],
    ] as const) {
      const object = recorded(prefix, key);
      expect(object, key).toMatchObject({
        operation: parts === 0 ? 'PutObject' : 'CompleteMultipartUpload',
        retention: { mode: 'GOVERNANCE' },
        contentMd5: true,
        parts,
      });
      // One day from the write; the header carries whole seconds at least.
      const until = object!.retention!.retainUntil.getTime();
      expect(until, key).toBeGreaterThanOrEqual(before + DAY - 1000);
      expect(until, key).toBeLessThanOrEqual(after + DAY + 1000);
      expect((await bytesOf(await store.get(key))).equals(body), key).toBe(true);
      const head = await server.client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}${key}` }));
      expect(head.ObjectLockMode, key).toBe('GOVERNANCE');
      expect(head.ObjectLockRetainUntilDate?.getTime(), key).toBe(until);
      expect(head.VersionId, key).toBe(object!.versionId);
    }
    expect(refusalsUnder(prefix)).toEqual([]);

    const plain = options();
    const unlocked = new S3ObjectStore(plain);
    await unlocked.put('small', small);
    await unlocked.put('large', large);
    expect(recorded(plain.prefix, 'small')).toMatchObject({ retention: undefined, contentMd5: false, parts: 0 });
    expect(recorded(plain.prefix, 'large')).toMatchObject({ retention: undefined, contentMd5: false, parts: 3 });
    const head = await server.client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${plain.prefix}large` }));
    expect(head.ObjectLockMode).toBeUndefined();
    expect(head.ObjectLockRetainUntilDate).toBeUndefined();
  });

  it('refuses to delete an object under retention with ConflictError, and deletes it once retention ended', async () => {
    const { prefix, ...rest } = options(governance);
    const store = new S3ObjectStore({ prefix, ...rest });
    const body = randomBytes(4096);
    await store.put('kept', body);
    const deletesBefore = server.objectLock.deletes().length;

    const refused = store.delete('kept');
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', message: /locked \(Object Lock\) until/ });
    expect((await bytesOf(await store.get('kept'))).equals(body)).toBe(true);
    // The adapter read the retention and sent no DELETE at all.
    expect(server.objectLock.deletes().length).toBe(deletesBefore);

    server.objectLock.expireLocks();
    const { versionId } = recorded(prefix, 'kept')!;
    await store.delete('kept');
    await expect(store.head('kept')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(server.objectLock.deletes().slice(deletesBefore)).toEqual([
      { bucket, key: `${prefix}kept`, versionId, bypassedRetention: false },
    ]);

    // The engine's lock objects are written without retention (but with Content-MD5): a released lock
    // must go, or it refuses every later forget and prune.
    await store.put('locks/0123', body);
    expect(recorded(prefix, 'locks/0123')).toMatchObject({ retention: undefined, contentMd5: true });
    await store.delete('locks/0123');
    await expect(store.head('locks/0123')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await store.delete('never-written'); // idempotent: a missing key resolves
    expect(server.objectLock.deletes().length).toBe(deletesBefore + 2);
  });

  it('emulates S3: refuses Object Lock writes without Content-MD5 and deletes of a locked version', async () => {
    const key = `${options().prefix}raw`;
    const body = randomBytes(100);
    const retention = {
      ObjectLockMode: 'GOVERNANCE' as const,
      ObjectLockRetainUntilDate: new Date(Date.now() + DAY),
    };
    const noMd5 = server.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...retention }));
    await expect(noMd5).rejects.toMatchObject({ name: 'InvalidRequest', $metadata: { httpStatusCode: 400 } });
    await expect(server.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    const wrongMd5 = server.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentMD5: md5(randomBytes(100)), ...retention }),
    );
    await expect(wrongMd5).rejects.toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });

    const put = await server.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentMD5: md5(body), ...retention }),
    );
    const VersionId = put.VersionId;
    expect(VersionId).toBe(server.objectLock.object(bucket, key)?.versionId);
    const locked = server.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId }));
    await expect(locked).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const head = await server.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ObjectLockMode).toBe('GOVERNANCE');
    // GOVERNANCE retention yields to an explicit bypass (which the adapter never sends).
    await server.client.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId, BypassGovernanceRetention: true }),
    );
    expect(server.objectLock.deletes().at(-1)).toEqual({ bucket, key, versionId: VersionId, bypassedRetention: true });

    const compliance = {
      ObjectLockMode: 'COMPLIANCE' as const,
      ObjectLockRetainUntilDate: retention.ObjectLockRetainUntilDate,
    };
    const kept = await server.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentMD5: md5(body), ...compliance }),
    );
    const bypass = server.client.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: kept.VersionId, BypassGovernanceRetention: true }),
    );
    await expect(bypass).rejects.toMatchObject({ name: 'AccessDenied' });
    expect((await server.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ObjectLockMode).toBe(
      'COMPLIANCE',
    );
  });

  it('the engine on a locked repository: prune leaves what is under retention, a later prune removes it', async () => {
    const source = join(work, 'source');
    await mkdir(source, { recursive: true });
    // Each version of a file is modified well before the backup that reads it (files modified within
    // 2 s of a backup are read again next time).
    const write = async (name: string, body: Uint8Array | string, modified: string): Promise<void> => {
      await writeFile(join(source, name), body);
      await utimes(join(source, name), new Date(modified), new Date(modified));
    };
    await write('big.bin', randomBytes(3 * MiB), '2025-06-01T00:00:00Z');
    for (let i = 0; i < 10; i++) await write(`note-${String(i)}.txt`, `note ${String(i)} `.repeat(50), '2025-06-01');
    const { prefix, ...rest } = options(governance);
    const store = new S3ObjectStore({ prefix, ...rest });
    const keys = (): PassphraseKeyProvider => new PassphraseKeyProvider('correct horse', { kdf: testingKdfParams });
    const repository = await Repository.init(store, { keyProvider: keys(), packSize: 4 * MiB });
    const backup = async (): Promise<Snapshot> => {
      const snapshot = await repository.backup(new FsSource(source), fsSourceEntityId);
      expect(snapshot.status).toBe('complete');
      return snapshot;
    };
    const restoresIntact = async (snapshot: Snapshot, label: string): Promise<void> => {
      const target = join(work, label);
      expect((await repository.restore(snapshot, await FsRestoreTarget.open(target))).errors).toEqual([]);
      for (const name of ['big.bin', 'note-3.txt', 'note-9.txt']) {
        expect(Buffer.compare(await readFile(join(source, name)), await readFile(join(target, name))), name).toBe(0);
      }
    };

    // Three backups; the big file is replaced before each of the later two, so the packs of its old
    // chunks end up used by no snapshot once the older snapshots are forgotten.
    const a = await backup();
    await write('big.bin', randomBytes(3 * MiB), '2025-07-01T00:00:00Z');
    await write('note-3.txt', 'changed', '2025-07-01T00:00:00Z');
    const b = await backup();
    await write('big.bin', randomBytes(3 * MiB), '2025-08-01T00:00:00Z');
    const c = await backup();
    expect(c.stats).toMatchObject({ changedFiles: 1 });
    // Every object is under retention except the locks, which were released.
    expect((await keysOf(store)).filter((key) => key.startsWith('locks/'))).toEqual([]);
    expect(recorded(prefix, `snapshots/${c.id}`)?.retention?.mode).toBe('GOVERNANCE');

    // A snapshot record under retention cannot be forgotten yet: forget removes nothing and says so.
    const early = await repository.forget({ keepLast: 1 });
    expect(early.removed).toEqual([]);
    expect([...early.locked].sort()).toEqual([a.id, b.id].sort());
    expect((await repository.snapshots()).map((snapshot) => snapshot.id).sort()).toEqual([a.id, b.id, c.id].sort());

    // Days later, the retention of the three backups has ended.
    server.objectLock.expireLocks();
    expect((await repository.forget({ keepLast: 2 })).removed).toEqual([a.id]);
    const clean = await repository.prune();
    expect(clean.locked).toEqual({ objects: 0, packsKept: 0 });
    expect(clean.packs.deleted + clean.packs.repacked).toBeGreaterThan(0);
    expect(clean.bytes.reclaimed).toBeGreaterThan(0);
    // It wrote a new index object, under retention, listing the packs that stayed: b's among them.
    expect(clean.indexObjects.written).toBeGreaterThan(0);

    // b goes too, but the index that lists its big file's packs is still under retention: those packs
    // must stay (no index may list a missing pack), and prune says so.
    expect((await repository.forget({ keepLast: 1 })).removed).toEqual([b.id]);
    const before = await keysOf(store);
    const locked = await repository.prune();
    expect(locked.locked.objects).toBeGreaterThan(0);
    expect(locked.locked.packsKept).toBeGreaterThan(0);
    expect(locked.bytes.deleted).toBe(0);
    const after = await keysOf(store);
    expect(before.filter((key) => !after.includes(key))).toEqual([]); // nothing at all was deleted
    expect(refusalsUnder(prefix)).toEqual([]); // the adapter read the retention and sent no doomed DELETE
    // check --read-data: no problem at all. (A pack this prune wrote by repacking may hold only copies
    // of blobs the kept old pack holds too; its own index object lists it, and check must know that.)
    const check = await repository.check({ readData: true });
    expect(check.ok).toBe(true);
    expect(check.problems).toEqual([]);
    await restoresIntact(c, 'restored-locked');

    // Once that retention has ended too, the next prune removes them.
    server.objectLock.expireLocks();
    const later = await repository.prune();
    expect(later.locked).toEqual({ objects: 0, packsKept: 0 });
    expect(later.bytes.reclaimed).toBeGreaterThan(0);
    const gone = new Set(await keysOf(store));
    // Exactly the packs the previous prune had to keep are gone now.
    const goneData = before.filter((key) => key.startsWith('data/') && !gone.has(key)).length;
    expect(goneData).toBe(locked.locked.packsKept);
    expect(goneData).toBe(later.packs.deleted + later.packs.repacked + later.packs.unindexed);
    expect((await repository.check({ readData: true })).problems).toEqual([]);
    await restoresIntact(c, 'restored-after');
    await repository.close();
  }, 60_000);
});

function md5(body: Uint8Array): string {
  return createHash('md5').update(body).digest('base64');
}
