/**
 * The changes an incremental walk yields, collected and reduced to what the new snapshot needs: the
 * items to place (last state of each id), the ids and paths deleted since the previous snapshot.
 *
 * Design note: a change feed is replayed in order, so a deletion cancels what was yielded before it at
 * or under its path (or with its id), and an item yielded after a deletion stands. Each entry gets a
 * sequence number; an item survives when no deletion of its id, its path or one of its folders' paths
 * comes later. Memory is O(changes), never O(entity).
 */
import type { HoldfastError } from '../errors/index.ts';
import type { SourceItem, WalkEntry } from '../ports/index.ts';

/** Normalises a path for matching: lower case for case-insensitive sources. */
export type PathKey = (path: string) => string;

/** The reduced changes of one incremental walk. */
export interface ChangeSet {
  /** The items to place, by id: each item's state as the feed last gave it. */
  readonly items: ReadonlyMap<string, SourceItem>;
  /** The items to place, by the key of their folder's path (`''` for the root). */
  readonly itemsByFolder: ReadonlyMap<string, readonly SourceItem[]>;
  /** Ids deleted (and not yielded again afterwards). */
  readonly deletedIds: ReadonlySet<string>;
  /** Keys of paths whose previous contents are deleted. */
  readonly deletedPaths: ReadonlySet<string>;
  /** Path hints for deleted ids (a place to look first in the previous snapshot). */
  readonly deletedIdHints: ReadonlyMap<string, string>;
  /** Items and folders the source could not list or read. */
  readonly errors: readonly { readonly path: string; readonly error: HoldfastError }[];
  /** Entries the feed yielded. */
  readonly entries: number;
}

/** Reads a walk's entries into a {@link ChangeSet}. */
export async function collectChanges(
  entries: AsyncIterable<WalkEntry>,
  key: PathKey,
  onEntry?: () => void,
): Promise<ChangeSet> {
  const items = new Map<string, { item: SourceItem; seq: number }>();
  const deletedIds = new Map<string, number>();
  const deletedPaths = new Map<string, number>();
  const deletedIdHints = new Map<string, string>();
  const errors: { path: string; error: HoldfastError }[] = [];
  let seq = 0;
  for await (const entry of entries) {
    seq++;
    onEntry?.();
    if (entry.kind === 'item') {
      items.set(entry.item.id, { item: entry.item, seq });
    } else if (entry.kind === 'deleted') {
      if (entry.id !== undefined) {
        deletedIds.set(entry.id, seq);
        if (entry.path !== undefined) deletedIdHints.set(entry.id, entry.path);
      } else if (entry.path !== undefined) {
        deletedPaths.set(key(entry.path), seq);
      }
    } else {
      errors.push({ path: entry.path, error: entry.error });
    }
  }

  const placed = new Map<string, SourceItem>();
  const itemsByFolder = new Map<string, SourceItem[]>();
  for (const [id, { item, seq: at }] of items) {
    if ((deletedIds.get(id) ?? 0) > at) continue;
    if (deletedUnder(deletedPaths, key(item.path), at)) continue;
    placed.set(id, item);
    const slash = item.path.lastIndexOf('/');
    const folder = key(slash === -1 ? '' : item.path.slice(0, slash));
    const list = itemsByFolder.get(folder);
    if (list === undefined) itemsByFolder.set(folder, [item]);
    else list.push(item);
  }
  return {
    items: placed,
    itemsByFolder,
    deletedIds: new Set([...deletedIds.keys()].filter((id) => !placed.has(id))),
    deletedPaths: new Set(deletedPaths.keys()),
    deletedIdHints,
    errors,
    entries: seq,
  };
}

/** Whether a deletion of `path` or of one of its folders came after sequence number `at`. */
function deletedUnder(deletedPaths: ReadonlyMap<string, number>, path: string, at: number): boolean {
  if (deletedPaths.size === 0) return false;
  for (let end = path.length; end > 0; end = path.lastIndexOf('/', end - 1)) {
    if ((deletedPaths.get(path.slice(0, end)) ?? 0) > at) return true;
  }
  return false;
}

/** The keys of the folders above `path`, nearest first (not `''`). */
export function* folderKeys(path: string): Generator<string> {
  for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
    yield path.slice(0, end);
  }
}
