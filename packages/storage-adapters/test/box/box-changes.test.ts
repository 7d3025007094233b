/**
 * BoxChangeSet, the fold of the event stream into each item's latest state: for every order of the same
 * events (Box may deliver them out of order, and more than once) the result is the same; states that
 * cannot be ordered mark the item to be fetched; events that do not change the tree are ignored.
 */
import { describe, expect, it } from 'vitest';
import { BoxChangeSet, type BoxEvent } from '../../src/box/index.ts';

const file = (sequence: number, status: 'active' | 'trashed' = 'active', name = 'a.txt'): Record<string, unknown> => ({
  type: 'file',
  id: '42',
  name,
  sequence_id: String(sequence),
  item_status: status,
  sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  file_version: { type: 'file_version', id: String(100 + sequence) },
  size: 0,
  path_collection: { total_count: 1, entries: [{ type: 'folder', id: '0', name: 'All Files' }] },
});
let ids = 0;
const event = (
  event_type: string,
  source: Record<string, unknown> | undefined,
  event_id = `e${String(++ids)}`,
): BoxEvent => ({
  type: 'event',
  event_id,
  event_type,
  ...(source === undefined ? {} : { source }),
});

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

function fold(events: readonly BoxEvent[]): BoxChangeSet {
  const changes = new BoxChangeSet();
  for (const one of events) changes.add(one);
  return changes;
}

describe('BoxChangeSet', () => {
  const cases: readonly [string, BoxEvent[], { sequence: string; deleted: boolean; name?: string }][] = [
    [
      'upload, rename, new version',
      [
        event('ITEM_UPLOAD', file(0)),
        event('ITEM_RENAME', file(1, 'active', 'b.txt')),
        event('ITEM_UPLOAD', file(2, 'active', 'b.txt')),
      ],
      { sequence: '2', deleted: false, name: 'b.txt' },
    ],
    [
      'upload then trash',
      [event('ITEM_UPLOAD', file(0)), event('ITEM_TRASH', file(1, 'trashed'))],
      { sequence: '1', deleted: true },
    ],
    [
      'trash then restore',
      [event('ITEM_TRASH', file(1, 'trashed')), event('ITEM_UNDELETE_VIA_TRASH', file(2))],
      { sequence: '2', deleted: false },
    ],
  ];

  it.each(cases)('%s: the same latest state in every order, with repeats', (_label, events, expected) => {
    for (const order of permutations([...events, ...events.slice(0, 1)])) {
      const tracked = fold(order).items.get('file:42');
      expect(tracked?.state?.sequence_id).toBe(expected.sequence);
      expect(tracked?.deleted === true || tracked?.state?.item_status === 'trashed').toBe(expected.deleted);
      if (expected.name !== undefined) expect(tracked?.state?.name).toBe(expected.name);
      expect(tracked?.ambiguous).toBe(false);
      expect(tracked?.fetch).toBe(false);
    }
  });

  it('drops repeated event ids and ignores what does not change the tree', () => {
    const upload = event('ITEM_UPLOAD', file(0));
    const changes = fold([
      upload,
      upload,
      event('ITEM_PREVIEW', file(0)),
      event('LOCK_DESTROY', undefined),
      event('COMMENT_CREATE', { type: 'comment', id: '9' }),
    ]);
    expect(changes.counts).toEqual({ events: 5, duplicates: 1, ignored: 3 });
    expect([...changes.items.keys()]).toEqual(['file:42']);
  });

  it('marks for fetching what the stream cannot order or describe', () => {
    const minimal = { item_type: 'file', item_id: '42', item_name: 'a.txt' };
    expect(fold([event('ITEM_UPLOAD', minimal)]).items.get('file:42')?.fetch).toBe(true);
    expect(fold([event('ITEM_UPLOAD', file(3)), event('ITEM_TRASH', minimal)]).items.get('file:42')?.ambiguous).toBe(
      true,
    );
    expect(
      fold([event('ITEM_UPLOAD', file(3)), event('ITEM_TRASH', file(3, 'trashed'))]).items.get('file:42')?.ambiguous,
    ).toBe(true);
    expect(
      fold([event('COLLAB_REMOVE_COLLABORATOR', { ...file(3), type: 'folder' })]).items.get('folder:42')?.fetch,
    ).toBe(true);
    const partial = { ...file(1) };
    delete partial['sha1'];
    expect(fold([event('ITEM_UPLOAD', partial)]).items.get('file:42')?.fetch).toBe(true);
  });

  it('asks for a subtree walk for copies, restores and new collaborations', () => {
    const folder = { ...file(0), type: 'folder' };
    for (const type of ['ITEM_COPY', 'ITEM_UNDELETE_VIA_TRASH', 'COLLAB_ADD_COLLABORATOR', 'COLLABORATION_ACCEPT']) {
      expect(fold([event(type, folder)]).items.get('folder:42')?.subtree, type).toBe(true);
    }
    expect(fold([event('ITEM_MOVE', folder)]).items.get('folder:42')?.subtree).toBe(false);
  });
});
