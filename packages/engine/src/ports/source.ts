/**
 * Source: a SaaS service (or a local folder) seen from the backup side. A source has entities (the users
 * of a Box enterprise, the members of a Dropbox team, the one folder of an fs source); each entity has
 * items (files, folders, links) with stable ids.
 *
 * The engine diffs a walk against the entity's previous snapshot: an item whose id, `version` and (where
 * given) `contentHash` are unchanged reuses its stored chunks without `openContent` being called. So a
 * source MUST change `version` whenever an item's content may have changed, and SHOULD keep it stable
 * otherwise.
 */
import type { HoldfastError } from '../errors/index.ts';
import type { ByteStream, CallOptions } from './common.ts';

/** One backup entity of a source: a user, a team member, a folder. */
export interface SourceEntity {
  /** Stable id of the entity in its service. */
  readonly id: string;
  /** Human name (a user's name, a folder's path). */
  readonly name: string;
  /** The entity's email address, where it has one. */
  readonly email?: string | undefined;
}

/** The kinds of item a source yields. */
export type SourceItemType = 'file' | 'folder' | 'symlink' | 'other';

/** A content hash as the service computes it (Box `sha1`, Dropbox `content_hash`). */
export interface ContentHash {
  /** The algorithm's name, stable per source (`sha1`, `dropbox-content-hash`, `sha256`). */
  readonly algorithm: string;
  /** The hash, lower-case hex. */
  readonly value: string;
}

/** One item of an entity, as a walk yields it. */
export interface SourceItem {
  /** Stable id: the same item keeps it across renames and moves where the service allows. */
  readonly id: string;
  /**
   * Path within the entity: `/`-separated names, no leading or trailing `/`, no empty, `.` or `..`
   * segment. The root folder itself is never yielded.
   */
  readonly path: string;
  readonly type: SourceItemType;
  /** Size in bytes (files; symlinks: length of the target). */
  readonly size?: number | undefined;
  /** Changes whenever the content may have changed (fs: size, mtime and inode; Box: file version id). */
  readonly version?: string | undefined;
  /** The service's content hash, when it gives one. */
  readonly contentHash?: ContentHash | undefined;
  /** Last modification of the content, ISO 8601 UTC. */
  readonly modifiedAt?: string | undefined;
  /** Creation, ISO 8601 UTC, where known. */
  readonly createdAt?: string | undefined;
  /** POSIX permission bits, where the source has them. */
  readonly mode?: number | undefined;
  /** For a symlink: its target, recorded, never followed. */
  readonly linkTarget?: string | undefined;
  /** Service-specific metadata kept with the item (owner, author, etag...): small, JSON-serialisable. */
  readonly metadata?: Readonly<Record<string, string | number | boolean | null>> | undefined;
}

/** What a walk yields. */
export type WalkEntry =
  /** An item as it is now. */
  | { readonly kind: 'item'; readonly item: SourceItem }
  /**
   * An item (and, for a folder, everything under it) deleted since the cursor: incremental walks only.
   * Names the item by `id`, by `path` (what was at that path: Dropbox deletions carry no id), or both
   * (the path is then a hint that spares the engine a search of the previous snapshot).
   */
  | { readonly kind: 'deleted'; readonly id?: string | undefined; readonly path?: string | undefined }
  /** An item or folder that could not be listed or read; the walk goes on without it. */
  | { readonly kind: 'error'; readonly path: string; readonly error: HoldfastError };

/** Options of {@link Source.walk}. */
export interface WalkOptions extends CallOptions {
  /** The cursor the previous snapshot recorded; sources with a change feed then yield only changes. */
  readonly since?: string | undefined;
}

/**
 * The result of {@link Source.walk}.
 *
 * How the engine applies an incremental walk to the previous snapshot (what a source must yield):
 * - entries are applied in order; an `item` entry is the item as it is now, at its current path, and a
 *   later entry for the same id replaces an earlier one;
 * - a `deleted` entry removes the item with that id wherever the previous snapshot had it, or what the
 *   previous snapshot had at that path, and any item yielded earlier in the walk at or under that path;
 * - an item whose id the previous snapshot holds elsewhere has moved: a moved folder keeps its previous
 *   contents (under its new path) unless they are themselves deleted or yielded elsewhere, and a moved
 *   file whose version and hash are unchanged keeps its content without being read;
 * - a folder that appears with contents the previous snapshot did not have under that id (a copied
 *   folder, one restored from the trash) MUST be followed by its contents: the engine knows nothing else;
 * - every yielded item's folder must exist after the changes (in the previous snapshot, or yielded in
 *   this walk). When it does not, the change feed was inconsistent and the engine walks in full again.
 */
export interface Walk {
  /**
   * `full`: every item of the entity. `incremental`: only what changed since `since` (items added or
   * changed, and `deleted` entries). A source with no change feed, or whose cursor is too old, walks in
   * full, and says so here.
   */
  readonly mode: 'full' | 'incremental';
  /**
   * The entries. A full walk yields items depth first: a folder before its contents, and every item of a
   * folder's subtree before anything outside it. Order among siblings is free.
   */
  readonly entries: AsyncIterable<WalkEntry>;
  /** After `entries` is exhausted: the cursor to store for the next incremental walk, if any. */
  cursor(): string | undefined;
}

/** What a source can do. Every field has a documented default. */
export interface SourceCapabilities {
  /** `walk` honours `since` with incremental walks. Default: false. */
  readonly changeFeed: boolean;
  /**
   * Paths that differ only in case name the same item (Dropbox): incremental walks match deleted paths
   * and folders without regard to case. Default: false.
   */
  readonly pathsCaseInsensitive?: boolean | undefined;
  /** The algorithm of `SourceItem.contentHash` when the source gives one. Default: undefined. */
  readonly contentHashAlgorithm?: string | undefined;
}

/** The defaults of {@link SourceCapabilities}. */
export const defaultSourceCapabilities: SourceCapabilities = { changeFeed: false };

/** A service to back up. */
export interface Source {
  /** A short description for messages and logs, without secrets (e.g. `fs:/home/ana/Documents`). */
  readonly name: string;
  readonly capabilities: SourceCapabilities;

  /** Every entity of the source, each once. */
  listEntities(options?: CallOptions): AsyncIterable<SourceEntity>;

  /**
   * Walks one entity. Rejects with `NotFoundError` for an unknown entity and `AuthError` when access is
   * refused. Per-item failures are `error` entries, not rejections.
   */
  walk(entityId: string, options?: WalkOptions): Promise<Walk>;

  /**
   * Opens a file's content as it is now. Rejects with `NotFoundError` if the item is gone. The stream
   * yields exactly the file's bytes; a source that knows the size or hash does not have to check them,
   * the engine does.
   */
  openContent(entityId: string, item: SourceItem, options?: CallOptions): Promise<ByteStream>;
}
