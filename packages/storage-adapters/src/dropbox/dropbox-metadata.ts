/**
 * From Dropbox metadata to Holdfast items.
 *
 * Choices (see `docs/connectors/dropbox.md`):
 * - `id` is Dropbox's file or folder id (`id:…`), stable across renames and moves; paths are keyed by
 *   `path_lower`, never by `path_display`, whose casing Dropbox calls unreliable (only its last
 *   component, the entry's `name`, is right).
 * - `version` is the file's `rev`; `contentHash` its `content_hash` (algorithm `dropbox-content-hash`).
 * - `modifiedAt` is `client_modified`: the file's own modification time as the desktop client (or an
 *   app, or a restore) set it, which is what a user sees and what a restore writes back, so backup and
 *   restore round-trip it. `server_modified` (when Dropbox stored the revision) is kept in `metadata`.
 *   Nothing in change detection relies on either: `rev` and `content_hash` decide.
 * - Symlinks (`symlink_info`, synced from desktop clients) are `symlink` items with their target.
 * - Files Dropbox cannot download (`is_downloadable: false`: Paper docs, cloud docs) are `other` items:
 *   recorded with their metadata, without content.
 */
import type { SourceItem } from '@holdfast/engine';
import type { files } from 'dropbox';
import { DROPBOX_CONTENT_HASH_ALGORITHM } from './dropbox-content-hash.ts';

/** A listed file or folder, reduced to what a walk keeps (a buffered full listing holds these). */
export interface DropboxEntry {
  readonly tag: 'file' | 'folder';
  readonly id: string;
  /** The entry's own name, correctly cased. */
  readonly name: string;
  readonly pathLower: string;
  /** `path_display` as Dropbox gave it (only its last component is reliable). */
  readonly pathDisplay: string | undefined;
  readonly size?: number | undefined;
  readonly rev?: string | undefined;
  readonly contentHash?: string | undefined;
  readonly clientModified?: string | undefined;
  readonly serverModified?: string | undefined;
  readonly symlinkTarget?: string | undefined;
  readonly downloadable?: boolean | undefined;
  readonly exportAs?: string | undefined;
  readonly readOnly?: boolean | undefined;
}

/** The Dropbox shapes an entry is read from (a listing's `files.Metadata` with its `.tag`). */
export type DropboxListedMetadata =
  files.FileMetadataReference | files.FolderMetadataReference | files.DeletedMetadataReference;

/** Reduces listed metadata to a {@link DropboxEntry}; `undefined` for `deleted` entries. */
export function entryOf(metadata: DropboxListedMetadata): DropboxEntry | undefined {
  const base = {
    name: metadata.name,
    pathLower: metadata.path_lower ?? '',
    pathDisplay: metadata.path_display,
  };
  if (metadata['.tag'] === 'folder') {
    return {
      tag: 'folder',
      id: metadata.id,
      ...base,
      ...(metadata.sharing_info?.read_only === true ? { readOnly: true } : {}),
    };
  }
  if (metadata['.tag'] !== 'file') return undefined;
  return {
    tag: 'file',
    id: metadata.id,
    ...base,
    size: metadata.size,
    rev: metadata.rev,
    contentHash: metadata.content_hash,
    clientModified: metadata.client_modified,
    serverModified: metadata.server_modified,
    symlinkTarget: metadata.symlink_info?.target,
    downloadable: metadata.is_downloadable,
    exportAs: metadata.export_info?.export_as,
    ...(metadata.sharing_info?.read_only === true ? { readOnly: true } : {}),
  };
}

/** The Holdfast item of an entry at `path`. */
export function itemOf(entry: DropboxEntry, path: string): SourceItem {
  const metadata: Record<string, string | number | boolean | null> = { path_lower: entry.pathLower };
  if (entry.readOnly === true) metadata['read_only'] = true;
  if (entry.tag === 'folder') return { id: entry.id, path, type: 'folder', metadata };
  if (entry.rev !== undefined) metadata['rev'] = entry.rev;
  if (entry.clientModified !== undefined) metadata['client_modified'] = entry.clientModified;
  if (entry.serverModified !== undefined) metadata['server_modified'] = entry.serverModified;
  const modifiedAt = isoOf(entry.clientModified ?? entry.serverModified);
  const common = {
    id: entry.id,
    path,
    ...(entry.rev === undefined ? {} : { version: entry.rev }),
    ...(modifiedAt === undefined ? {} : { modifiedAt }),
    metadata,
  };
  if (entry.symlinkTarget !== undefined) {
    return {
      ...common,
      type: 'symlink',
      linkTarget: entry.symlinkTarget,
      size: Buffer.byteLength(entry.symlinkTarget),
    };
  }
  if (entry.downloadable === false) {
    metadata['is_downloadable'] = false;
    if (entry.exportAs !== undefined) metadata['export_as'] = entry.exportAs;
    return { ...common, type: 'other', ...(entry.size === undefined ? {} : { size: entry.size }) };
  }
  return {
    ...common,
    type: 'file',
    size: entry.size ?? 0,
    ...(entry.contentHash === undefined
      ? {}
      : { contentHash: { algorithm: DROPBOX_CONTENT_HASH_ALGORITHM, value: entry.contentHash.toLowerCase() } }),
  };
}

/** A Dropbox timestamp (`2015-05-12T15:50:38Z`) as ISO 8601 UTC, or undefined. */
export function isoOf(timestamp: string | undefined): string | undefined {
  if (timestamp === undefined) return undefined;
  const at = Date.parse(timestamp);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}
