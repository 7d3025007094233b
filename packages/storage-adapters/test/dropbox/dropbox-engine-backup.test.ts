/**
 * Backups of Dropbox team members through the engine (a Repository in memory), on the Dropbox mock: a
 * first (full) backup; then edits, additions, deletions, renames, folder moves and copies backed up
 * incrementally, which must give the very tree a full walk of the same state gives and restore to the
 * mock's current tree, reading only what changed; a case-only rename, which Dropbox's change feed omits,
 * until a full walk; a new member; and a reset cursor that turns the next backup into a full walk.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, testBytes } from '@holdfast/engine/testing';
import type { Repository, Snapshot } from '@holdfast/engine';
import { DropboxSource } from '../../src/dropbox/index.ts';
import type { MockAccount } from './dropbox-mock/index.ts';
import { filesOf, mockTree, restoredTree, seed, smallRepository } from './dropbox-engine-support.ts';
import { newMember, teamOptions, useDropboxMock } from './dropbox-test-support.ts';

const dropbox = useDropboxMock();
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

let repository: Repository;
let source: DropboxSource;
let ana: MockAccount;

beforeEach(async () => {
  repository = await smallRepository();
  source = new DropboxSource(teamOptions(dropbox));
  ana = newMember(dropbox, 'ana');
  seed(ana);
});
afterEach(async () => {
  await repository.close();
});

const idOf = (account: MockAccount): string => account.teamMemberId ?? '';

/** Backs up incrementally, then in full from the same state: the trees must be the same. */
async function incrementalMatchesFull(account: MockAccount): Promise<Snapshot> {
  dropbox.mock.resetCounters();
  const incremental = await repository.backup(source, idOf(account));
  expect(incremental.stats.walk).toBe('incremental');
  expect(incremental.status).toBe('complete');
  const downloads = dropbox.mock.count('files/download', account.accountId);
  const full = await repository.backup(source, idOf(account), { parent: null });
  expect(full.stats.walk).toBe('full');
  expect(incremental.tree, 'the incremental snapshot is the full one').toBe(full.tree);
  expect(incremental.stats.items).toBe(full.stats.items);
  expect(incremental.stats.totalBytes).toBe(full.stats.totalBytes);
  expect(await restoredTree(repository, incremental)).toEqual(mockTree(account));
  expect(downloads).toBe(incremental.stats.newFiles + incremental.stats.changedFiles);
  return incremental;
}

describe('Dropbox backups through the engine', () => {
  it('backs up a member in full first: every file downloaded once, restoring to the member tree', async () => {
    dropbox.mock.resetCounters();
    const snapshot = await repository.backup(source, idOf(ana), { entityName: 'Ana' });
    expect(snapshot.status).toBe('complete');
    expect(snapshot.stats).toMatchObject({ walk: 'full', failedItems: 0 });
    const files = filesOf(mockTree(ana));
    expect(snapshot.stats.newFiles).toBe(files.length);
    expect(dropbox.mock.count('files/download', ana.accountId)).toBe(files.length);
    expect(dropbox.mock.count('files/list_folder', ana.accountId)).toBe(1);
    expect(snapshot.cursor).toMatch(/^dbx1\./);
    expect(snapshot.source).toBe('dropbox:team');
    expect(await restoredTree(repository, snapshot)).toEqual(mockTree(ana));
    const report = await repository.check({ readData: true });
    expect(report.problems).toEqual([]);
  });

  it('backs up edits, additions, deletions, renames, folder moves and copies incrementally', async () => {
    await repository.backup(source, idOf(ana));
    const ns = ana.namespace;
    ns.writeFile('/Docs/notes.txt', text('notes, edited'), { mode: 'overwrite' });
    ns.writeFile('/Docs/added.txt', text('added'), { mode: 'add' });
    ns.writeFile('/New folder/Sub/new.bin', testBytes(50_000, 9), { mode: 'add' });
    ns.remove('/top.txt');
    ns.remove('/Ünïcødé 日本');
    ns.move('/Docs/report.txt', '/Docs/Report 2024.txt'); // a rename
    ns.move('/Docs/Old', '/Photos/Archive'); // a folder move, with contents two levels deep
    ns.move('/Photos/Trip 2024', '/Trips'); // a folder move to the top, renamed
    ns.copy('/Trips', '/Trips copy'); // a copied folder: new ids, must be followed by its contents
    const incremental = await incrementalMatchesFull(ana);
    // Read: the edit, the two additions and the two copied files; the moves and the rename were not read.
    expect(incremental.stats.changedFiles + incremental.stats.newFiles).toBe(5);
    expect(incremental.stats.bytesRead).toBe(13 + 5 + 50_000 + 70_000 + 90_000);
  });

  it('misses a case-only rename incrementally (Dropbox does not report it) until a full walk', async () => {
    await repository.backup(source, idOf(ana));
    ana.namespace.move('/Docs', '/DOCS');
    ana.namespace.writeFile('/DOCS/notes.txt', text('edited after the rename'), { mode: 'overwrite' });
    const incremental = await repository.backup(source, idOf(ana));
    expect(incremental.stats.walk).toBe('incremental');
    const restored = await restoredTree(repository, incremental);
    const current = mockTree(ana);
    // Everything is there, with the new content, under the folder's old casing.
    const lower = (state: Record<string, string>): Record<string, string> =>
      Object.fromEntries(Object.entries(state).map(([path, value]) => [path.toLowerCase(), value]));
    expect(lower(restored)).toEqual(lower(current));
    expect(Object.keys(restored).some((path) => path.startsWith('Docs/'))).toBe(true);

    // Every second walk in full (fullWalkEvery: 2) picks the casing up.
    const everySecond = new DropboxSource({ ...teamOptions(dropbox), fullWalkEvery: 2 });
    const next = await repository.backup(everySecond, idOf(ana));
    expect(next.stats.walk).toBe('full');
    expect(await restoredTree(repository, next)).toEqual(current);
    // The source is case-insensitive, so the full walk's diff matches `DOCS` to the parent's `Docs`:
    // nothing is read again, not even the edited file (the incremental run read it already).
    expect(next.stats.bytesRead).toBe(0);
    expect(next.stats.changedFiles + next.stats.newFiles).toBe(0);
  });

  it('backs up a new member on its own, leaving the others incremental', async () => {
    await repository.backup(source, idOf(ana));
    const cat = newMember(dropbox, 'cat');
    cat.namespace.writeFile('/Cat/whiskers.txt', text('meow'), { mode: 'add' });
    const entities = await collect(source.listEntities());
    expect(entities.map((entity) => entity.id)).toContain(idOf(cat));
    const first = await repository.backup(source, idOf(cat));
    expect(first.stats.walk).toBe('full');
    expect(await restoredTree(repository, first)).toEqual(mockTree(cat));
    ana.namespace.writeFile('/top.txt', text('top, edited'), { mode: 'overwrite' });
    await incrementalMatchesFull(ana);
  });

  it('walks in full when Dropbox resets the cursor, reading nothing that did not change', async () => {
    await repository.backup(source, idOf(ana));
    ana.namespace.writeFile('/Docs/notes.txt', text('edited before the reset'), { mode: 'overwrite' });
    dropbox.mock.resetCursors(ana.accountId);
    dropbox.mock.resetCounters();
    const snapshot = await repository.backup(source, idOf(ana));
    expect(snapshot.stats.walk).toBe('full');
    expect(snapshot.stats).toMatchObject({ changedFiles: 1, newFiles: 0, failedItems: 0 });
    expect(dropbox.mock.count('files/download', ana.accountId)).toBe(1);
    expect(dropbox.mock.count('files/list_folder/continue', ana.accountId)).toBe(1); // the one that said reset
    expect(await restoredTree(repository, snapshot)).toEqual(mockTree(ana));
    // And the cursor of that full walk works for the next incremental one.
    ana.namespace.remove('/empty.txt');
    await incrementalMatchesFull(ana);
  });
});
