/**
 * Box items as the engine's {@link SourceItem}s.
 *
 * - `file` → `file`: `version` is the file version id (it changes with every upload, and only then),
 *   `contentHash` Box's `sha1`; Box Notes (`.boxnote`) are files like any other (their content is the
 *   note's JSON, restorable as a file).
 * - `folder` → `folder`.
 * - `web_link` → `other`, with its URL in `metadata.url`: recorded, never restored (a link has no content).
 * - Times: `modifiedAt` is `content_modified_at` (the content's own time, which uploads can set and a
 *   restore sets back), else `modified_at`; `createdAt` likewise from `content_created_at`. Box sends
 *   RFC 3339 times with an offset; they become ISO 8601 UTC. Folders get no `modifiedAt`, `etag` or
 *   `sequence_id`: Box may move those when the folder's contents change, with no event for the folder,
 *   so they would make an incremental snapshot differ from a full one for nothing (restores cannot set
 *   a folder's times anyway).
 * - `id` is `<type>:<Box id>` (`file:123`): Box numbers files, folders and web links separately.
 * - `metadata`: `etag`, `sequence_id`, the Box `modified_at`, `owner`, `created_by` and `modified_by`
 *   (the login, else the name: the author a search looks for), and for web links the `url`.
 */
import type { SourceItem } from '@holdfast/engine';
import type { BoxItem, BoxUserMini } from './box-types.ts';

/** The content hash algorithm of Box files. */
export const BOX_HASH_ALGORITHM = 'sha1';

/** An RFC 3339 time with an offset as ISO 8601 UTC, or undefined when missing or unparseable. */
export function isoUtc(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const time = Date.parse(value);
  return Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}

/** An ISO time as Box's RFC 3339 form without milliseconds (`2021-03-04T05:06:07Z`). */
export function boxTime(iso: string): string {
  const time = Date.parse(iso);
  if (!Number.isFinite(time)) return iso;
  return new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function who(user: BoxUserMini | undefined): string | undefined {
  if (user === undefined) return undefined;
  return user.login ?? user.name ?? user.id;
}

/** The engine's id of a Box item: `<type>:<id>` (Box numbers files, folders and web links apart). */
export function boxItemId(type: BoxItem['type'], id: string): string {
  return `${type}:${id}`;
}

/** The Box type and id in an engine id (`file:123`); a bare number is taken as a file id. */
export function parseBoxItemId(id: string): { type: BoxItem['type']; id: string } | undefined {
  const match = /^(?:(file|folder|web_link):)?(\d+)$/.exec(id);
  if (match === null) return undefined;
  return { type: (match[1] ?? 'file') as BoxItem['type'], id: match[2] ?? '' };
}

/** The engine's item for a Box item at `path` (see the module note). */
export function sourceItemOf(item: BoxItem, path: string): SourceItem {
  const metadata: Record<string, string | number | boolean | null> = {};
  const put = (key: string, value: string | null | undefined): void => {
    if (value !== undefined && value !== null && value !== '') metadata[key] = value;
  };
  if (item.type !== 'folder') {
    // A folder's etag, sequence and times may move when its contents change, without an event for the
    // folder: kept out, so an incremental snapshot is the same as a full one.
    put('etag', item.etag);
    put('sequence_id', item.sequence_id);
    put('box_modified_at', isoUtc(item.modified_at));
  }
  put('owner', who(item.owned_by));
  put('created_by', who(item.created_by));
  put('modified_by', who(item.modified_by));
  const common = {
    id: boxItemId(item.type, item.id),
    path,
    ...optional(
      'createdAt',
      isoUtc(item.type === 'web_link' ? item.created_at : (item.content_created_at ?? item.created_at)),
    ),
  };
  if (item.type === 'web_link') {
    put('url', item.url);
    return {
      ...common,
      type: 'other',
      ...optional('modifiedAt', isoUtc(item.modified_at)),
      metadata: { ...metadata, box_type: 'web_link' },
    };
  }
  if (item.type === 'folder') return { ...common, type: 'folder', metadata };
  const modifiedAt = isoUtc(item.content_modified_at ?? item.modified_at);
  return {
    ...common,
    type: 'file',
    ...optional('size', item.size),
    ...optional('version', item.file_version?.id),
    ...(item.sha1 === undefined || item.sha1 === ''
      ? {}
      : { contentHash: { algorithm: BOX_HASH_ALGORITHM, value: item.sha1.toLowerCase() } }),
    ...optional('modifiedAt', modifiedAt),
    metadata,
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
}

/** Why a Box name cannot be one segment of an item path, or undefined when it can. */
export function unsafeNameProblem(name: string | undefined): string | undefined {
  if (name === undefined || name === '') return 'has no name';
  if (name === '.' || name === '..') return `is named "${name}"`;
  if (name.includes('/')) return 'has a "/" in its name';
  if (name.includes('\\')) return 'has a backslash in its name';
  if (name.includes('\0')) return 'has a NUL in its name';
  return undefined;
}
