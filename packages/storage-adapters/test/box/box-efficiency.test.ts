/**
 * What backups of a 2,000-item Box account cost, counted in calls to the MOCK Box (never in time): the
 * first, full backup lists every folder and downloads every file; after k changes (k = 1, 10, 600: edits,
 * renames, moves, new files, deletions) an incremental backup downloads only the edited and new files
 * (at most k), makes at most ceil(k/500) + 2 events and listing calls, and fetches no item by id. With
 * Box's minimal event sources, it fetches at most one item per change. Each incremental snapshot is the
 * same as a full walk of the same state. The counts are printed for the record.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testBytes } from '@holdfast/engine/testing';
import { BoxSource } from '../../src/box/index.ts';
import { keyOf, type MockItem, type MockUser } from './box-mock/box-mock-store.ts';
import { newRepository } from './box-engine-support.ts';
import { mockConnection, useBoxMock } from './box-test-support.ts';

const mock = useBoxMock();
const connection = mockConnection(mock);
const report: string[] = [];
afterAll(() => {
  console.info(`Box calls per backup of a 2,000-item account:\n${report.join('\n')}`);
});

/** 20 folders of 2 subfolders each (60 folders) and 1,940 files spread over them: 2,000 items. */
function bigAccount(user: MockUser): MockItem[] {
  const folders: MockItem[] = [];
  for (let top = 0; top < 20; top += 1) {
    const folder = mock.store.createFolder(
      user.id,
      mock.store.rootKey(user.id),
      `Folder ${String(top).padStart(2, '0')}`,
    );
    folders.push(folder);
    for (let sub = 0; sub < 2; sub += 1)
      folders.push(mock.store.createFolder(user.id, keyOf('folder', folder.id), `Sub ${String(sub)}`));
  }
  const files: MockItem[] = [];
  for (let index = 0; index < 1940; index += 1) {
    const folder = folders[index % folders.length]!;
    files.push(
      mock.store.createFile(
        user.id,
        keyOf('folder', folder.id),
        `file-${String(index).padStart(4, '0')}.txt`,
        testBytes(64, index + 1),
      ),
    );
  }
  return files;
}

/** Exactly k changes: 16% renames, 8% moves, 5% new files, 5% deletions, the rest edits. Returns the files to read. */
function change(user: MockUser, files: MockItem[], k: number, round: number): number {
  const live = files.filter((file) => mock.store.isLive(file));
  const renames = Math.floor(k * 0.16);
  const moves = Math.floor(k * 0.08);
  const creates = Math.floor(k * 0.05);
  const trashes = Math.floor(k * 0.05);
  const edits = k - renames - moves - creates - trashes;
  let at = 0;
  const next = (): MockItem => live[(at++ * 7) % live.length]!;
  for (let index = 0; index < edits; index += 1)
    mock.store.newVersion(user.id, keyOf('file', next().id), testBytes(64, 10_000 * round + index));
  for (let index = 0; index < renames; index += 1) {
    const file = next();
    mock.store.rename(user.id, keyOf('file', file.id), `renamed-${String(round)}-${file.name}`);
  }
  const target = mock.store.at(user.id, 'Folder 00')!;
  for (let index = 0; index < moves; index += 1)
    mock.store.move(user.id, keyOf('file', next().id), keyOf('folder', target.id));
  for (let index = 0; index < creates; index += 1) {
    files.push(
      mock.store.createFile(
        user.id,
        keyOf('folder', target.id),
        `new-${String(round)}-${String(index)}.txt`,
        testBytes(64, 50_000 + index),
      ),
    );
  }
  for (let index = 0; index < trashes; index += 1) mock.store.trash(user.id, keyOf('file', next().id));
  return edits + creates;
}

describe('Box backup cost', () => {
  it('grows with the changes, not with the account', { timeout: 120_000 }, async () => {
    const user = mock.addUser('Big Account');
    const files = bigAccount(user);
    const source = new BoxSource({ connection });
    const repository = await newRepository();
    try {
      mock.resetCounters();
      const first = await repository.backup(source, user.id);
      expect(first).toMatchObject({ status: 'complete', stats: { walk: 'full', items: 2000, newFiles: 1940 } });
      const calls = mock.calls;
      expect(calls['GET /files/{id}/content']).toBe(1940);
      expect(calls['GET /folders/{id}/items']).toBe(61);
      report.push(`  full: ${JSON.stringify(calls)}`);

      for (const [round, k] of [1, 10, 600].entries()) {
        const toRead = change(user, files, k, round + 1);
        mock.resetCounters();
        const snapshot = await repository.backup(source, user.id);
        const counts = mock.calls;
        report.push(`  k=${String(k)}: ${JSON.stringify(counts)}`);
        expect(snapshot).toMatchObject({ status: 'complete', stats: { walk: 'incremental', failedItems: 0 } });
        const downloads = counts['GET /files/{id}/content'] ?? 0;
        expect(downloads).toBe(toRead);
        expect(downloads).toBeLessThanOrEqual(k);
        expect((counts['GET /events'] ?? 0) + (counts['GET /folders/{id}/items'] ?? 0)).toBeLessThanOrEqual(
          Math.ceil(k / 500) + 2,
        );
        expect((counts['GET /files/{id}'] ?? 0) + (counts['GET /folders/{id}'] ?? 0)).toBe(0);
        if (k === 600) {
          const full = await repository.backup(source, user.id, { parent: null });
          expect(snapshot.tree).toBe(full.tree);
        }
      }

      // Box's minimal event sources: one item fetched per change at most.
      mock.settings.eventQuirks = { minimalSources: new Set(['ITEM_UPLOAD', 'ITEM_RENAME', 'ITEM_MOVE']) };
      const toRead = change(user, files, 10, 9);
      mock.resetCounters();
      const snapshot = await repository.backup(source, user.id);
      const counts = mock.calls;
      report.push(`  k=10, minimal event sources: ${JSON.stringify(counts)}`);
      expect(snapshot.stats.walk).toBe('incremental');
      expect(counts['GET /files/{id}/content']).toBe(toRead);
      expect((counts['GET /files/{id}'] ?? 0) + (counts['GET /folders/{id}'] ?? 0)).toBeLessThanOrEqual(10);
      expect((counts['GET /events'] ?? 0) + (counts['GET /folders/{id}/items'] ?? 0)).toBeLessThanOrEqual(3);
    } finally {
      await repository.close();
    }
  });
});
