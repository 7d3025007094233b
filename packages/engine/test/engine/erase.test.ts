/**
 * GDPR erase over real backups. The proof that erased data is gone decrypts every object left in the
 * repository (packs through their own headers, index objects, snapshot records) and looks for the erased
 * file's unique chunks, its bytes and its name.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors/index.ts';
import { FsRestoreTarget, FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import type { Repository } from '../../src/repository/repository.ts';
import { Repository as RepositoryClass } from '../../src/repository/repository.ts';
import { FaultInjectingObjectStore } from '../../src/testing/index.ts';
import { contains, decryptAll } from './support/decrypt-all.ts';
import { dirState, stateDifferences } from './support/dir-state.ts';
import { initSmallRepository, SMALL_CHUNKS, tempDir, testKeys } from './support/repo.ts';

const SECRET = 'docs/secret-plan.txt';
let work: Awaited<ReturnType<typeof tempDir>>;
let folderA: string;
let folderB: string;
let secret: Buffer;

beforeEach(async () => {
  work = await tempDir('erase');
  folderA = join(work.path, 'a');
  folderB = join(work.path, 'b');
  await mkdir(join(folderA, 'docs'), { recursive: true });
  await mkdir(join(folderB, 'docs'), { recursive: true });
  secret = randomBytes(300_000);
  await writeFile(join(folderA, SECRET), secret);
  // The first 100 KB of the secret also stand at the start of a file that stays: those chunks are shared.
  await writeFile(join(folderA, 'docs/public.txt'), Buffer.concat([secret.subarray(0, 100_000), randomBytes(50_000)]));
  await writeFile(join(folderA, 'readme.md'), 'hello');
  // Data that stays, stored in the same (default-sized) pack as the secret: without erase forcing a
  // repack, that pack would be kept, secret and all.
  await writeFile(join(folderA, 'docs/archive.bin'), randomBytes(1_000_000));
  await writeFile(join(folderB, 'docs/plan.txt'), randomBytes(40_000));
});
afterEach(async () => work.cleanup());

/** Snapshots of A: two with the secret, one after it was deleted; one snapshot of B. */
async function history(repo: Repository): Promise<{ a: string[]; b: string }> {
  const a: string[] = [];
  a.push((await repo.backup(new FsSource(folderA), fsSourceEntityId)).id);
  await writeFile(join(folderA, 'readme.md'), 'hello again');
  a.push((await repo.backup(new FsSource(folderA), fsSourceEntityId)).id);
  await rm(join(folderA, SECRET));
  a.push((await repo.backup(new FsSource(folderA), fsSourceEntityId)).id);
  const b = (await repo.backup(new FsSource(folderB), fsSourceEntityId)).id;
  return { a, b };
}

async function contentIds(repo: Repository, snapshot: string, path: string): Promise<string[]> {
  for await (const entry of repo.ls(snapshot)) if (entry.path === path) return [...(entry.node.content ?? [])];
  return [];
}

describe('Repository.erase', () => {
  it('removes an item from every snapshot, keeps shared chunks, and leaves no trace in any object', async () => {
    const store = new MemoryObjectStore();
    // Default pack size: one pack holds the secret and much that stays.
    const repo = await RepositoryClass.init(store, { keyProvider: testKeys(), chunker: SMALL_CHUNKS });
    const { a, b } = await history(repo);
    const timesBefore = (await repo.snapshots()).map((s) => s.time).sort();
    const secretIds = await contentIds(repo, a[0] ?? '', SECRET);
    const publicIds = new Set(await contentIds(repo, a[0] ?? '', 'docs/public.txt'));
    const unique = secretIds.filter((id) => !publicIds.has(id));
    expect(unique.length).toBeGreaterThan(3);
    expect(secretIds.length - unique.length).toBeGreaterThan(0); // some chunks really are shared

    const report = await repo.erase({ source: new FsSource(folderA).name, items: [{ path: SECRET }] });

    expect(report).toMatchObject({ dryRun: false, items: 1, snapshotsRewritten: 2 });
    expect(report.snapshots.map((s) => [s.id, s.paths])).toEqual([
      [a[0], [SECRET]],
      [a[1], [SECRET]],
    ]);
    expect(report.chunks.keptShared).toBe(secretIds.length - unique.length);
    expect(report.chunks.erased).toBe(unique.length);
    expect(report.bytesRemoved).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report); // serialisable for an audit log

    // Times and everything else kept; the record says it was rewritten and from what.
    const after = await repo.snapshots();
    expect(after.map((s) => s.time).sort()).toEqual(timesBefore);
    for (const entry of report.snapshots) {
      const rewritten = after.find((s) => s.id === entry.newId);
      expect(rewritten?.rewritten).toMatchObject({ from: entry.id, reason: 'erase' });
    }
    expect(after.some((s) => s.id === b)).toBe(true);

    // The rest restores exactly; the file sharing chunks with the secret is whole.
    for (const snapshot of after.filter((s) => s.source === new FsSource(folderA).name)) {
      const target = join(work.path, `restore-${snapshot.id.slice(0, 8)}`);
      expect((await repo.restore(snapshot, await FsRestoreTarget.open(target))).errors).toEqual([]);
      const paths = (await dirState(target)).keys();
      expect([...paths]).not.toContain(SECRET);
    }
    const latest = join(work.path, 'restore-latest');
    await repo.restore(
      after.find((s) => s.id === report.snapshots[1]?.newId) ?? '',
      await FsRestoreTarget.open(latest),
    );
    const expected = await dirState(folderA); // the folder as it is now: no secret, readme changed
    expect(stateDifferences(expected, await dirState(latest)).filter((d) => !d.includes('mtime'))).toEqual([]);
    expect((await repo.check({ readData: true })).problems).toEqual([]);

    // Decrypt everything that is left: no unique chunk, no slice of the secret's unique part, no name.
    const all = await decryptAll(store, SMALL_CHUNKS);
    const uniqueSet = new Set(unique);
    expect(all.blobs.filter((blob) => uniqueSet.has(blob.id))).toEqual([]);
    expect([...all.indexedIds].filter((id) => uniqueSet.has(id))).toEqual([]);
    const samples = [150_000, 200_000, 299_900].map((at) => secret.subarray(at, at + 64));
    for (const blob of all.blobs) {
      for (const sample of samples) expect(contains(blob.plain, sample)).toBe(false);
      expect(contains(blob.plain, Buffer.from('secret-plan'))).toBe(false);
    }
    for (const text of all.snapshotTexts) expect(text).not.toContain('secret-plan');
    // The shared chunks are still there, as they must be.
    expect(all.blobs.some((blob) => contains(blob.plain, secret.subarray(1000, 1064)))).toBe(true);
    await repo.close();
  });

  it('finds and reports on a dry run, changing nothing', async () => {
    const store = new MemoryObjectStore();
    const repo = await initSmallRepository(store);
    const { a } = await history(repo);
    const keysBefore: string[] = [];
    for await (const info of store.list('')) keysBefore.push(info.key);
    const dry = await repo.erase({ items: [{ path: `/${SECRET}` }] }, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, items: 1, snapshotsRewritten: 2, bytesRemoved: 0 });
    expect(dry.snapshots.map((s) => s.id)).toEqual(a.slice(0, 2));
    const keysAfter: string[] = [];
    for await (const info of store.list('')) keysAfter.push(info.key);
    expect(keysAfter).toEqual(keysBefore);
    await repo.close();
  });

  it('erases by the source item id, and a folder with everything in it', async () => {
    const repo = await initSmallRepository(new MemoryObjectStore());
    const { a } = await history(repo);
    let itemId: string | undefined;
    for await (const entry of repo.ls(a[0] ?? '')) if (entry.path === 'readme.md') itemId = entry.node.id;
    expect(itemId).toBeDefined();
    const byId = await repo.erase({ items: [{ id: itemId ?? '' }] });
    expect(byId.snapshotsRewritten).toBe(3);
    const byFolder = await repo.erase({ source: new FsSource(folderA).name, items: [{ path: 'docs' }] });
    expect(byFolder.snapshots[0]?.paths).toEqual(['docs', 'docs/archive.bin', 'docs/public.txt', SECRET]);
    for (const snapshot of await repo.snapshots({ source: new FsSource(folderA).name })) {
      const paths: string[] = [];
      for await (const entry of repo.ls(snapshot)) paths.push(entry.path);
      expect(paths).toEqual([]);
    }
    expect((await repo.check({ readData: true })).ok).toBe(true);
    await repo.close();
  });

  it('finishes after a crash between writing the new records and deleting the old', async () => {
    const inner = new MemoryObjectStore();
    let armed = false;
    const faulty = new FaultInjectingObjectStore(inner, {
      failOnDelete: (_, key) => (armed && key.startsWith('snapshots/') ? 'after' : undefined),
      error: (method, key) => new PermanentError(`injected crash at ${method} ${key}`),
    });
    const repo = await initSmallRepository(faulty);
    await history(repo);
    armed = true;
    await expect(repo.erase({ items: [{ path: SECRET }] })).rejects.toThrow(/injected crash/);
    armed = false;
    await repo.close();
    const reopened = await RepositoryClass.open(inner, { keyProvider: testKeys() });
    expect(await reopened.snapshots()).toHaveLength(5); // one old record deleted, the other still there
    const again = await reopened.erase({ items: [{ path: SECRET }] });
    expect(again.snapshotsRewritten).toBe(0);
    expect(await reopened.snapshots()).toHaveLength(4);
    const all = await decryptAll(inner, SMALL_CHUNKS);
    for (const text of all.snapshotTexts) expect(text).not.toContain('secret-plan');
    expect((await reopened.check({ readData: true })).problems).toEqual([]);
    await reopened.close();
  });

  it.each([
    [{ items: [] }, /name at least one item/],
    [{ items: [{ path: '' }] }, /is not an item path/],
    [{ items: [{ path: 'docs/../etc' }] }, /is not an item path/],
    [{ items: [{ id: '' }] }, /an item id is empty/],
  ])('refuses %j before touching anything', async (request, message) => {
    const repo = await initSmallRepository(new MemoryObjectStore());
    await expect(repo.erase(request)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(message) as unknown,
    });
    await repo.close();
  });
});
