/**
 * What DropboxSource walks yield, looked at directly (no engine): depth-first order and display paths out
 * of Dropbox's scrambled listing, item fields, incremental walks in Dropbox's order (edits, additions,
 * deletions, renames, folder moves and copies; no case-only renames, as Dropbox omits them), and every
 * way back to a full walk (reset, a reset in the middle of a listing, a foreign or malformed cursor,
 * `fullWalkEvery`).
 */
import { describe, expect, it } from 'vitest';
import type { SourceItem, WalkEntry } from '@holdfast/engine';
import { collect, collect as collectEntries } from '@holdfast/engine/testing';
import { DepthFirstListing, DropboxSource, type DropboxEntry } from '../../src/dropbox/index.ts';
import type { MockAccount } from './dropbox-mock/index.ts';
import { newMember, teamOptions, useDropboxMock } from './dropbox-test-support.ts';

const dropbox = useDropboxMock();
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function walk(source: DropboxSource, member: MockAccount, since?: string) {
  const result = await source.walk(member.teamMemberId ?? '', since === undefined ? {} : { since });
  const entries = await collectEntries(result.entries);
  const items = entries.flatMap((entry) => (entry.kind === 'item' ? [entry.item] : []));
  return { mode: result.mode, entries, items, cursor: result.cursor() };
}

const describeEntry = (entry: WalkEntry): string =>
  entry.kind === 'item'
    ? `${entry.item.type} ${entry.item.path}`
    : entry.kind === 'deleted'
      ? `deleted ${entry.path ?? ''}`
      : `error ${entry.path}`;

describe('a full Dropbox walk', () => {
  it('orders a scrambled listing depth first, and names every item by its own casing', async () => {
    const member = newMember(dropbox, 'order');
    const ns = member.namespace;
    ns.createFolder('/Zeta');
    ns.writeFile('/Zeta/Deep/Er/File.TXT', text('x'), { mode: 'add' });
    ns.writeFile('/Alpha/Beta/b.txt', text('b'), { mode: 'add' });
    ns.writeFile('/Alpha/a.txt', text('a'), { mode: 'add' });
    ns.writeFile('/top.md', text('t'), { mode: 'add' });
    const source = new DropboxSource(teamOptions(dropbox));
    const raw = await source.client.rpc<{ entries: { path_lower: string; path_display: string }[] }>(
      'files/list_folder',
      { path: '', recursive: true },
      { member: member.teamMemberId },
    );
    const position = new Map(raw.entries.map((entry, index) => [entry.path_lower, index]));
    const beforeParent = raw.entries.filter((entry, index) => {
      const parent = entry.path_lower.slice(0, entry.path_lower.lastIndexOf('/'));
      return parent !== '' && (position.get(parent) ?? -1) > index;
    });
    expect(beforeParent.length, 'the mock lists some items before their folder').toBeGreaterThan(0);
    expect(raw.entries.find((entry) => entry.path_lower === '/zeta/deep/er/file.txt')?.path_display).toBe(
      '/zeta/deep/er/File.TXT',
    );
    const { items, mode, cursor } = await walk(source, member);
    expect(mode).toBe('full');
    expect(cursor).toMatch(/^dbx1\./);
    expect(items.map((item) => item.path)).toEqual([
      'Alpha',
      'Alpha/Beta',
      'Alpha/Beta/b.txt',
      'Alpha/a.txt',
      'Zeta',
      'Zeta/Deep',
      'Zeta/Deep/Er',
      'Zeta/Deep/Er/File.TXT',
      'top.md',
    ]);
  });

  it('pages with limit, and starts a listing again when Dropbox resets it midway', async () => {
    const member = newMember(dropbox, 'pages');
    for (let i = 0; i < 20; i += 1) member.namespace.writeFile(`/f/${String(i)}.txt`, text(String(i)), { mode: 'add' });
    const source = new DropboxSource({ ...teamOptions(dropbox), pageSize: 3 });
    const result = await source.walk(member.teamMemberId ?? '');
    dropbox.mock.resetCursors(member.accountId); // the listing's next page now answers `reset`
    const items = (await collectEntries(result.entries)).length;
    expect(items).toBe(21);
    expect(dropbox.mock.count('files/list_folder', member.accountId)).toBe(2);
    // 21 entries, 3 a page: the reset continue, then the listing again (1 + 6 continues).
    expect(dropbox.mock.count('files/list_folder/continue', member.accountId)).toBe(1 + 6);
  });

  it('yields ids, revs, content hashes, client_modified, symlinks and non-downloadable files', async () => {
    const member = newMember(dropbox, 'fields');
    const ns = member.namespace;
    const file = ns.writeFile('/doc.txt', text('content'), { mode: 'add', clientModified: '2020-02-03T04:05:06Z' });
    ns.writeFile('/link', text('doc.txt'), { mode: 'add', symlinkTarget: 'doc.txt' });
    ns.writeFile('/Notes.paper', text(''), { mode: 'add', exportAs: 'md' });
    const { items } = await walk(new DropboxSource(teamOptions(dropbox)), member);
    const byPath = new Map(items.map((item) => [item.path, item]));
    expect(byPath.get('doc.txt')).toEqual<SourceItem>({
      id: file.id,
      path: 'doc.txt',
      type: 'file',
      size: 7,
      version: file.rev,
      contentHash: { algorithm: 'dropbox-content-hash', value: file.contentHash },
      modifiedAt: '2020-02-03T04:05:06.000Z',
      metadata: {
        path_lower: '/doc.txt',
        rev: file.rev,
        client_modified: '2020-02-03T04:05:06Z',
        server_modified: file.serverModified,
      },
    });
    expect(byPath.get('link')).toMatchObject({ type: 'symlink', linkTarget: 'doc.txt', size: 7 });
    expect(byPath.get('Notes.paper')).toMatchObject({
      type: 'other',
      metadata: { is_downloadable: false, export_as: 'md' },
    });
  });
});

describe('an incremental Dropbox walk', () => {
  it('yields the changes since the cursor in Dropbox order, moved and copied folders with their contents', async () => {
    const member = newMember(dropbox, 'changes');
    const ns = member.namespace;
    for (const path of [
      '/Docs/a.txt',
      '/Docs/b.txt',
      '/Docs/Old/c.txt',
      '/Photos/p.jpg',
      '/Gone/g.txt',
      '/Case/k.txt',
      '/top.txt',
    ]) {
      ns.writeFile(path, text(path), { mode: 'add' });
    }
    const source = new DropboxSource(teamOptions(dropbox));
    const first = await walk(source, member);
    const before = new Map(first.items.map((item) => [item.path, item]));

    ns.writeFile('/Docs/a.txt', text('edited'), { mode: 'overwrite' });
    ns.writeFile('/Docs/new.txt', text('new'), { mode: 'add' });
    ns.remove('/top.txt');
    ns.remove('/Gone');
    ns.move('/Docs/b.txt', '/Docs/B2.txt');
    ns.move('/Docs/Old', '/Photos/Moved');
    ns.copy('/Photos/p.jpg', '/Photos/p copy.jpg');
    ns.move('/Case', '/CASE'); // case only: Dropbox does not report it

    dropbox.mock.resetCounters();
    const second = await walk(source, member, first.cursor);
    expect(second.mode).toBe('incremental');
    expect(second.entries.map(describeEntry)).toEqual([
      'file docs/a.txt',
      'file docs/new.txt',
      'deleted top.txt',
      'deleted gone',
      'deleted docs/b.txt',
      'file docs/B2.txt',
      'deleted docs/old',
      'folder photos/Moved',
      'file photos/Moved/c.txt',
      'file photos/p copy.jpg',
    ]);
    const moved = second.items.find((item) => item.path === 'photos/Moved/c.txt');
    expect(moved?.id).toBe(before.get('Docs/Old/c.txt')?.id);
    expect(moved?.version).toBe(before.get('Docs/Old/c.txt')?.version);
    expect(second.items.find((item) => item.path === 'photos/Moved')?.id).toBe(before.get('Docs/Old')?.id);
    expect(second.items.find((item) => item.path === 'docs/a.txt')?.version).not.toBe(
      before.get('Docs/a.txt')?.version,
    );
    expect(dropbox.mock.count('files/list_folder/continue', member.accountId)).toBe(1);
    expect(dropbox.mock.count('files/list_folder', member.accountId)).toBe(0);

    const third = await walk(source, member, second.cursor);
    expect(third).toMatchObject({ mode: 'incremental', entries: [] });
  });

  it('walks in full after a reset, for a foreign or malformed cursor, and every fullWalkEvery-th walk', async () => {
    const member = newMember(dropbox, 'reset');
    const other = newMember(dropbox, 'other');
    member.namespace.writeFile('/a.txt', text('a'), { mode: 'add' });
    const source = new DropboxSource(teamOptions(dropbox));
    const { cursor } = await walk(source, member);
    const otherCursor = (await walk(source, other)).cursor;
    expect((await walk(source, member, cursor)).mode).toBe('incremental');
    for (const since of ['garbage', otherCursor, 'dbx1.bm90LWpzb24']) {
      const result = await walk(source, member, since);
      expect(result.mode, String(since)).toBe('full');
      expect(result.items.map((item) => item.path)).toEqual(['a.txt']);
    }
    dropbox.mock.resetCursors(member.accountId);
    const afterReset = await walk(source, member, cursor);
    expect(afterReset.mode).toBe('full');
    expect(afterReset.items.map((item) => item.path)).toEqual(['a.txt']);

    const every2 = new DropboxSource({ ...teamOptions(dropbox), fullWalkEvery: 2 });
    const full = await walk(every2, member);
    const incremental = await walk(every2, member, full.cursor);
    expect(incremental.mode).toBe('incremental');
    expect((await walk(every2, member, incremental.cursor)).mode).toBe('full');
  });
});

describe('DepthFirstListing', () => {
  it('makes up a folder the listing lacks, from the casing path_display gives', async () => {
    const listing = new DepthFirstListing();
    const entry = (
      tag: 'file' | 'folder',
      id: string,
      name: string,
      pathLower: string,
      pathDisplay?: string,
    ): DropboxEntry => ({
      tag,
      id,
      name,
      pathLower,
      pathDisplay,
      ...(tag === 'file' ? { size: 1, rev: '0123456789' } : {}),
    });
    listing.add(entry('file', 'id:f', 'F.txt', '/root/lost/inner/f.txt', '/Root/Lost/Inner/F.txt'), 'lost/inner/f.txt');
    listing.add(entry('folder', 'id:l', 'Lost', '/root/lost'), 'lost');
    const items = await collect(
      (async function* () {
        yield* listing.items();
      })(),
    );
    expect(items.map((item) => [item.path, item.type, item.id])).toEqual([
      ['Lost', 'folder', 'id:l'],
      ['Lost/Inner', 'folder', 'path:/root/lost/inner'],
      ['Lost/Inner/F.txt', 'file', 'id:f'],
    ]);
  });
});
