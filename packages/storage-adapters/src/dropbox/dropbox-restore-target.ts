/**
 * DropboxRestoreTarget: restores into one team member's Dropbox (or one account's), optionally under a
 * root folder (`/Restored`), which nothing written or removed ever leaves.
 *
 * Calls: `stat` is `files/get_metadata`; `list` is `files/list_folder` (not recursive) and its
 * `continue` (a root folder that does not exist yet lists as empty); `createFolder` is `files/create_folder_v2` (Dropbox makes missing parents; an existing
 * folder is fine, a file in the way or above is a `ConflictError`); `writeFile` streams through
 * {@link uploadStream} (one `files/upload` for small files, an upload session for large ones) with
 * `mode: add` and `strict_conflict` (so any existing file is a `ConflictError`, even one with the same
 * content) or `mode: overwrite` when asked, and `client_modified` set from `modifiedAt`; `remove` is
 * `files/delete_v2`, where `not_found` resolves. Writes are atomic: Dropbox commits a file only when the
 * upload finishes.
 *
 * Dropbox ignores case in names (`caseSensitive: false`), has no way to create symlinks through its API
 * (`symlinks: false`) and stores a modification time per file (`modificationTimes: true`, whole seconds).
 */
import {
  ValidationError,
  isHoldfastError,
  type ByteStream,
  type CallOptions,
  type RestoreTarget,
  type RestoreTargetCapabilities,
  type TargetEntry,
  type WriteFileOptions,
} from '@holdfast/engine';
import type { files } from 'dropbox';
import type { DropboxCallOptions, DropboxClient } from './dropbox-client.ts';
import { clientOf, type DropboxConnectionOptions } from './dropbox-connection.ts';
import { DROPBOX_CONTENT_HASH_ALGORITHM } from './dropbox-content-hash.ts';
import { hasDropboxTag } from './dropbox-errors.ts';
import { isoOf, type DropboxListedMetadata } from './dropbox-metadata.ts';
import { checkRelative, dropboxPath, joinPath, normaliseRoot } from './dropbox-paths.ts';
import { DEFAULT_UPLOAD_SIZES, uploadStream, type DropboxUploadSizes } from './dropbox-upload.ts';

/** Options of {@link DropboxRestoreTarget}. */
export interface DropboxRestoreTargetOptions extends DropboxConnectionOptions {
  /** The team member to restore into (`team_member_id`); omit for a user connection. */
  readonly member?: string | undefined;
  /** Restore under this folder of the member's Dropbox (`/Restored`). Default: the Dropbox's root. */
  readonly root?: string | undefined;
  /** Largest file sent in one `files/upload` call. Default 8 MiB (Dropbox allows up to 150 MiB). */
  readonly uploadThreshold?: number | undefined;
  /** Bytes per upload-session request. Default 8 MiB; 4 MiB to 148 MiB. */
  readonly partSize?: number | undefined;
}

const MIB = 1024 * 1024;

/** Checks the upload sizes of a target's or destination's options. */
export function uploadSizesOf(options: {
  uploadThreshold?: number | undefined;
  partSize?: number | undefined;
}): DropboxUploadSizes {
  const uploadThreshold = options.uploadThreshold ?? DEFAULT_UPLOAD_SIZES.uploadThreshold;
  const partSize = options.partSize ?? DEFAULT_UPLOAD_SIZES.partSize;
  if (!Number.isSafeInteger(uploadThreshold) || uploadThreshold < 0 || uploadThreshold > 150 * MIB) {
    throw new ValidationError('Dropbox: uploadThreshold must be a whole number of bytes, at most 150 MiB');
  }
  if (!Number.isSafeInteger(partSize) || partSize < 4 * MIB || partSize > 148 * MIB || partSize % (4 * MIB) !== 0) {
    throw new ValidationError('Dropbox: partSize must be a multiple of 4 MiB from 4 MiB to 148 MiB');
  }
  return { uploadThreshold, partSize };
}

/**
 * A {@link RestoreTarget} in a Dropbox (see the module note and `docs/connectors/dropbox.md`).
 *
 * @example
 * ```ts
 * const target = new DropboxRestoreTarget({ client, member: 'dbmid:AAH…', root: '/Restored' });
 * await repository.restore(snapshot, target);
 * ```
 */
export class DropboxRestoreTarget implements RestoreTarget {
  /** `dropbox:<member>` (or `dropbox:user`), with `:<root>` when there is one. No secrets. */
  readonly name: string;
  readonly capabilities: RestoreTargetCapabilities = { caseSensitive: false, symlinks: false, modificationTimes: true };
  readonly client: DropboxClient;
  readonly member: string | undefined;
  /** The root folder (`''`: the Dropbox's root). */
  readonly root: string;
  readonly #sizes: DropboxUploadSizes;

  constructor(options: DropboxRestoreTargetOptions) {
    if (options.member !== undefined && (typeof options.member !== 'string' || options.member === '')) {
      throw new ValidationError('Dropbox: member must be a team member id');
    }
    this.member = options.member;
    this.root = normaliseRoot(options.root, 'root');
    this.#sizes = uploadSizesOf(options);
    this.client = clientOf(options);
    this.name = `dropbox:${this.member ?? 'user'}${this.root === '' ? '' : `:${this.root}`}`;
  }

  /** `files/get_metadata`: what is at `path`, or undefined. */
  async stat(path: string, options: CallOptions = {}): Promise<TargetEntry | undefined> {
    if (path !== '') checkRelative(path, 'path');
    const target = dropboxPath(this.root, path);
    if (target === '') return { path: '', type: 'folder' };
    try {
      const metadata = await this.client.rpc<DropboxListedMetadata>(
        'files/get_metadata',
        { path: target },
        this.#call(options),
      );
      return entryOf(metadata, path);
    } catch (error) {
      if (isHoldfastError(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
  }

  /** The entries directly in the folder at `path` (`files/list_folder`, not recursive). */
  async *list(path: string, options: CallOptions = {}): AsyncIterable<TargetEntry> {
    if (path !== '') checkRelative(path, 'path');
    const call = this.#call(options);
    let page: files.ListFolderResult;
    try {
      page = await this.client.rpc<files.ListFolderResult>(
        'files/list_folder',
        { path: dropboxPath(this.root, path), recursive: false, include_deleted: false, limit: 2000 },
        call,
      );
    } catch (error) {
      // A root folder not made yet is an empty one: the first write creates it.
      if (path === '' && this.root !== '' && hasDropboxTag(causeOf(error), 'not_found')) return;
      throw error;
    }
    for (;;) {
      for (const metadata of page.entries as DropboxListedMetadata[]) {
        if (metadata['.tag'] !== 'deleted') yield entryOf(metadata, joinPath(path, metadata.name));
      }
      if (!page.has_more) return;
      page = await this.client.rpc<files.ListFolderResult>('files/list_folder/continue', { cursor: page.cursor }, call);
    }
  }

  /** Makes sure a folder is at `path` (`files/create_folder_v2`, parents included). */
  async createFolder(path: string, options: CallOptions = {}): Promise<void> {
    checkRelative(path, 'path');
    throwIfAborted(options.signal);
    try {
      await this.client.rpc(
        'files/create_folder_v2',
        { path: dropboxPath(this.root, path), autorename: false },
        {
          ...this.#call(options),
          idempotent: true,
        },
      );
    } catch (error) {
      // path/conflict/folder: the folder is there already.
      const cause = causeOf(error);
      if (hasDropboxTag(cause, 'conflict') && hasDropboxTag(cause, 'folder')) return;
      throw error;
    }
  }

  /** Writes a file atomically (one upload, or an upload session for large files). */
  async writeFile(path: string, content: ByteStream, options: WriteFileOptions): Promise<void> {
    checkRelative(path, 'path');
    throwIfAborted(options.signal);
    await uploadStream(
      this.client,
      dropboxPath(this.root, path),
      content,
      { mode: options.overwrite ? 'overwrite' : 'add', modifiedAt: options.modifiedAt },
      this.#sizes,
      { member: this.member, signal: options.signal },
    );
  }

  /** Deletes what is at `path` (`files/delete_v2`); resolves when nothing is there. */
  async remove(path: string, options: CallOptions = {}): Promise<void> {
    checkRelative(path, 'path');
    try {
      await this.client.rpc('files/delete_v2', { path: dropboxPath(this.root, path) }, this.#call(options));
    } catch (error) {
      if (isHoldfastError(error, 'NOT_FOUND')) return;
      throw error;
    }
  }

  #call(options: CallOptions): DropboxCallOptions {
    return { member: this.member, signal: options.signal, idempotent: true };
  }
}

/** A target entry from Dropbox metadata. */
function entryOf(metadata: DropboxListedMetadata, path: string): TargetEntry {
  if (metadata['.tag'] === 'folder') return { path, type: 'folder' };
  if (metadata['.tag'] !== 'file') return { path, type: 'other' };
  const type = metadata.symlink_info !== undefined ? 'symlink' : metadata.is_downloadable === false ? 'other' : 'file';
  const modifiedAt = isoOf(metadata.client_modified);
  return {
    path,
    type,
    size: metadata.size,
    ...(modifiedAt === undefined ? {} : { modifiedAt }),
    ...(metadata.content_hash === undefined
      ? {}
      : { contentHash: { algorithm: DROPBOX_CONTENT_HASH_ALGORITHM, value: metadata.content_hash } }),
  };
}

function causeOf(error: unknown): unknown {
  return isHoldfastError(error) ? error.cause : undefined;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw signal.reason;
}
