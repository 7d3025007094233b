/**
 * What is special about BoxSource beyond the conformance suite, against the MOCK Box: users listed with
 * marker paging (deactivated users skipped unless asked), listings with `fields`, `usemarker=true` and
 * `limit=1000`, web links as `other` items, Box Notes as files, typed ids (Box numbers files and folders
 * apart), times in UTC, authors in metadata, per-folder failures as error entries while failures of the
 * whole user end the walk, and downloads that Box answers 202 first.
 */
import { describe, expect, it } from 'vitest';
import { collect, collectBytes, expectHoldfastError } from '@holdfast/engine/testing';
import type { SourceItem, WalkEntry } from '@holdfast/engine';
import { BoxSource } from '../../src/box/index.ts';
import { keyOf } from './box-mock/box-mock-store.ts';
import { itemAt, keyOfItem, mockConnection, seedTree, useBoxMock } from './box-test-support.ts';

const mock = useBoxMock();
const connection = mockConnection(mock);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function walked(source: BoxSource, userId: string): Promise<WalkEntry[]> {
  return collect((await source.walk(userId)).entries);
}

function itemsOf(entries: readonly WalkEntry[]): SourceItem[] {
  return entries.flatMap((entry) => (entry.kind === 'item' ? [entry.item] : []));
}

describe('BoxSource', () => {
  it('lists users 1000 a page with marker paging, skipping deactivated ones unless asked', async () => {
    const before = [...mock.store.users.values()].filter((user) => user.serviceAccount !== true).length;
    for (let index = 0; index < 1200; index += 1)
      mock.store.addUser({ name: `Bulk ${String(index)}`, status: index % 100 === 7 ? 'inactive' : 'active' });
    mock.resetCounters();
    const active = await collect(new BoxSource({ connection }).listEntities());
    expect(active).toHaveLength(before + 1200 - 12);
    expect(mock.count('GET /users')).toBe(2);
    const [first, second] = mock.requests
      .filter((record) => record.key === 'GET /users')
      .map((record) => new URL(record.url ?? ''));
    expect(Object.fromEntries(first?.searchParams ?? [])).toMatchObject({ usemarker: 'true', limit: '1000' });
    expect(second?.searchParams.get('marker')).toBeTruthy();
    const all = await collect(new BoxSource({ connection, includeInactiveUsers: true }).listEntities());
    expect(all).toHaveLength(before + 1200);
    expect(all.map((entity) => entity.email)).not.toContain(mock.store.serviceAccount.login);
    expect(new Set(all.map((entity) => entity.id)).size).toBe(all.length);
  });

  it('walks web links as `other` items with their URL, Box Notes as files, with typed ids and UTC times', async () => {
    const user = mock.addUser('Walker');
    seedTree(mock, user, [
      { path: 'Notes', type: 'folder' },
      { path: 'Notes/Plan.boxnote', type: 'file', content: text('{"doc":{"type":"doc"}}') },
    ]);
    mock.store.createWebLink(user.id, keyOfItem(itemAt(mock, user, 'Notes')), 'Intranet', 'https://intranet.example/');
    const items = itemsOf(await walked(new BoxSource({ connection }), user.id));
    const byPath = new Map(items.map((item) => [item.path, item]));
    const link = byPath.get('Notes/Intranet');
    expect(link).toMatchObject({ type: 'other', metadata: { url: 'https://intranet.example/', box_type: 'web_link' } });
    expect(link?.id).toMatch(/^web_link:\d+$/);
    const note = byPath.get('Notes/Plan.boxnote');
    expect(note).toMatchObject({ type: 'file', size: 22, contentHash: { algorithm: 'sha1' } });
    expect(note?.id).toMatch(/^file:\d+$/);
    expect(note?.version).toBe(itemAt(mock, user, 'Notes/Plan.boxnote').versions.at(-1)?.id);
    expect(note?.modifiedAt).toMatch(/Z$/);
    expect(Date.parse(note?.modifiedAt ?? '')).toBe(itemAt(mock, user, 'Notes/Plan.boxnote').contentModifiedAt);
    expect(note?.metadata).toMatchObject({
      owner: user.login,
      created_by: user.login,
      modified_by: user.login,
      etag: '0',
      sequence_id: '0',
    });
    const folder = byPath.get('Notes');
    expect(folder?.id).toMatch(/^folder:\d+$/);
    expect(folder?.modifiedAt).toBeUndefined();
  });

  it('keeps a file and a folder that Box numbers alike apart', async () => {
    const user = mock.addUser('Same numbers');
    const folder = mock.store.createFolder(user.id, mock.store.rootKey(user.id), 'F');
    let file = mock.store.createFile(user.id, keyOf('folder', folder.id), 'f.txt', text('f'));
    while (Number(file.id) < Number(folder.id))
      file = mock.store.createFile(user.id, keyOf('folder', folder.id), `f${file.id}.txt`, text('f'));
    const twin =
      Number(file.id) === Number(folder.id)
        ? file
        : mock.store.createFile(user.id, keyOf('folder', folder.id), 'twin.txt', text('t'));
    const items = itemsOf(await walked(new BoxSource({ connection }), user.id));
    const ids = items.map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(`folder:${folder.id}`);
    expect(ids).toContain(`file:${twin.id}`);
  });

  it('pages a folder of 2,500 items with fields, usemarker=true and limit=1000', async () => {
    const user = mock.addUser('Big folder');
    const folder = mock.store.createFolder(user.id, mock.store.rootKey(user.id), 'Big');
    for (let index = 0; index < 2500; index += 1)
      mock.store.createFile(user.id, keyOf('folder', folder.id), `f${String(index)}.txt`, text('x'));
    mock.resetCounters();
    const items = itemsOf(await walked(new BoxSource({ connection }), user.id));
    expect(items).toHaveLength(2501);
    const listings = mock.requests.filter((record) => record.key === 'GET /folders/{id}/items');
    expect(listings).toHaveLength(4);
    for (const listing of listings) {
      const query = new URL(listing.url ?? '').searchParams;
      expect(query.get('usemarker')).toBe('true');
      expect(query.get('limit')).toBe('1000');
      expect(query.get('fields')?.split(',')).toEqual(
        expect.arrayContaining(['sha1', 'file_version', 'size', 'content_modified_at', 'etag']),
      );
    }
    expect(mock.count('GET /events')).toBe(1);
  });

  it("lists the next subfolders ahead while a subtree is walked, each folder once, within the user's limit", async () => {
    const user = mock.addUser('Wide tree');
    for (let index = 0; index < 12; index += 1) {
      const folder = mock.store.createFolder(
        user.id,
        mock.store.rootKey(user.id),
        `F${String(index).padStart(2, '0')}`,
      );
      mock.store.createFile(user.id, keyOf('folder', folder.id), 'x.txt', text('x'));
    }
    const source = new BoxSource({ connection });
    await source.walk(user.id).then(async (walk) => collect(walk.entries));
    mock.latencyMs = 10;
    mock.resetCounters();
    const items = itemsOf(await walked(source, user.id));
    expect(items.map((item) => item.path)).toEqual(
      Array.from({ length: 12 }, (_, index) => [
        `F${String(index).padStart(2, '0')}`,
        `F${String(index).padStart(2, '0')}/x.txt`,
      ]).flat(),
    );
    expect(mock.count('GET /folders/{id}/items')).toBe(13);
    expect(mock.maxInFlightPerUser.get(user.id)).toBeGreaterThan(1);
    expect(mock.maxInFlightPerUser.get(user.id)).toBeLessThanOrEqual(4);
  });

  it('records a folder it may not list as an error entry and walks on', async () => {
    const user = mock.addUser('Partly readable');
    seedTree(mock, user, [
      { path: 'Open', type: 'folder' },
      { path: 'Open/a.txt', type: 'file', content: text('a') },
      { path: 'Shut', type: 'folder' },
      { path: 'Shut/b.txt', type: 'file', content: text('b') },
      { path: 'z.txt', type: 'file', content: text('z') },
    ]);
    const shut = itemAt(mock, user, 'Shut');
    mock.faults.push({
      match: ({ key, url }) => key === 'GET /folders/{id}/items' && url.pathname.endsWith(`/folders/${shut.id}/items`),
      answer: {
        status: 403,
        json: { type: 'error', status: 403, code: 'access_denied_insufficient_permissions', message: 'Access denied' },
      },
    });
    const entries = await walked(new BoxSource({ connection }), user.id);
    const lines = entries.map((entry) =>
      entry.kind === 'item'
        ? entry.item.path
        : `${entry.kind} ${entry.kind === 'error' ? `${entry.path} ${entry.error.code}` : ''}`,
    );
    expect(lines.sort()).toEqual(['Open', 'Open/a.txt', 'Shut', 'error Shut AUTH', 'z.txt']);
  });

  it('ends the walk with AuthError when Box stops letting the app act as the user', async () => {
    const user = mock.addUser('Deauthorised');
    seedTree(mock, user, [
      { path: 'A', type: 'folder' },
      { path: 'A/a.txt', type: 'file', content: text('a') },
      { path: 'B', type: 'folder' },
      { path: 'B/b.txt', type: 'file', content: text('b') },
    ]);
    const source = new BoxSource({ connection });
    const walk = await source.walk(user.id);
    const seen: WalkEntry[] = [];
    const run = (async () => {
      for await (const entry of walk.entries) {
        seen.push(entry);
        if (seen.length === 1) mock.refusedAsUser.add(user.id);
      }
    })();
    await expectHoldfastError(run, 'AUTH');
    expect(seen.filter((entry) => entry.kind === 'error')).toEqual([]);
  });

  it('waits out a download Box is not ready to serve (202), and refuses what is not a file', async () => {
    const user = mock.addUser('Downloader');
    seedTree(mock, user, [{ path: 'fresh.bin', type: 'file', content: text('just uploaded') }]);
    const source = new BoxSource({ connection });
    const [item] = itemsOf(await walked(source, user.id));
    mock.settings.downloadsNotReady = 2;
    mock.resetCounters();
    expect(Buffer.from(await collectBytes(await source.openContent(user.id, item!))).toString()).toBe('just uploaded');
    expect(mock.count('GET /files/{id}/content')).toBe(3);
    expect(mock.count('GET download')).toBe(1);
    expect(mock.settings.bytesDownloaded).toBe(13);
    await expectHoldfastError(source.openContent(user.id, { id: 'folder:1', path: 'x', type: 'folder' }), 'VALIDATION');
    mock.store.trash(user.id, keyOfItem(itemAt(mock, user, 'fresh.bin')));
    await expectHoldfastError(source.openContent(user.id, item!), 'NOT_FOUND');
  });

  it('cannot walk a deactivated user: Box refuses to act as them (AuthError)', async () => {
    const user = mock.addUser('Gone away', 'inactive');
    await expectHoldfastError(new BoxSource({ connection }).walk(user.id), 'AUTH');
  });

  it('refuses entities that are not Box users, and users of other enterprises, with NotFoundError', async () => {
    const source = new BoxSource({ connection });
    mock.resetCounters();
    await expectHoldfastError(source.walk('../../etc'), 'NOT_FOUND');
    expect(mock.requests).toEqual([]);
    await expectHoldfastError(source.walk('99999999'), 'NOT_FOUND');
  });
});
