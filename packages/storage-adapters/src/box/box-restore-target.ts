/**
 * BoxRestoreTarget: restores into one Box user's files (with `As-User` on an enterprise connection),
 * under an optional root folder path (made when first written).
 *
 * - Paths resolve name by name through {@link BoxFolderIndex}. Box compares names without case, so the
 *   target declares `caseSensitive: false`: `stat('REPORT.PDF')` finds `report.pdf`, and writing a name
 *   that differs from an existing one only in case is a conflict.
 * - `writeFile` spools the content (memory, then a temp file; see `box-spool.ts`), checks its size, then
 *   uploads: a new file, or with `overwrite` a NEW VERSION of the existing file (`POST /files/{id}/content`
 *   or a version upload session), never delete and re-create, so the file keeps its id, comments,
 *   shares and version history. Large files go through a chunked upload session. `modifiedAt` is set as
 *   Box's `content_modified_at` (`modificationTimes: true`). A failed or cancelled write leaves nothing:
 *   the spool fails before Box sees a byte, and Box commits an upload whole or not at all.
 * - `remove` deletes through Box, which moves the item to the user's trash (recoverable there).
 * - No symlinks: Box has none. Web links found at the target are reported as `other`.
 */
import {
  assertSafeRelativePath,
  type ByteStream,
  type CallOptions,
  CanceledError,
  ConflictError,
  IntegrityError,
  isHoldfastError,
  NotFoundError,
  type RestoreTarget,
  type RestoreTargetCapabilities,
  type TargetEntry,
  type WriteFileOptions,
} from '@holdfast/engine';
import type { BoxActor } from './box-api.ts';
import { type BoxConnection, type BoxConnectionInput, connectionOf } from './box-connection.ts';
import { BoxFolderIndex } from './box-folder-index.ts';
import { BOX_HASH_ALGORITHM, isoUtc } from './box-items.ts';
import { spool } from './box-spool.ts';
import type { BoxItem } from './box-types.ts';
import { conflictOf, DEFAULT_CHUNKED_THRESHOLD, uploadSpooled } from './box-upload.ts';

/** Options of {@link BoxRestoreTarget} and {@link BoxExportDestination}, besides the connection. */
export interface BoxWriteOptions {
  /** The user whose files are written (`As-User` on an enterprise connection). Default: the token's user. */
  readonly userId?: string | undefined;
  /** Files of this many bytes or more go through a chunked upload session. Default 50 MB (at least 20 MB). */
  readonly chunkedUploadThreshold?: number | undefined;
  /** Where content is spooled before upload. Default: the OS temp folder. */
  readonly spoolDirectory?: string | undefined;
  /** Bytes spooled in memory before a temp file is used. Default 4 MiB. */
  readonly memorySpoolLimit?: number | undefined;
  /** A name for messages and logs. Default from the connection, user and folder. */
  readonly name?: string | undefined;
}

/** Options of {@link BoxRestoreTarget}. */
export interface BoxRestoreTargetOptions extends BoxWriteOptions {
  /** A folder path under the user's root to restore into (`Restores/2026-11`). Default: the root. */
  readonly rootPath?: string | undefined;
}

/** What a Box target can do. */
export const boxRestoreTargetCapabilities: RestoreTargetCapabilities = {
  caseSensitive: false,
  symlinks: false,
  modificationTimes: true,
};

/**
 * A Box user's files as a {@link RestoreTarget}; see the module note.
 *
 * @example
 * ```ts
 * const target = new BoxRestoreTarget({ connection, userId: '4242', rootPath: 'Restored by Holdfast' });
 * const plan = await repository.planRestore(snapshot, target, { mode: 'replace' });
 * await repository.executeRestore(plan, target);
 * ```
 */
export class BoxRestoreTarget implements RestoreTarget {
  readonly name: string;
  readonly capabilities = boxRestoreTargetCapabilities;
  readonly connection: BoxConnection;
  readonly #actor: BoxActor;
  readonly #rootNames: readonly string[];
  readonly #index: BoxFolderIndex;
  readonly #threshold: number;
  readonly #spool: { directory?: string | undefined; memoryLimit?: number | undefined };

  constructor(options: BoxConnectionInput & BoxRestoreTargetOptions) {
    this.connection = connectionOf(options);
    const rootPath = (options.rootPath ?? '').replace(/^\/+|\/+$/g, '');
    if (rootPath !== '') assertSafeRelativePath(rootPath, 'Box restore root');
    this.#rootNames = rootPath === '' ? [] : rootPath.split('/');
    this.#actor = this.connection.actor(options.userId);
    this.#index = new BoxFolderIndex(this.connection.api, this.#actor);
    this.#threshold = options.chunkedUploadThreshold ?? DEFAULT_CHUNKED_THRESHOLD;
    this.#spool = { directory: options.spoolDirectory, memoryLimit: options.memorySpoolLimit };
    this.name =
      options.name ??
      `${this.connection.label}/user:${options.userId ?? 'self'}${rootPath === '' ? '' : `/${rootPath}`}`;
  }

  async stat(path: string, options: CallOptions = {}): Promise<TargetEntry | undefined> {
    const { signal } = options;
    throwIfAborted(signal, 'stat');
    if (path === '') {
      const root = await this.#folder([], false, signal);
      return root.kind === 'folder' ? { path: '', type: 'folder' } : undefined;
    }
    assertSafeRelativePath(path);
    const names = path.split('/');
    const parent = await this.#folder(names.slice(0, -1), false, signal);
    if (parent.kind !== 'folder') return undefined;
    const item = await this.#index.child(parent.id, names.at(-1) ?? '', signal);
    return item === undefined ? undefined : entryOf(item, path);
  }

  async *list(path: string, options: CallOptions = {}): AsyncGenerator<TargetEntry> {
    const { signal } = options;
    throwIfAborted(signal, 'list');
    if (path !== '') assertSafeRelativePath(path);
    const folder = await this.#folder(path === '' ? [] : path.split('/'), false, signal);
    // A root folder path not made yet is an empty target.
    if (path === '' && folder.kind === 'missing') return;
    if (folder.kind !== 'folder') throw new NotFoundError(`Box: no folder at ${JSON.stringify(path)}`);
    for (const item of (await this.#index.children(folder.id, signal)).values()) {
      const name = item.name ?? item.id;
      yield entryOf(item, path === '' ? name : `${path}/${name}`);
    }
  }

  async createFolder(path: string, options: CallOptions = {}): Promise<void> {
    assertSafeRelativePath(path);
    throwIfAborted(options.signal, 'createFolder');
    const folder = await this.#folder(path.split('/'), true, options.signal);
    if (folder.kind === 'blocked') throw new ConflictError(`Box: ${JSON.stringify(folder.at)} is a file, not a folder`);
  }

  async writeFile(path: string, content: ByteStream, options: WriteFileOptions): Promise<void> {
    assertSafeRelativePath(path);
    const { signal } = options;
    throwIfAborted(signal, 'writeFile');
    const names = path.split('/');
    const name = names.at(-1) ?? '';
    const parent = await this.#folder(names.slice(0, -1), true, signal);
    if (parent.kind !== 'folder')
      throw new ConflictError(`Box: ${JSON.stringify(parent.kind === 'blocked' ? parent.at : path)} is in the way`);
    const existing = await this.#index.child(parent.id, name, signal);
    if (existing !== undefined && (existing.type !== 'file' || !options.overwrite)) {
      throw new ConflictError(
        `Box: ${JSON.stringify(path)} exists (${existing.type === 'web_link' ? 'a web link' : `a ${existing.type}`})`,
      );
    }
    const spooled = await spool(content, { signal, what: `write ${JSON.stringify(path)}`, ...this.#spool });
    try {
      if (spooled.size !== options.size) {
        throw new IntegrityError(
          `Box write ${JSON.stringify(path)}: the content has ${spooled.size} bytes, not ${options.size}`,
        );
      }
      const upload = {
        actor: this.#actor,
        parentId: parent.id,
        name,
        modifiedAt: options.modifiedAt,
        chunkedThreshold: this.#threshold,
        signal,
      };
      let file;
      try {
        file = await uploadSpooled(this.connection.api, spooled, { ...upload, fileId: existing?.id });
      } catch (error) {
        // Another writer made the name after we looked: replace it if asked to, as a new version.
        const conflict = existing === undefined && options.overwrite ? conflictOf(error) : undefined;
        if (conflict?.type !== 'file') throw error;
        file = await uploadSpooled(this.connection.api, spooled, { ...upload, fileId: conflict.id });
      }
      this.#index.note(parent.id, file);
    } finally {
      await spooled.dispose();
    }
  }

  async remove(path: string, options: CallOptions = {}): Promise<void> {
    assertSafeRelativePath(path);
    const { signal } = options;
    throwIfAborted(signal, 'remove');
    const names = path.split('/');
    const parent = await this.#folder(names.slice(0, -1), false, signal);
    if (parent.kind !== 'folder') return;
    const name = names.at(-1) ?? '';
    const item = await this.#index.child(parent.id, name, signal);
    if (item === undefined) return;
    try {
      await this.connection.api.delete(item.type, item.id, this.#actor, signal);
    } catch (error) {
      if (!isHoldfastError(error, 'NOT_FOUND')) throw error;
    }
    const folderPath = [...this.#rootNames, ...names].join('/');
    this.#index.forget(parent.id, name, item.type === 'folder' ? { rootId: '0', path: folderPath } : undefined);
  }

  /** The folder at `names` under the target's root (the root made first when `create`). */
  async #folder(names: readonly string[], create: boolean, signal: AbortSignal | undefined) {
    return this.#index.folder('0', [...this.#rootNames, ...names], { create, signal });
  }
}

/** What a target entry says of a Box item. */
export function entryOf(item: BoxItem, path: string): TargetEntry {
  if (item.type === 'folder')
    return { path, type: 'folder', ...time(isoUtc(item.content_modified_at ?? item.modified_at)) };
  if (item.type === 'web_link') return { path, type: 'other', ...time(isoUtc(item.modified_at)) };
  return {
    path,
    type: 'file',
    ...(item.size === undefined ? {} : { size: item.size }),
    ...time(isoUtc(item.content_modified_at ?? item.modified_at)),
    ...(item.sha1 === undefined
      ? {}
      : { contentHash: { algorithm: BOX_HASH_ALGORITHM, value: item.sha1.toLowerCase() } }),
  };
}

function time(modifiedAt: string | undefined): { modifiedAt?: string } {
  return modifiedAt === undefined ? {} : { modifiedAt };
}

function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw new CanceledError(`Box ${what}: cancelled`, { cause: signal.reason });
}
