/**
 * `Repository.prune` over real backups: what it removes, what it keeps, a dry run, a crash at every write
 * and delete it makes, a backup that tries to start meanwhile, and damage that must stop it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, PermanentError } from '../../src/errors/index.ts';
import { FsRestoreTarget, FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import type { ObjectStore } from '../../src/ports/index.ts';
import { bytesToHex } from '../../src/repository/hex.ts';
import { readPackHeader } from '../../src/repository/index-loader.ts';
import { unlockMasterSecret } from '../../src/repository/key-records.ts';
import { idOfKey } from '../../src/repository/layout.ts';
import { RepositoryCrypto } from '../../src/repository/repository-crypto.ts';
import { Repository } from '../../src/repository/repository.ts';
import { readAll } from '../../src/repository/streams.ts';
import { FaultInjectingObjectStore } from '../../src/testing/index.ts';
import { dirState, stateDifferences, type ItemState } from './support/dir-state.ts';
import { Random } from './support/random.ts';
import { createRandomTree, mutate } from './support/random-tree.ts';
import { initSmallRepository, SMALL_CHUNKS, SMALL_PACK, tempDir, testKeys } from './support/repo.ts';

let work: Awaited<ReturnType<typeof tempDir>>;
/** A repository with four snapshots of one folder, the two oldest forgotten. */
let template: MemoryObjectStore;
/** The kept snapshots and the folder state each must restore to. */
let kept: { id: string; state: Map<string, ItemState> }[];
/** Data blob ids only the forgotten snapshots used. */
let orphaned: Set<string>;
let restores = 0;

beforeAll(async () => {
  work = await tempDir('prune');
  const source = join(work.path, 'source');
  const random = new Random(7);
  await createRandomTree(source, random, { items: 40, bigSize: SMALL_PACK * 2 });
  template = new MemoryObjectStore();
  const repo = await initSmallRepository(template);
  const snapshots: { id: string; state: Map<string, ItemState> }[] = [];
  for (let run = 0; run < 4; run++) {
    if (run > 0) for (let i = 0; i < 6; i++) await mutate(source, random, SMALL_PACK * 2);
    const snapshot = await repo.backup(new FsSource(source), fsSourceEntityId, { parent: null });
    snapshots.push({ id: snapshot.id, state: await dirState(source) });
  }
  const contentOf = async (id: string): Promise<Set<string>> => {
    const ids = new Set<string>();
    for await (const entry of repo.ls(id)) for (const blob of entry.node.content ?? []) ids.add(blob);
    return ids;
  };
  const keptIds = new Set<string>();
  for (const snapshot of snapshots.slice(2)) for (const id of await contentOf(snapshot.id)) keptIds.add(id);
  orphaned = new Set();
  for (const snapshot of snapshots.slice(0, 2)) {
    for (const id of await contentOf(snapshot.id)) if (!keptIds.has(id)) orphaned.add(id);
  }
  expect(orphaned.size).toBeGreaterThan(3);
  const forgotten = await repo.forget({ keepLast: 2 });
  expect(forgotten.forgotten).toBe(2);
  kept = snapshots.slice(2);
  await repo.close();
}, 120_000);
afterAll(async () => work.cleanup());

async function copyOf(store: MemoryObjectStore): Promise<MemoryObjectStore> {
  const copy = new MemoryObjectStore();
  for await (const info of store.list('')) await copy.put(info.key, await readAll(await store.get(info.key)));
  return copy;
}

async function keys(store: ObjectStore): Promise<string[]> {
  const all: string[] = [];
  for await (const info of store.list('')) all.push(info.key);
  return all.sort();
}

/** The data blob ids present in any pack of the store, read from the pack headers themselves. */
async function blobsInPacks(store: ObjectStore, crypto: RepositoryCrypto): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const info of store.list('data/')) {
    const packId = idOfKey('data', info.key) ?? '';
    for (const blob of await readPackHeader(store, crypto, packId, info.size)) ids.add(bytesToHex(blob.id));
  }
  return ids;
}

async function expectIntact(store: ObjectStore, options: { allowWarnings: boolean }): Promise<void> {
  const repo = await Repository.open(store, { keyProvider: testKeys() });
  const report = await repo.check({ readData: true });
  expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
  if (!options.allowWarnings) expect(report.problems).toEqual([]);
  for (const { id, state } of kept) {
    const target = join(work.path, `restore-${String(restores++)}`);
    const result = await repo.restore(id, await FsRestoreTarget.open(target));
    expect(result.errors).toEqual([]);
    expect(stateDifferences(state, await dirState(target))).toEqual([]);
  }
  await repo.close();
}

/** The repository's keys, derived as `Repository.open` does, so the test can read pack headers itself. */
async function cryptoOf(store: ObjectStore): Promise<RepositoryCrypto> {
  const { secret } = await unlockMasterSecret(store, testKeys());
  return new RepositoryCrypto(secret, SMALL_CHUNKS);
}

describe('Repository.prune', () => {
  it('deletes what nothing references, repacks, reports, and every kept snapshot still restores', async () => {
    const store = await copyOf(template);
    const repo = await Repository.open(store, { keyProvider: testKeys() });
    const before = await keys(store);

    const report = await repo.prune({ repackThreshold: 0 });

    expect(report.dryRun).toBe(false);
    expect(report.snapshots).toBe(2);
    expect(report.packs.deleted + report.packs.repacked).toBeGreaterThan(0);
    expect(report.blobs.removed).toBeGreaterThanOrEqual(orphaned.size);
    expect(report.bytes.reclaimed).toBeGreaterThan(0);
    expect(report.bytes.after).toBe(report.bytes.before - report.bytes.reclaimed);
    // Every delete is an index object, a pack, or the lock at the end.
    expect(report.requests.delete).toBe(
      report.indexObjects.deleted + report.packs.deleted + report.packs.repacked + report.packs.unindexed + 1,
    );
    expect(report.requests.put).toBeGreaterThan(0);
    expect((await keys(store)).length).toBeLessThan(before.length);
    await expectIntact(store, { allowWarnings: false });

    // With every partly unused pack repacked, no pack holds a blob only the forgotten snapshots used.
    const present = await blobsInPacks(store, await cryptoOf(store));
    expect([...orphaned].filter((id) => present.has(id))).toEqual([]);

    // A second prune has nothing to do.
    const again = await repo.prune({ repackThreshold: 0 });
    expect(again.packs).toMatchObject({ deleted: 0, repacked: 0, unindexed: 0, written: 0 });
    expect(again.requests.delete).toBe(1); // its own lock
    await repo.close();
  });

  it('with the default threshold keeps mostly used packs and their unused blobs', async () => {
    const store = await copyOf(template);
    const repo = await Repository.open(store, { keyProvider: testKeys() });
    const report = await repo.prune();
    for (const decision of report.decisions) {
      const share = decision.unusedBytes / Math.max(1, decision.usedBytes + decision.unusedBytes);
      if (decision.action === 'keep') expect(share).toBeLessThan(0.5);
      if (decision.action === 'repack') expect(share).toBeGreaterThanOrEqual(0.5);
      if (decision.action === 'delete') expect(decision.usedBlobs).toBe(0);
    }
    await expectIntact(store, { allowWarnings: false });
    await repo.close();
  });

  it('changes nothing on a dry run, and reports what the real run then does', async () => {
    const store = await copyOf(template);
    const repo = await Repository.open(store, { keyProvider: testKeys() });
    const before = await keys(store);
    const dry = await repo.prune({ dryRun: true, repackThreshold: 0 });
    expect(await keys(store)).toEqual(before);
    expect(dry.requests.put + dry.requests.delete).toBe(0);
    const real = await repo.prune({ repackThreshold: 0 });
    expect(real.decisions).toEqual(dry.decisions);
    expect(real.packs.deleted).toBe(dry.packs.deleted);
    expect(real.blobs).toEqual(dry.blobs);
    expect(real.bytes.deleted).toBe(dry.bytes.deleted);
    await repo.close();
  });

  it('survives a crash at every write and delete it makes; the next prune finishes the job', async () => {
    // How many writes and deletes (the lock's own aside) does a full prune make?
    const probe = new FaultInjectingObjectStore(await copyOf(template));
    const probeRepo = await Repository.open(probe, { keyProvider: testKeys() });
    const putsBefore = probe.counts.put;
    const deletesBefore = probe.counts.delete;
    await probeRepo.prune({ repackThreshold: 0 });
    const operations = probe.counts.put - putsBefore + (probe.counts.delete - deletesBefore) - 2;
    expect(operations).toBeGreaterThan(5);

    for (let failAt = 1; failAt <= operations; failAt++) {
      const inner = await copyOf(template);
      let count = 0;
      // Lock objects are left out: a lock that cannot be released is the lock tests' subject.
      const decide = (key: string, fault: 'before' | 'after'): 'before' | 'after' | undefined =>
        !key.startsWith('locks/') && ++count === failAt ? fault : undefined;
      const faulty = new FaultInjectingObjectStore(inner, {
        failOnPut: (_, key) => decide(key, failAt % 2 === 0 ? 'after' : 'before'),
        failOnDelete: (_, key) => decide(key, failAt % 2 === 0 ? 'after' : 'before'),
        error: (method, key) => new PermanentError(`injected crash at ${method} ${key}`),
      });
      const repo = await Repository.open(faulty, { keyProvider: testKeys() });
      await expect(repo.prune({ repackThreshold: 0 }), `operation ${String(failAt)}`).rejects.toThrow(/injected crash/);
      await repo.close();
      await expectIntact(inner, { allowWarnings: true });
      const next = await Repository.open(inner, { keyProvider: testKeys() });
      await next.prune({ repackThreshold: 0 });
      await next.close();
      await expectIntact(inner, { allowWarnings: false });
    }
  }, 600_000);

  it('refuses a backup that starts meanwhile, naming prune; the backup succeeds afterwards', async () => {
    const inner = await copyOf(template);
    const source = join(work.path, 'late');
    await createRandomTree(source, new Random(3), { items: 10, bigSize: SMALL_PACK });
    let attempt: Promise<unknown> | undefined;
    const other = await Repository.open(inner, { keyProvider: testKeys() });
    const faulty = new FaultInjectingObjectStore(inner, {
      failOnDelete: (_, key) => {
        if (!key.startsWith('locks/')) attempt ??= other.backup(new FsSource(source), fsSourceEntityId);
        return undefined;
      },
    });
    const repo = await Repository.open(faulty, { keyProvider: testKeys() });
    await repo.prune({ repackThreshold: 0 });
    expect(attempt).toBeDefined();
    await expect(attempt).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/prune/) as unknown,
    });
    const late = await other.backup(new FsSource(source), fsSourceEntityId);
    expect(late.status).toBe('complete');
    expect((await other.check({ readData: true })).ok).toBe(true);
    await repo.close();
    await other.close();
  });

  it.each(['snapshots/', 'index/'])(
    'stops without deleting anything when an object under %s is damaged',
    async (prefix) => {
      const store = await copyOf(template);
      const victim = (await keys(store)).find((key) => key.startsWith(prefix)) ?? '';
      const bytes = await readAll(await store.get(victim));
      bytes[bytes.length >> 1]! ^= 0xff;
      await store.put(victim, bytes);
      const before = await keys(store);
      const repo = await Repository.open(store, { keyProvider: testKeys() });
      await expect(repo.prune()).rejects.toMatchObject({
        code: 'INTEGRITY',
        message: expect.stringMatching(/run check/) as unknown,
      });
      expect(await keys(store)).toEqual(before);
      await repo.close();
    },
  );

  it('leaves objects still under retention (ConflictError on delete) for a later prune', async () => {
    const inner = await copyOf(template);
    let locked = true;
    const retained = new FaultInjectingObjectStore(inner, {
      // Object Lock as the S3 adapter reports it: every index object and pack still under retention.
      failOnDelete: (_, key) =>
        locked && (key.startsWith('index/') || key.startsWith('data/')) ? 'before' : undefined,
      error: (_, key) => new ConflictError(`${key} is locked until 2099-01-01`),
    });
    const repo = await Repository.open(retained, { keyProvider: testKeys() });
    const first = await repo.prune({ repackThreshold: 0 });
    expect(first.locked.objects).toBeGreaterThan(0);
    expect(first.locked.packsKept).toBe(first.packs.deleted + first.packs.repacked + first.packs.unindexed);
    expect(first.bytes.deleted).toBe(0);
    await expectIntact(inner, { allowWarnings: true });

    locked = false;
    const second = await repo.prune({ repackThreshold: 0 });
    expect(second.locked.objects).toBe(0);
    expect(second.packs.deleted + second.packs.repacked).toBeGreaterThan(0);
    await repo.close();
    await expectIntact(inner, { allowWarnings: false });
  });

  it('refuses a repack threshold outside 0–1', async () => {
    const repo = await Repository.open(await copyOf(template), { keyProvider: testKeys() });
    await expect(repo.prune({ repackThreshold: 2 })).rejects.toMatchObject({ code: 'VALIDATION' });
    await repo.close();
  });
});
