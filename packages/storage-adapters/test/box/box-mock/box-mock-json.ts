/**
 * The MOCK's JSON: users, files, folders, web links and events in the shapes of Box's published API
 * (`User--Full`, `File`/`File--Full`, `Folder`, `WebLink`, `Event`), as seen by one user (paths start at
 * that user's root, `0`, "All Files"). As on Box, a request without `fields` gets the standard
 * representation (a folder listing: the mini one), and a request with `fields` gets the mini
 * representation plus the fields asked for. Times carry an offset (`-07:00`), as Box's do.
 */
import type { MockItem, MockItemSnapshot, MockStore, MockUser } from './box-mock-store.ts';

/** `2025-05-31T17:00:01-07:00`: Box's RFC 3339 form with an offset. */
export function boxTime(ms: number): string {
  return `${new Date(ms - 7 * 3600_000).toISOString().slice(0, 19)}-07:00`;
}

/** A Box time (any RFC 3339) as milliseconds, or undefined. */
export function parseBoxTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

export function userMini(user: MockUser | undefined): Record<string, unknown> {
  if (user === undefined) return { type: 'user', id: '2', name: 'Anonymous User', login: 'anonymous@example.com' };
  return { type: 'user', id: user.id, name: user.name, login: user.login };
}

export function userJson(user: MockUser, fields?: readonly string[]): Record<string, unknown> {
  const full = { ...userMini(user), status: user.status, role: 'user', created_at: boxTime(Date.UTC(2024, 0, 1)) };
  return select(full, fields, ['type', 'id', 'name', 'login']);
}

const MINI: Record<string, readonly string[]> = {
  file: ['type', 'id', 'etag', 'sequence_id', 'name', 'sha1', 'file_version'],
  folder: ['type', 'id', 'etag', 'sequence_id', 'name'],
  web_link: ['type', 'id', 'etag', 'sequence_id', 'name', 'url'],
};

/** The standard representation's keys (the rest of the full object is only sent when asked for). */
const EXTRA = new Set(['extension', 'version_number', 'comment_count']);

/** An item as its owner sees it now. */
export function itemJson(store: MockStore, item: MockItem, fields?: readonly string[]): Record<string, unknown> {
  return snapshotJson(store, store.snapshot(item), fields);
}

/** An item as it was in a snapshot (an event's source). */
export function snapshotJson(
  store: MockStore,
  snapshot: MockItemSnapshot,
  fields?: readonly string[],
): Record<string, unknown> {
  const full = fullJson(store, snapshot);
  if (fields === undefined) return Object.fromEntries(Object.entries(full).filter(([key]) => !EXTRA.has(key)));
  return select(full, fields, MINI[snapshot.item.type] ?? []);
}

/** The mini representation (a folder listing without `fields`). */
export function miniJson(store: MockStore, item: MockItem): Record<string, unknown> {
  return select(fullJson(store, store.snapshot(item)), [], MINI[item.type] ?? []);
}

/** Box's minimal `EventSource` for an item (some events carry only this). */
export function eventSourceJson(store: MockStore, snapshot: MockItemSnapshot): Record<string, unknown> {
  const { item } = snapshot;
  const parent = snapshot.chain.at(-1);
  return {
    item_type: item.type === 'folder' ? 'folder' : 'file',
    item_id: item.id,
    item_name: item.name,
    parent:
      parent === undefined
        ? { type: 'folder', id: '0', name: 'All Files' }
        : { type: 'folder', id: parent.id, name: parent.name },
    owned_by: userMini(store.users.get(item.ownerId)),
  };
}

function fullJson(store: MockStore, snapshot: MockItemSnapshot): Record<string, unknown> {
  const { item, version } = snapshot;
  const user = (id: string): Record<string, unknown> => userMini(store.users.get(id));
  const id = item.root === true ? '0' : item.id;
  const sequence = item.root === true ? null : String(item.sequence);
  const trashed = item.status === 'trashed';
  const pathEntries = trashed
    ? [{ type: 'folder', id: '1', sequence_id: null, etag: null, name: 'Trash' }]
    : item.root === true
      ? []
      : [
          { type: 'folder', id: '0', sequence_id: null, etag: null, name: 'All Files' },
          ...snapshot.chain.map((folder) => ({
            type: 'folder',
            id: folder.id,
            sequence_id: String(folder.sequence ?? 0),
            etag: String(folder.sequence ?? 0),
            name: folder.name,
          })),
        ];
  const parentEntry = item.root === true ? null : (pathEntries.at(-1) ?? null);
  const common: Record<string, unknown> = {
    type: item.type,
    id,
    etag: sequence,
    sequence_id: sequence,
    name: item.name,
    description: '',
    path_collection: { total_count: pathEntries.length, entries: pathEntries },
    created_at: boxTime(item.createdAt),
    modified_at: boxTime(item.modifiedAt),
    trashed_at: item.trashedAt === undefined ? null : boxTime(item.trashedAt),
    purged_at: null,
    created_by: user(item.createdBy),
    modified_by: user(item.modifiedBy),
    owned_by: user(item.ownerId),
    shared_link: null,
    parent: parentEntry,
    item_status: trashed ? 'trashed' : 'active',
  };
  if (item.type === 'web_link') return { ...common, url: item.url ?? '' };
  if (item.type === 'folder') {
    const size = [...store.items.values()]
      .filter((candidate) => candidate.parentKey === `folder:${item.id}` && candidate.type === 'file')
      .reduce((total, file) => total + (file.versions.at(-1)?.bytes.length ?? 0), 0);
    return {
      ...common,
      ...(item.root === true
        ? { created_at: null, modified_at: null, content_created_at: null, content_modified_at: null }
        : {}),
      size,
      ...(item.root === true
        ? {}
        : { content_created_at: boxTime(item.contentCreatedAt), content_modified_at: boxTime(item.contentModifiedAt) }),
      folder_upload_email: null,
    };
  }
  const dot = item.name.lastIndexOf('.');
  return {
    ...common,
    sha1: version?.sha1 ?? '',
    file_version: { type: 'file_version', id: version?.id ?? '0', sha1: version?.sha1 ?? '' },
    size: version?.bytes.length ?? 0,
    content_created_at: boxTime(item.contentCreatedAt),
    content_modified_at: boxTime(item.contentModifiedAt),
    extension: dot > 0 ? item.name.slice(dot + 1) : '',
    version_number: String(item.versions.length),
    comment_count: 0,
  };
}

function select(
  full: Record<string, unknown>,
  fields: readonly string[] | undefined,
  mini: readonly string[],
): Record<string, unknown> {
  if (fields === undefined) return full;
  const keep = new Set([...mini, ...fields]);
  return Object.fromEntries(Object.entries(full).filter(([key]) => keep.has(key)));
}
