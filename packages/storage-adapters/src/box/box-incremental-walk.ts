/**
 * The incremental walk of one Box user: the `changes` event stream from the cursor, folded into each
 * item's latest state ({@link BoxChangeSet}), turned into the entries the engine applies.
 *
 * Reading: pages of 500 events (Box's largest) until a page comes back empty (Box may send fewer than
 * the limit while more remain); `next_stream_position` of the last page is the next cursor. Calls:
 * ceil(events / 500) + 1.
 *
 * Planning, before the walk is handed over (so a feed that cannot be trusted still turns into a full
 * walk, `mode: 'full'`):
 * - items whose state the stream could not give (a minimal `EventSource`, missing fields, a removed
 *   collaboration, states that could not be ordered) are fetched by id: one call each, at most one per
 *   item named; a 404 means the item is gone;
 * - each item's current path is its name under its parent chain (`path_collection`), where the deepest
 *   ancestor the stream also names takes that ancestor's own current path, recursively: a folder renamed
 *   or moved after an item's event moves the item's path with it. An item is dead when it is trashed or
 *   deleted, outside the user's tree (its chain does not start at folder `0`), or under a dead ancestor;
 * - a cycle among ancestors means the feed contradicts itself: the walk is done in full instead.
 *
 * Entries, in this order: a `deleted` entry (by id; never by path, which could name a newer item) for
 * every dead item, then every living item at its current path, sorted by path so that a folder comes
 * before what is under it; a copied, restored or newly shared folder is followed by its whole subtree
 * (a full walk of it), which also covers any named item under it.
 */
import { isHoldfastError, type WalkEntry } from '@holdfast/engine';
import type { BoxActor, BoxApi } from './box-api.ts';
import { EVENTS_LIMIT } from './box-api.ts';
import { BoxChangeSet, type TrackedItem } from './box-changes.ts';
import { endsWalk, walkFolderTree, type WalkFolderTreeOptions } from './box-full-walk.ts';
import { boxItemId, sourceItemOf, unsafeNameProblem } from './box-items.ts';
import { compareItemNames } from '@holdfast/engine';
import type { BoxItem } from './box-types.ts';

/** Why an incremental walk could not be done, and a full one is. */
export class BoxFullWalkNeeded extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'BoxFullWalkNeeded';
  }
}

/** The stream read from a cursor. */
export interface BoxChanges {
  readonly changes: BoxChangeSet;
  /** The position after the last event read. */
  readonly next: string;
  /** `GET /events` calls made. */
  readonly pages: number;
}

/** Reads the `changes` stream from `position` to its end; see the module note. */
export async function readChanges(
  api: BoxApi,
  actor: BoxActor,
  position: string,
  options: { signal?: AbortSignal | undefined; maxEvents: number },
): Promise<BoxChanges> {
  const changes = new BoxChangeSet();
  let next = position;
  let pages = 0;
  for (;;) {
    const page = await api.eventsPage(actor, next, options.signal, EVENTS_LIMIT);
    pages += 1;
    for (const event of page.entries) changes.add(event);
    next = page.nextStreamPosition;
    if (page.entries.length === 0) return { changes, next, pages };
    if (changes.counts.events > options.maxEvents) {
      throw new BoxFullWalkNeeded(`more than ${options.maxEvents} events since the cursor: a full walk is cheaper`);
    }
  }
}

/** One living item of the plan. */
export interface PlannedBoxItem {
  readonly item: BoxItem;
  readonly path: string;
  /** A folder whose subtree is walked after it. */
  readonly subtree: boolean;
}

/** What the incremental walk yields; see the module note. */
export interface BoxChangePlan {
  readonly deleted: readonly TrackedItem[];
  readonly items: readonly PlannedBoxItem[];
  /** Items fetched by id because the stream's state was not enough. */
  readonly fetched: number;
}

/** Fetches what the stream could not tell and resolves every item's current path. */
export async function planChanges(
  api: BoxApi,
  actor: BoxActor,
  changes: BoxChangeSet,
  signal?: AbortSignal,
): Promise<BoxChangePlan> {
  const toFetch = [...changes.items.values()].filter((item) => item.ambiguous || (item.fetch && !item.deleted));
  for (let start = 0; start < toFetch.length; start += 8) {
    await Promise.all(
      toFetch.slice(start, start + 8).map(async (tracked) => fetchCurrent(api, actor, tracked, signal)),
    );
  }
  const resolver = new PathResolver(changes);
  const deleted: TrackedItem[] = [];
  const items: PlannedBoxItem[] = [];
  for (const tracked of changes.items.values()) {
    const path = resolver.pathOf(tracked);
    if (path === undefined || tracked.state === undefined) deleted.push(tracked);
    else items.push({ item: tracked.state, path, subtree: tracked.type === 'folder' && tracked.subtree });
  }
  items.sort((a, b) => comparePaths(a.path, b.path));
  return { deleted, items, fetched: toFetch.length };
}

/** The entries of a plan; subtrees are walked as the entries are read. */
export async function* changeEntries(
  api: BoxApi,
  actor: BoxActor,
  plan: BoxChangePlan,
  options: WalkFolderTreeOptions = {},
): AsyncGenerator<WalkEntry> {
  for (const tracked of plan.deleted) yield { kind: 'deleted', id: boxItemId(tracked.type, tracked.id) };
  let covered: string | undefined;
  for (const { item, path, subtree } of plan.items) {
    if (covered !== undefined && path.startsWith(`${covered}/`)) continue;
    covered = undefined;
    yield { kind: 'item', item: sourceItemOf(item, path) };
    if (!subtree) continue;
    covered = path;
    try {
      yield* walkFolderTree(api, actor, item.id, path, options);
    } catch (error) {
      if (endsWalk(error) || !isHoldfastError(error)) throw error;
      yield { kind: 'error', path, error };
    }
  }
}

async function fetchCurrent(api: BoxApi, actor: BoxActor, tracked: TrackedItem, signal?: AbortSignal): Promise<void> {
  try {
    tracked.state = await api.item(tracked.type, tracked.id, actor, signal);
    tracked.deleted = false;
  } catch (error) {
    if (!isHoldfastError(error, 'NOT_FOUND') && !(isHoldfastError(error, 'AUTH') && !endsWalk(error))) throw error;
    // Gone, trashed, or no longer visible to the user: out of the tree.
    tracked.state = undefined;
    tracked.deleted = true;
  }
  tracked.fetch = false;
  tracked.ambiguous = false;
}

/** Current paths of tracked items; see the module note. `undefined` means dead. */
class PathResolver {
  readonly #changes: BoxChangeSet;
  readonly #memo = new Map<TrackedItem, string | undefined>();
  readonly #active = new Set<TrackedItem>();

  constructor(changes: BoxChangeSet) {
    this.#changes = changes;
  }

  pathOf(tracked: TrackedItem): string | undefined {
    if (this.#memo.has(tracked)) return this.#memo.get(tracked);
    if (this.#active.has(tracked))
      throw new BoxFullWalkNeeded(`the event stream puts ${tracked.type} ${tracked.id} inside itself`);
    this.#active.add(tracked);
    try {
      const path = this.#compute(tracked);
      this.#memo.set(tracked, path);
      return path;
    } finally {
      this.#active.delete(tracked);
    }
  }

  #compute(tracked: TrackedItem): string | undefined {
    const state = tracked.state;
    if (tracked.deleted || state?.item_status !== 'active') return undefined;
    const chain = state.path_collection?.entries ?? [];
    if (chain[0]?.id !== '0') return undefined;
    let base = '';
    let from = 1;
    for (let index = chain.length - 1; index >= 1; index -= 1) {
      const ancestor = this.#changes.folder(chain[index]?.id ?? '');
      if (ancestor === undefined) continue;
      const ancestorPath = this.pathOf(ancestor);
      if (ancestorPath === undefined) return undefined;
      base = ancestorPath;
      from = index + 1;
      break;
    }
    const names = [...chain.slice(from).map((folder) => folder.name), state.name];
    for (const name of names) {
      const problem = unsafeNameProblem(name);
      if (problem !== undefined)
        throw new BoxFullWalkNeeded(`an item on the path of ${tracked.type} ${tracked.id} ${problem}`);
    }
    return [base, ...names].filter((part) => part !== '').join('/');
  }
}

/** Orders paths so that a folder comes right before everything under it. */
function comparePaths(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
    const order = compareItemNames(left[index] ?? '', right[index] ?? '');
    if (order !== 0) return order;
  }
  return left.length - right.length;
}
