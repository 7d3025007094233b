/**
 * For the engine scenarios on the MOCK Box: a small in-memory repository, a rich fixture tree for a user
 * (nested and unicode folders, files of several chunks, empty files, a Box Note, a web link), the changes
 * a user makes between two backups (edits, renames, moves, copies, deletions, a restore from the trash),
 * and a user's tree as a plain record to compare (web links left out: they are never restored).
 */
import { MemoryObjectStore, PassphraseKeyProvider, Repository, testingKdfParams } from '@holdfast/engine';
import { testBytes, utf8, type SourceFixtureItem } from '@holdfast/engine/testing';
import type { BoxMock } from './box-mock/box-mock.ts';
import type { MockUser } from './box-mock/box-mock-store.ts';
import { itemAt, keyOfItem, seedTree, treeOf, writeFile } from './box-test-support.ts';

export const keys = (): PassphraseKeyProvider =>
  new PassphraseKeyProvider('correct horse battery staple', { kdf: testingKdfParams });

/** A repository in memory with small chunks and packs. */
export async function newRepository(): Promise<Repository> {
  return Repository.init(new MemoryObjectStore(), {
    keyProvider: keys(),
    packSize: 256 * 1024,
    chunker: { minSize: 4096, avgSize: 16_384, maxSize: 65_536 },
  });
}

/** A user's tree worth backing up. */
export const richFixture: readonly SourceFixtureItem[] = [
  { path: 'Documents', type: 'folder' },
  { path: 'Documents/report.pdf', type: 'file', content: testBytes(150_000, 1) },
  { path: 'Documents/notes.txt', type: 'file', content: utf8('notes, first version') },
  { path: 'Documents/empty.txt', type: 'file' },
  { path: 'Documents/2026', type: 'folder' },
  { path: 'Documents/2026/plan.boxnote', type: 'file', content: utf8('{"doc":{"content":[{"text":"plan"}]}}') },
  { path: 'Documents/2026/budget.xlsx', type: 'file', content: testBytes(40_000, 2) },
  { path: 'Photos', type: 'folder' },
  { path: 'Photos/Été 2025 ☀️', type: 'folder' },
  { path: 'Photos/Été 2025 ☀️/plage.jpg', type: 'file', content: testBytes(90_000, 3) },
  { path: 'Photos/cat.jpg', type: 'file', content: testBytes(70_000, 4) },
  { path: 'Archive', type: 'folder' },
  { path: 'Archive/old', type: 'folder' },
  { path: 'Archive/old/2019.txt', type: 'file', content: utf8('an old year') },
  { path: 'Shared', type: 'folder' },
  { path: 'Shared/team.txt', type: 'file', content: utf8('team') },
  { path: 'top.txt', type: 'file', content: utf8('top level') },
];

/** A user holding {@link richFixture} and a web link. */
export function richUser(mock: BoxMock, name: string): MockUser {
  const user = mock.addUser(name);
  seedTree(mock, user, richFixture);
  mock.store.createWebLink(
    user.id,
    keyOfItem(itemAt(mock, user, 'Documents')),
    'Intranet',
    'https://intranet.example/',
  );
  return user;
}

/** What {@link changeRichUser} did, for expectations. */
export interface RichChanges {
  /** Files whose content is new to the repository's view of ids (edited, new, copied). */
  readonly filesToRead: number;
}

/** The changes a user makes between two backups. */
export function changeRichUser(mock: BoxMock, user: MockUser): RichChanges {
  const { store } = mock;
  writeFile(mock, user, 'Documents/notes.txt', utf8('notes, second version, longer'));
  writeFile(mock, user, 'Photos/cat.jpg', testBytes(71_000, 5));
  store.rename(user.id, keyOfItem(itemAt(mock, user, 'Documents/2026')), '2026 (final)');
  store.move(user.id, keyOfItem(itemAt(mock, user, 'Archive/old')), keyOfItem(itemAt(mock, user, 'Documents')));
  store.rename(user.id, keyOfItem(itemAt(mock, user, 'top.txt')), 'top-renamed.txt');
  store.trash(user.id, keyOfItem(itemAt(mock, user, 'Documents/empty.txt')));
  const folder = store.createFolder(user.id, store.rootKey(user.id), 'New projects');
  store.createFile(user.id, keyOfItem(folder), 'idea.md', utf8('# an idea'));
  store.createFile(user.id, keyOfItem(folder), 'sketch.png', testBytes(30_000, 6));
  store.copy(user.id, keyOfItem(itemAt(mock, user, 'Shared')), keyOfItem(folder), 'Shared copy');
  const summer = itemAt(mock, user, 'Photos/Été 2025 ☀️');
  store.trash(user.id, keyOfItem(summer));
  store.restore(user.id, keyOfItem(summer));
  store.trash(user.id, keyOfItem(itemAt(mock, user, 'Archive')));
  store.createWebLink(user.id, keyOfItem(folder), 'Board', 'https://board.example/');
  // 2 edits, 2 new files, 1 copied file, 1 file restored with its folder (same id and version: reused).
  return { filesToRead: 5 };
}

/** A user's tree (optionally under a folder) as path → `folder` or the file's bytes in base64. */
export function plainTree(mock: BoxMock, user: MockUser, under = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, value] of treeOf(mock, user, under))
    out[path] = value === 'folder' ? 'folder' : Buffer.from(value).toString('base64');
  return out;
}
