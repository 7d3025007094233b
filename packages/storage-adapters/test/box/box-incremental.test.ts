/**
 * BoxSource's incremental walks against the MOCK Box's event stream: what entries each kind of change
 * gives (edits, creations, renames and moves of folders after changes inside them, copies, trash and
 * restore), that duplicated and out-of-order events give the same result, that minimal event sources are
 * fetched by id (and nothing else is), the 64-bit stream position kept exactly, and every fallback to a
 * full walk (a cursor that is not ours, too old, refused by Box, too many events).
 */
import { describe, expect, it } from 'vitest';
import { collect } from '@holdfast/engine/testing';
import type { WalkEntry } from '@holdfast/engine';
import { BoxSource, decodeBoxCursor, encodeBoxCursor } from '../../src/box/index.ts';
import { keyOf, type MockUser } from './box-mock/box-mock-store.ts';
import { itemAt, keyOfItem, mockConnection, seedTree, useBoxMock, writeFile } from './box-test-support.ts';

const mock = useBoxMock();
const connection = mockConnection(mock);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/** A user with a small tree, walked once in full; returns the cursor. */
async function prepared(): Promise<{ user: MockUser; source: BoxSource; cursor: string }> {
  const user = mock.addUser(`Incremental ${String(mock.store.users.size)}`);
  seedTree(mock, user, [
    { path: 'Docs', type: 'folder' },
    { path: 'Docs/a.txt', type: 'file', content: text('a1') },
    { path: 'Docs/Inner', type: 'folder' },
    { path: 'Docs/Inner/b.txt', type: 'file', content: text('b1') },
    { path: 'Other', type: 'folder' },
    { path: 'top.txt', type: 'file', content: text('top') },
  ]);
  const source = new BoxSource({ connection });
  const walk = await source.walk(user.id);
  await collect(walk.entries);
  return { user, source, cursor: walk.cursor() ?? '' };
}

/** The entries as `kind type:path` lines (`deleted <id>` for deletions), in order. */
async function changesSince(
  source: BoxSource,
  user: MockUser,
  cursor: string,
): Promise<{
  lines: string[];
  entries: WalkEntry[];
  mode: string;
  cursor: string | undefined;
  reason?: string | undefined;
}> {
  const walk = await source.walk(user.id, { since: cursor });
  const entries = await collect(walk.entries);
  const lines = entries.map((entry) =>
    entry.kind === 'item'
      ? `${entry.item.type} ${entry.item.path}`
      : entry.kind === 'deleted'
        ? `deleted ${String(entry.id)}`
        : `error ${entry.path}`,
  );
  return { lines, entries, mode: walk.mode, cursor: walk.cursor(), reason: walk.fallbackReason };
}

describe('BoxSource incremental walks', () => {
  it('yields nothing when nothing changed, with one events call, and moves the cursor to the stream head', async () => {
    const { user, source, cursor } = await prepared();
    mock.resetCounters();
    const result = await changesSince(source, user, cursor);
    expect(result.mode).toBe('incremental');
    expect(result.lines).toEqual([]);
    expect(mock.count('GET /events')).toBe(1);
    expect(mock.requests.filter((record) => record.key !== 'GET /events')).toEqual([]);
    expect(decodeBoxCursor(result.cursor ?? '')?.position).toBe(String(mock.store.head));
  });

  it('keeps the 64-bit stream position exactly (above 2^53, where JSON.parse rounds)', async () => {
    const { cursor } = await prepared();
    const position = decodeBoxCursor(cursor)?.position ?? '';
    expect(BigInt(position)).toBeGreaterThan(2n ** 53n);
    expect(position).toBe(String(mock.store.head));
    expect(String(Number(position))).not.toBe(position);
  });

  it('yields an edited file, a new folder before the file in it, and a web link as `other` with its URL', async () => {
    const { user, source, cursor } = await prepared();
    writeFile(mock, user, 'Docs/a.txt', text('a2'));
    const folder = mock.store.createFolder(user.id, mock.store.rootKey(user.id), 'New');
    mock.store.createFile(user.id, keyOf('folder', folder.id), 'n.txt', text('n'));
    mock.store.createWebLink(user.id, keyOf('folder', folder.id), 'Holdfast', 'https://holdfast.example/');
    const { lines, entries } = await changesSince(source, user, cursor);
    expect(lines).toEqual(['file Docs/a.txt', 'folder New', 'other New/Holdfast', 'file New/n.txt']);
    const link = entries.find((entry) => entry.kind === 'item' && entry.item.type === 'other');
    expect(link?.kind === 'item' && link.item.metadata?.['url']).toBe('https://holdfast.example/');
  });

  it("puts an item changed before its folder was renamed and moved at the folder's current path", async () => {
    const { user, source, cursor } = await prepared();
    writeFile(mock, user, 'Docs/Inner/b.txt', text('b2'));
    const inner = itemAt(mock, user, 'Docs/Inner');
    mock.store.rename(user.id, keyOfItem(inner), 'Renamed');
    mock.store.move(user.id, keyOfItem(inner), keyOfItem(itemAt(mock, user, 'Other')));
    const { lines } = await changesSince(source, user, cursor);
    expect(lines).toEqual(['folder Other/Renamed', 'file Other/Renamed/b.txt']);
  });

  it('follows a copied folder with its whole subtree, under new ids', async () => {
    const { user, source, cursor } = await prepared();
    mock.store.copy(
      user.id,
      keyOfItem(itemAt(mock, user, 'Docs')),
      keyOfItem(itemAt(mock, user, 'Other')),
      'Docs copy',
    );
    const { lines, entries } = await changesSince(source, user, cursor);
    expect(lines).toEqual([
      'folder Other/Docs copy',
      'file Other/Docs copy/a.txt',
      'folder Other/Docs copy/Inner',
      'file Other/Docs copy/Inner/b.txt',
    ]);
    const ids = entries.flatMap((entry) => (entry.kind === 'item' ? [entry.item.id] : []));
    expect(ids).not.toContain(`file:${itemAt(mock, user, 'Docs/a.txt').id}`);
  });

  it('names trashed items by id only, including an item changed inside a folder trashed later', async () => {
    const { user, source, cursor } = await prepared();
    const top = itemAt(mock, user, 'top.txt');
    const a = writeFile(mock, user, 'Docs/a.txt', text('a2'));
    const docs = itemAt(mock, user, 'Docs');
    mock.store.trash(user.id, keyOfItem(top));
    mock.store.trash(user.id, keyOfItem(docs));
    const { lines } = await changesSince(source, user, cursor);
    expect(lines.sort()).toEqual(
      [`deleted file:${a.id}`, `deleted file:${top.id}`, `deleted folder:${docs.id}`].sort(),
    );
  });

  it('follows a folder restored from the trash with its subtree; an item made and trashed in between is deleted by id', async () => {
    const { user, source, cursor } = await prepared();
    const inner = itemAt(mock, user, 'Docs/Inner');
    mock.store.trash(user.id, keyOfItem(inner));
    mock.store.restore(user.id, keyOfItem(inner));
    const brief = mock.store.createFile(user.id, keyOfItem(itemAt(mock, user, 'Other')), 'brief.txt', text('x'));
    mock.store.trash(user.id, keyOfItem(brief));
    const { lines } = await changesSince(source, user, cursor);
    expect(lines).toEqual([`deleted file:${brief.id}`, 'folder Docs/Inner', 'file Docs/Inner/b.txt']);
  });

  it('gives the same entries when Box repeats events and delivers them out of order', async () => {
    const changes = (user: MockUser): void => {
      writeFile(mock, user, 'Docs/a.txt', text('a2'));
      writeFile(mock, user, 'Docs/a.txt', text('a3'));
      const inner = itemAt(mock, user, 'Docs/Inner');
      mock.store.rename(user.id, keyOfItem(inner), 'Inner2');
      mock.store.move(user.id, keyOfItem(itemAt(mock, user, 'top.txt')), keyOfItem(itemAt(mock, user, 'Other')));
      mock.store.trash(user.id, keyOfItem(itemAt(mock, user, 'Docs/Inner2/b.txt')));
      mock.store.createFolder(user.id, keyOfItem(itemAt(mock, user, 'Other')), 'Fresh');
    };
    const plain = await prepared();
    changes(plain.user);
    const expected = await changesSince(plain.source, plain.user, plain.cursor);
    const quirky = await prepared();
    changes(quirky.user);
    mock.settings.eventQuirks = { duplicateEvery: 2, reverse: true };
    try {
      const actual = await changesSince(quirky.source, quirky.user, quirky.cursor);
      const shape = (lines: string[]): string[] => lines.map((line) => line.replace(/:\d+$/, ':<id>')).sort();
      expect(shape(actual.lines)).toEqual(shape(expected.lines));
      expect(expected.lines.filter((line) => !line.startsWith('deleted'))).toEqual([
        'folder Docs/Inner2',
        'file Docs/a.txt',
        'folder Other/Fresh',
        'file Other/top.txt',
      ]);
      const version = (entries: WalkEntry[]): string | undefined =>
        entries
          .flatMap((entry) =>
            entry.kind === 'item' && entry.item.path === 'Docs/a.txt' ? [entry.item.contentHash?.value] : [],
          )
          .at(0);
      expect(version(actual.entries)).toBe(version(expected.entries));
    } finally {
      mock.settings.eventQuirks = {};
    }
  });

  it("fetches an item by id only when its event carries Box's minimal EventSource", async () => {
    const { user, source, cursor } = await prepared();
    writeFile(mock, user, 'Docs/a.txt', text('a2'));
    writeFile(mock, user, 'top.txt', text('top2'));
    mock.store.rename(user.id, keyOfItem(itemAt(mock, user, 'Other')), 'Other2');
    mock.settings.eventQuirks = { minimalSources: new Set(['ITEM_UPLOAD']) };
    mock.resetCounters();
    try {
      const { lines } = await changesSince(source, user, cursor);
      expect(lines).toEqual(['file Docs/a.txt', 'folder Other2', 'file top.txt']);
      expect(mock.count('GET /files/{id}')).toBe(2);
      expect(mock.count('GET /folders/{id}')).toBe(0);
    } finally {
      mock.settings.eventQuirks = {};
    }
  });

  it('ignores events that do not change the tree', async () => {
    const { user, source, cursor } = await prepared();
    const file = itemAt(mock, user, 'top.txt');
    for (const type of ['ITEM_PREVIEW', 'ITEM_DOWNLOAD', 'LOCK_CREATE', 'COMMENT_CREATE', 'ITEM_SHARED_CREATE']) {
      mock.store.appendEvent(user.id, type, { item_type: 'file', item_id: file.id, item_name: file.name });
    }
    mock.store.appendEvent(user.id, 'LOCK_DESTROY');
    expect((await changesSince(source, user, cursor)).lines).toEqual([]);
  });

  it('checks a folder whose collaboration was removed, and deletes it when the user can no longer see it', async () => {
    const { user, source, cursor } = await prepared();
    const other = itemAt(mock, user, 'Other');
    mock.store.appendEvent(user.id, 'COLLAB_REMOVE_COLLABORATOR', {
      item_type: 'folder',
      item_id: other.id,
      item_name: other.name,
    });
    expect((await changesSince(source, user, cursor)).lines).toEqual(['folder Other']);
    const { cursor: second } = await source.walk(user.id).then(async (walk) => {
      await collect(walk.entries);
      return { cursor: walk.cursor() ?? '' };
    });
    mock.store.purge(keyOfItem(other));
    mock.store.appendEvent(user.id, 'COLLABORATION_REMOVE', {
      item_type: 'folder',
      item_id: other.id,
      item_name: other.name,
    });
    expect((await changesSince(source, user, second)).lines).toEqual([`deleted folder:${other.id}`]);
  });

  it('reads changes made while a full walk runs in the next incremental walk (the position is taken first)', async () => {
    const user = mock.addUser('During the walk');
    seedTree(mock, user, [
      { path: 'F', type: 'folder' },
      { path: 'F/one.txt', type: 'file', content: text('1') },
    ]);
    const source = new BoxSource({ connection });
    mock.faults.push({
      match: ({ key }) => key === 'GET /folders/{id}/items',
      before: () => writeFile(mock, user, 'F/during.txt', text('written during the walk')),
    });
    const walk = await source.walk(user.id);
    await collect(walk.entries);
    const { lines } = await changesSince(source, user, walk.cursor() ?? '');
    expect(lines).toEqual(['file F/during.txt']);
  });

  it('walks in full, and says why, for a cursor that is not ours, too old, refused by Box, or too far behind', async () => {
    const { user, source, cursor } = await prepared();
    const expectFull = async (since: string, why: RegExp, from = source): Promise<void> => {
      const result = await changesSince(from, user, since);
      expect(result.mode).toBe('full');
      expect(result.reason).toMatch(why);
      expect(result.lines).toContain('file Docs/Inner/b.txt');
    };
    await expectFull('dropbox-cursor-AAAA', /not a Box stream position/);
    const position = decodeBoxCursor(cursor)?.position ?? '';
    await expectFull(
      encodeBoxCursor({ position, recordedAt: new Date(Date.now() - 30 * 86_400_000).toISOString() }),
      /older than/,
    );
    writeFile(mock, user, 'top.txt', text('1'));
    writeFile(mock, user, 'top.txt', text('2'));
    await expectFull(cursor, /more than 1 events/, new BoxSource({ connection, maxIncrementalEvents: 1 }));
    mock.store.expireEventsBefore(mock.store.head);
    await expectFull(cursor, /refused the stream position/);
  });
});
