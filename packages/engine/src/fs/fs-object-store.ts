/**
 * FsObjectStore: a repository in a local (or mounted network) folder. Each key is a file under the root
 * at the key's path (`data/ab/abcd...` is `<root>/data/ab/abcd...`).
 *
 * Invariants:
 * - Keys are safe relative paths ({@link assertSafeRelativePath}); no key resolves outside the root, and
 *   no key segment may start with the temp prefix, so a temp file is never mistaken for an object.
 * - A put is atomic: the body goes to `.holdfast-tmp-<random>` in the key's folder, is fsynced, and is
 *   renamed over the final name. Readers see the old file, or the new one whole. A failed or cancelled
 *   put removes its temp file. `list` never reports temp files.
 * - A folder is fsynced only when the put created it. Renames into an existing folder are not followed
 *   by a folder fsync: packs are written by the thousand, and a rename lost in a crash loses an object
 *   the engine did not yet reference (it writes indexes and snapshots after their packs, and `check`
 *   and the next backup tolerate a missing unreferenced pack). This is restic's trade-off too.
 * - Empty folders are left behind by `delete`; removing them would race with a concurrent put into the
 *   same folder, and a few hundred empty folders cost nothing.
 * - fs cannot hold both `a` and `a/b`; the engine never uses such keys, and a put that would need both
 *   rejects with `ConflictError`.
 *
 * Ranged gets that fit in one block (1 MiB, the common case in restores: one chunk out of a pack) cost
 * open, one positioned read and close; larger reads stream 1 MiB blocks from a file handle.
 */
import type { Dirent } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstat, mkdir, open, opendir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { ConflictError, NotFoundError, ValidationError } from '../errors/index.ts';
import { assertSafeRelativePath } from '../paths/index.ts';
import type {
  ByteStream,
  CallOptions,
  GetOptions,
  ListOptions,
  ObjectInfo,
  ObjectStore,
  ObjectStoreCapabilities,
  PutOptions,
} from '../ports/index.ts';
import { errnoCode, throwIfAborted, toHoldfastError } from './fs-errors.ts';
import {
  closeQuietly,
  fsBlockSize,
  readAt,
  readBlocks,
  streamOf,
  syncDirectory,
  tempFileName,
  writeBody,
} from './fs-io.ts';

/** The prefix of a put's temp file. No key segment may start with it. */
export const fsObjectStoreTempPrefix = '.holdfast-tmp-';

/** The most keys one `list` page stats at once, whatever `pageSize` asks for. */
const maxListPageSize = 10_000;

/** Options of {@link FsObjectStore}. */
export interface FsObjectStoreOptions {
  /** Permission bits of new object files (before the umask). Default: `0o600` (the data is encrypted, but
   * there is no reason for other users to read it). */
  readonly fileMode?: number | undefined;
  /** Permission bits of new folders (before the umask). Default: `0o700`. */
  readonly folderMode?: number | undefined;
  /** `capabilities.listPageSize`: keys statted per `list` page. Default: 1000. */
  readonly listPageSize?: number | undefined;
}

/**
 * An {@link ObjectStore} in a local folder. The folder is created on the first put.
 *
 * @example
 * ```ts
 * const store = new FsObjectStore('/srv/holdfast/repo-1');
 * await store.put('config', bytes);
 * ```
 */
export class FsObjectStore implements ObjectStore {
  /** `fs:<absolute root>`. */
  readonly name: string;
  /** Ranged reads read only the range; objects are mutable; `listPageSize` from the options. */
  readonly capabilities: ObjectStoreCapabilities;
  /** The absolute root folder. */
  readonly root: string;
  readonly #fileMode: number;
  readonly #folderMode: number;

  /**
   * A store in `root` (relative paths resolve against the working directory; nothing is touched until the
   * first call). Throws `ValidationError` for a `listPageSize` that is not a positive integer.
   */
  constructor(root: string, options: FsObjectStoreOptions = {}) {
    this.root = resolve(root);
    this.name = `fs:${this.root}`;
    this.#fileMode = options.fileMode ?? 0o600;
    this.#folderMode = options.folderMode ?? 0o700;
    const listPageSize = options.listPageSize ?? 1000;
    if (!Number.isInteger(listPageSize) || listPageSize < 1) {
      throw new ValidationError(`listPageSize must be a positive integer, got ${String(listPageSize)}`);
    }
    this.capabilities = { rangedReads: true, immutableWrites: false, listPageSize };
  }

  /** The absolute file of `key`; `ValidationError` for a key that is not a safe relative path. */
  #fileOf(key: string): string {
    assertSafeRelativePath(key, 'key');
    if (key.split('/').some((segment) => segment.startsWith(fsObjectStoreTempPrefix))) {
      throw new ValidationError(`key ${JSON.stringify(key)} has a segment starting with "${fsObjectStoreTempPrefix}"`);
    }
    const file = resolve(this.root, key);
    // Cannot fail for a safe relative path; kept as the last line of defence against escaping the root.
    if (!file.startsWith(this.root + sep)) throw new ValidationError(`key ${JSON.stringify(key)} leaves the root`);
    return file;
  }

  /**
   * Stores `body` under `key` atomically (temp file, fsync, rename) and resolves once it is durable.
   * Rejects with `ValidationError` for an unsafe key, `ConflictError` when a folder-prefix of the key is
   * a file (or the key is a folder), `CanceledError` when `signal` aborts; errors of `body` itself
   * propagate unchanged. Nothing is left under `key` (or in the folder) when it rejects.
   */
  async put(key: string, body: Uint8Array | ByteStream, options: PutOptions = {}): Promise<void> {
    const what = `put of key ${JSON.stringify(key)}`;
    const file = this.#fileOf(key);
    throwIfAborted(options.signal, what);
    const folder = dirname(file);
    let created: string | undefined;
    try {
      created = await mkdir(folder, { recursive: true, mode: this.#folderMode });
    } catch (error) {
      throw putError(error, what);
    }
    const temp = join(folder, tempFileName(fsObjectStoreTempPrefix));
    let handle: FileHandle | undefined;
    try {
      handle = await open(temp, 'wx', this.#fileMode);
      await writeBody(handle, body, options.signal, what);
      await handle.sync();
      const written = handle;
      handle = undefined;
      await written.close();
      throwIfAborted(options.signal, what);
      await rename(temp, file);
    } catch (error) {
      if (handle !== undefined) await closeQuietly(handle);
      await rm(temp, { force: true }).catch(() => undefined);
      throw errnoCode(error) === undefined ? error : putError(error, what);
    }
    if (created !== undefined) {
      // Make the new folders' entries durable: each new folder, and the folder that holds the first.
      try {
        for (let at = folder; at.length >= created.length; at = dirname(at)) await syncDirectory(at);
        await syncDirectory(dirname(created));
      } catch (error) {
        throw toHoldfastError(error, what);
      }
    }
  }

  /**
   * Streams the object at `key`, or `options.range` of it (clipped at the end; a range at or past the end
   * yields nothing). Rejects with `NotFoundError` before returning when the key does not exist and with
   * `ValidationError` for a negative or fractional range. Consume or `return()` the stream: it holds an
   * open file until then when the read is larger than 1 MiB.
   */
  async get(key: string, options: GetOptions = {}): Promise<ByteStream> {
    const what = `get of key ${JSON.stringify(key)}`;
    const file = this.#fileOf(key);
    const { offset, length } = checkRange(options.range, what);
    throwIfAborted(options.signal, what);
    let handle: FileHandle | undefined;
    try {
      handle = await open(file, 'r');
      if (length !== undefined && length <= fsBlockSize) {
        // The restore hot path: no fstat, one positioned read. A directory fails the read with EISDIR.
        const bytes = length === 0 ? new Uint8Array(0) : await readAt(handle, offset, length);
        await closeQuietly(handle);
        return streamOf(bytes);
      }
      const info = await handle.stat();
      if (!info.isFile()) throw new NotFoundError(`${what}: not an object`);
      const end = length === undefined ? info.size : Math.min(info.size, offset + length);
      if (end - offset <= fsBlockSize) {
        const bytes = end <= offset ? new Uint8Array(0) : await readAt(handle, offset, end - offset);
        await closeQuietly(handle);
        return streamOf(bytes);
      }
      const stream = readBlocks(handle, offset, end, options.signal, what);
      handle = undefined;
      return stream;
    } catch (error) {
      if (handle !== undefined) await closeQuietly(handle);
      throw readError(error, what);
    }
  }

  /** The object's size and modification time; `NotFoundError` when `key` does not exist. */
  async head(key: string, options: CallOptions = {}): Promise<ObjectInfo> {
    const what = `head of key ${JSON.stringify(key)}`;
    const file = this.#fileOf(key);
    throwIfAborted(options.signal, what);
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new NotFoundError(`${what}: not an object`);
      return { key, size: info.size, lastModified: info.mtime };
    } catch (error) {
      throw readError(error, what);
    }
  }

  /**
   * Every object whose key starts with `prefix`, including prefixes that end mid-name (`data/a`). Walks
   * only the folder the prefix names, reading folder entries as a stream (never a whole large folder at
   * once), and stats up to `pageSize` files per page in parallel. Temp files are skipped. `prefix` must
   * not start with `/` nor hold NUL, a backslash or a `.`/`..`/empty folder segment (`ValidationError`).
   */
  async *list(prefix: string, options: ListOptions = {}): AsyncGenerator<ObjectInfo, void, undefined> {
    const what = `list of prefix ${JSON.stringify(prefix)}`;
    const slash = prefix.lastIndexOf('/');
    const folderKey = slash === -1 ? '' : prefix.slice(0, slash);
    const namePrefix = prefix.slice(slash + 1);
    if (folderKey !== '') assertSafeRelativePath(folderKey, 'list prefix');
    if (prefix.startsWith('/') || namePrefix.includes('\0') || namePrefix.includes('\\')) {
      throw new ValidationError(`list prefix ${JSON.stringify(prefix)} is not a key prefix`);
    }
    const pageSize = Math.min(maxListPageSize, Math.max(1, options.pageSize ?? this.capabilities.listPageSize));
    throwIfAborted(options.signal, what);
    let page: FileCandidate[] = [];
    const folder = folderKey === '' ? this.root : join(this.root, folderKey);
    try {
      for await (const candidate of walkFiles(folder, folderKey, namePrefix)) {
        page.push(candidate);
        if (page.length < pageSize) continue;
        throwIfAborted(options.signal, what);
        yield* await statPage(page, what);
        page = [];
      }
    } catch (error) {
      throw toHoldfastError(error, what);
    }
    throwIfAborted(options.signal, what);
    yield* await statPage(page, what);
  }

  /** Removes the object at `key`; resolves when there is none. Empty folders are left in place. */
  async delete(key: string, options: CallOptions = {}): Promise<void> {
    const what = `delete of key ${JSON.stringify(key)}`;
    const file = this.#fileOf(key);
    throwIfAborted(options.signal, what);
    try {
      await unlink(file);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return;
      throw toHoldfastError(error, what);
    }
  }
}

/** A file found by {@link walkFiles}. */
interface FileCandidate {
  readonly key: string;
  readonly file: string;
}

/** Validates a range: whole numbers, offset ≥ 0, length ≥ 0. */
function checkRange(range: GetOptions['range'], what: string): { offset: number; length: number | undefined } {
  if (range === undefined) return { offset: 0, length: undefined };
  const { offset, length } = range;
  if (
    !Number.isSafeInteger(offset) ||
    offset < 0 ||
    (length !== undefined && (!Number.isSafeInteger(length) || length < 0))
  ) {
    throw new ValidationError(`${what}: invalid range ${JSON.stringify(range)}`);
  }
  return { offset, length };
}

/** Translates a put's fs error: a file or folder in the way of the key is a conflict, not a missing key. */
function putError(error: unknown, what: string): Error {
  const code = errnoCode(error);
  if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR' || code === 'ENOTEMPTY') {
    return new ConflictError(`${what}: a file or folder is in the way (${code})`, { cause: error });
  }
  return toHoldfastError(error, what);
}

/** Translates a read's fs error: anything saying "no file here" is `NotFoundError`. */
function readError(error: unknown, what: string): Error {
  const code = errnoCode(error);
  if (code === 'EISDIR') return new NotFoundError(`${what}: not an object`, { cause: error });
  return toHoldfastError(error, what);
}

/**
 * The files under `folder` (whose key is `folderKey`) whose names start with `namePrefix` at the first
 * level, depth first. Entries are read as a stream; one `Dir` stays open per level being walked.
 */
async function* walkFiles(folder: string, folderKey: string, namePrefix: string): AsyncGenerator<FileCandidate> {
  let dir;
  try {
    dir = await opendir(folder, { bufferSize: 128 });
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw error;
  }
  for await (const entry of dir) {
    const name = entry.name;
    if (!name.startsWith(namePrefix) || name.startsWith(fsObjectStoreTempPrefix)) continue;
    const key = folderKey === '' ? name : `${folderKey}/${name}`;
    const file = join(folder, name);
    const kind = await kindOf(entry, file);
    if (kind === 'folder') yield* walkFiles(file, key, '');
    else if (kind === 'file') yield { key, file };
  }
}

/** Whether a folder entry is a file, a folder or something else, with an lstat when the type is unknown. */
async function kindOf(entry: Dirent, file: string): Promise<'file' | 'folder' | 'other'> {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'folder';
  if (
    entry.isSymbolicLink() ||
    entry.isFIFO() ||
    entry.isSocket() ||
    entry.isBlockDevice() ||
    entry.isCharacterDevice()
  ) {
    return 'other';
  }
  try {
    const info = await lstat(file); // The file system did not report a type (DT_UNKNOWN).
    return info.isFile() ? 'file' : info.isDirectory() ? 'folder' : 'other';
  } catch {
    return 'other';
  }
}

/** Stats a page of files in parallel; files deleted meanwhile are left out. */
async function statPage(page: readonly FileCandidate[], what: string): Promise<ObjectInfo[]> {
  const infos = await Promise.all(
    page.map(async ({ key, file }): Promise<ObjectInfo | undefined> => {
      try {
        const info = await lstat(file);
        return info.isFile() ? { key, size: info.size, lastModified: info.mtime } : undefined;
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') return undefined;
        throw toHoldfastError(error, what);
      }
    }),
  );
  return infos.filter((info) => info !== undefined);
}
