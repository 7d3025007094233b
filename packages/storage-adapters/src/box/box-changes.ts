/**
 * Folding a user's event stream into the latest known state of each item it names.
 *
 * Box says its user event stream may repeat events and deliver them out of order. So the stream is read
 * as a set of observations, not a log to replay: for each item, the state kept is the one with the highest
 * `sequence_id` (Box raises it with every change of the item: upload, rename, move, trash, restore), and
 * only when neither state has one, the later in the stream. Repeated `event_id`s are dropped. The result
 * does not depend on the order the events came in. States that cannot be ordered (one without a
 * sequence, or the same sequence once trashed and once not) mark the item to be fetched instead.
 *
 * What the event types mean here (the `changes` stream; names of the spec's `event_type` enum):
 * - change: `ITEM_CREATE`, `ITEM_UPLOAD` (new file or new version), `ITEM_MOVE`, `ITEM_RENAME`,
 *   `ITEM_MODIFY`, `ITEM_MAKE_CURRENT_VERSION`, `FILE_VERSION_RESTORE`, and the enterprise spellings
 *   `UPLOAD`, `EDIT`, `MOVE`, `RENAME`: the source is the item as it is after the change;
 * - subtree: `ITEM_COPY`, `COPY` (the source is the new copy), `ITEM_UNDELETE_VIA_TRASH`, `UNDELETE`,
 *   `COLLAB_ADD_COLLABORATOR`, `COLLABORATION_ACCEPT`: a folder whose contents are new to the user's tree,
 *   so its subtree is walked as well;
 * - delete: `ITEM_TRASH`, `DELETE`: gone from the tree (Box keeps it in the trash; purging it from the
 *   trash changes nothing in the tree);
 * - verify: `COLLAB_REMOVE_COLLABORATOR`, `COLLABORATION_REMOVE`: the folder may have left the user's
 *   tree; its current state is fetched.
 * Anything else (previews, downloads, comments, locks, shared links, sync flags) does not change the tree
 * and is ignored. An event whose source is Box's minimal `EventSource` (`item_type`, `item_id`), or an item
 * without the fields a walk needs, marks the item to be fetched.
 */
import type { BoxEvent, BoxItem } from './box-types.ts';

/** What an event type means for the tree; see the module note. */
export type BoxChangeKind = 'change' | 'subtree' | 'delete' | 'verify';

/** The event types that change a user's tree, and how. */
export const boxEventKinds: Readonly<Record<string, BoxChangeKind>> = {
  ITEM_CREATE: 'change',
  ITEM_UPLOAD: 'change',
  ITEM_MOVE: 'change',
  ITEM_RENAME: 'change',
  ITEM_MODIFY: 'change',
  ITEM_MAKE_CURRENT_VERSION: 'change',
  FILE_VERSION_RESTORE: 'change',
  UPLOAD: 'change',
  EDIT: 'change',
  MOVE: 'change',
  RENAME: 'change',
  ITEM_COPY: 'subtree',
  COPY: 'subtree',
  ITEM_UNDELETE_VIA_TRASH: 'subtree',
  UNDELETE: 'subtree',
  COLLAB_ADD_COLLABORATOR: 'subtree',
  COLLABORATION_ACCEPT: 'subtree',
  ITEM_TRASH: 'delete',
  DELETE: 'delete',
  COLLAB_REMOVE_COLLABORATOR: 'verify',
  COLLABORATION_REMOVE: 'verify',
};

/** One item named by the stream, and its latest known state. */
export interface TrackedItem {
  readonly id: string;
  readonly type: BoxItem['type'];
  /** The latest state seen (the item as the event recorded it), if the source was an item. */
  state: BoxItem | undefined;
  /** `sequence_id` of `state`. */
  sequence: bigint | undefined;
  /** Stream order of the event that gave `state`. */
  rank: number;
  /** The latest state came from a delete event. */
  deleted: boolean;
  /** A folder whose subtree must be walked if it is alive at the end. */
  subtree: boolean;
  /** The state cannot be trusted or lacks fields: fetch the item's current info. */
  fetch: boolean;
  /** Two states could not be ordered (one had no `sequence_id`): fetch the item's current info. */
  ambiguous: boolean;
}

/** Counts of what {@link BoxChangeSet.add} did with the events. */
export interface BoxChangeCounts {
  readonly events: number;
  readonly duplicates: number;
  readonly ignored: number;
}

/** The items a stream names, each with its latest state; see the module note. */
export class BoxChangeSet {
  readonly items = new Map<string, TrackedItem>();
  readonly #seen = new Set<string>();
  #events = 0;
  #duplicates = 0;
  #ignored = 0;

  /** What was done with the events so far. */
  get counts(): BoxChangeCounts {
    return { events: this.#events, duplicates: this.#duplicates, ignored: this.#ignored };
  }

  /** Takes one event into account. */
  add(event: BoxEvent): void {
    this.#events += 1;
    const rank = this.#events;
    if (event.event_id !== undefined) {
      if (this.#seen.has(event.event_id)) {
        this.#duplicates += 1;
        return;
      }
      this.#seen.add(event.event_id);
    }
    const kind = event.event_type === undefined ? undefined : boxEventKinds[event.event_type];
    const named = kind === undefined ? undefined : itemOf(event.source);
    if (kind === undefined || named === undefined) {
      this.#ignored += 1;
      return;
    }
    const key = `${named.type}:${named.id}`;
    let tracked = this.items.get(key);
    if (tracked === undefined) {
      tracked = {
        id: named.id,
        type: named.type,
        state: undefined,
        sequence: undefined,
        rank: 0,
        deleted: false,
        subtree: false,
        fetch: false,
        ambiguous: false,
      };
      this.items.set(key, tracked);
    }
    if (kind === 'subtree') tracked.subtree = true;
    const sequence = sequenceOf(named.state);
    if (tracked.rank !== 0 && (sequence === undefined || tracked.sequence === undefined)) tracked.ambiguous = true;
    // The same sequence with a different status (trashed or not) cannot be ordered either.
    if (
      tracked.rank !== 0 &&
      sequence !== undefined &&
      sequence === tracked.sequence &&
      gone(kind, named.state) !== gone(tracked.deleted ? 'delete' : 'change', tracked.state)
    ) {
      tracked.ambiguous = true;
    }
    if (!supersedes(sequence, rank, tracked)) return;
    tracked.state = named.state;
    tracked.sequence = sequence;
    tracked.rank = rank;
    tracked.deleted = kind === 'delete';
    tracked.fetch = kind === 'verify' || (kind !== 'delete' && !isComplete(named.state));
  }

  /** The tracked item for a folder id, if the stream named it. */
  folder(id: string): TrackedItem | undefined {
    return this.items.get(`folder:${id}`);
  }
}

/** Whether a state with `sequence`, seen at `rank`, is newer than what `tracked` holds. */
function supersedes(sequence: bigint | undefined, rank: number, tracked: TrackedItem): boolean {
  if (tracked.rank === 0) return true;
  if (sequence !== undefined && tracked.sequence !== undefined) {
    return sequence > tracked.sequence || (sequence === tracked.sequence && rank > tracked.rank);
  }
  return rank > tracked.rank;
}

/** Whether an event says the item is out of the tree. */
function gone(kind: BoxChangeKind, state: BoxItem | undefined): boolean {
  return kind === 'delete' || (state?.item_status !== undefined && state.item_status !== 'active');
}

function sequenceOf(state: BoxItem | undefined): bigint | undefined {
  const text = state?.sequence_id;
  return typeof text === 'string' && /^\d+$/.test(text) ? BigInt(text) : undefined;
}

/** The item an event's source names: a file, folder or web link object, or Box's minimal EventSource. */
function itemOf(
  source: BoxEvent['source'],
): { type: BoxItem['type']; id: string; state: BoxItem | undefined } | undefined {
  if (source === null || source === undefined) return undefined;
  const type = source['type'];
  const id = source['id'];
  if ((type === 'file' || type === 'folder' || type === 'web_link') && typeof id === 'string') {
    return { type, id, state: source as unknown as BoxItem };
  }
  const itemType = source['item_type'];
  const itemId = source['item_id'];
  if ((itemType === 'file' || itemType === 'folder') && typeof itemId === 'string') {
    return { type: itemType, id: itemId, state: undefined };
  }
  return undefined;
}

/** Whether a state has what a walk needs: its name, status, path and, for a file, version, hash and size. */
export function isComplete(state: BoxItem | undefined): boolean {
  if (state === undefined) return false;
  if (typeof state.name !== 'string' || state.item_status === undefined) return false;
  if (state.path_collection === undefined || !Array.isArray(state.path_collection.entries)) return false;
  if (state.type === 'file') {
    return (
      typeof state.sha1 === 'string' && typeof state.file_version?.id === 'string' && typeof state.size === 'number'
    );
  }
  return true;
}
