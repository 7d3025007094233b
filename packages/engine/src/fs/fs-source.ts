/**
 * FsSource: a local folder as a {@link Source} with one entity, {@link fsSourceEntityId} (`'root'`),
 * named by the folder's absolute path. For trials and benchmarks, and the reference for what a source
 * yields.
 *
 * The walk is always full (`capabilities.changeFeed` is false) and deterministic: depth first, a folder
 * right before its contents, siblings in the byte order of their UTF-8 names. Each folder's names are
 * read and sorted in memory (100k names are a few MiB); only the folders on the current path are held,
 * so memory grows with the widest folder on the path and the depth, never with the tree.
 *
 * Items:
 * - `id` is the inode number (`String(ino)`), stable across renames and moves on one file system. Items
 *   on another file system mounted inside the root get `<dev>:<ino>`, so ids never collide. Hard links
 *   share an inode and so an id: each path is yielded, with the same id.
 * - `version` is `<size>-<mtime in ns>-<ino>`: it changes when a write changes the size, when the mtime
 *   moves on, or when the file is replaced. A same-size rewrite within the file system's timestamp
 *   granularity (a few ms on Linux) is not seen; every mtime-based backup tool shares this limit.
 * - `modifiedAt` is the mtime (ISO, rounded to the ms), `mode` the permission bits (`& 0o7777`); `createdAt` is omitted,
 *   since Node reports ctime or the epoch where the file system has no birth time.
 * - Symlinks are recorded with their `linkTarget` and never followed; FIFOs, sockets and devices are
 *   `other` (no content).
 *
 * What cannot be backed up is an `error` entry and the walk goes on without it: a folder that cannot be
 * listed (`AuthError` for EACCES), a file the process may not read (checked from the mode bits, then
 * confirmed with access(2), so ACLs are honoured), a name that is not valid UTF-8 or holds a backslash
 * (`ValidationError`: see {@link assertSafeRelativePath}). An entry deleted during the walk is skipped.
 */
import { isUtf8 } from 'node:buffer';
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { access, lstat, open, readdir, readlink, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AuthError, type HoldfastError, NotFoundError, ValidationError } from '../errors/index.ts';
import { assertSafeRelativePath, isSafeRelativePath } from '../paths/index.ts';
import type {
  ByteStream,
  CallOptions,
  Source,
  SourceCapabilities,
  SourceEntity,
  SourceItem,
  Walk,
  WalkEntry,
  WalkOptions,
} from '../ports/index.ts';
import { errnoCode, throwIfAborted, toHoldfastError } from './fs-errors.ts';
import { closeQuietly, fsBlockSize, readAt, readBlocks, streamOf } from './fs-io.ts';

/** The id of the one entity of an {@link FsSource}. */
export const fsSourceEntityId = 'root';

/** Files up to this size are read in one call by `openContent`; larger ones stream 1 MiB blocks. */
const wholeReadLimit = 4 * fsBlockSize;

/** One folder being walked: its sorted names and how far the walk got. */
interface Frame {
  readonly folder: string;
  readonly path: string;
  readonly names: readonly Buffer[];
  next: number;
}

/** Who the process is, to tell from mode bits whether it may read a file. */
interface Identity {
  readonly uid: number | undefined;
  readonly gids: ReadonlySet<number>;
}

/**
 * A local folder as a {@link Source}.
 *
 * @example
 * ```ts
 * const source = new FsSource('/home/ana/Documents');
 * const walk = await source.walk(fsSourceEntityId);
 * for await (const entry of walk.entries) if (entry.kind === 'item') console.log(entry.item.path);
 * ```
 */
export class FsSource implements Source {
  /** `fs:<absolute root>`. */
  readonly name: string;
  /** No change feed, no content hash. */
  readonly capabilities: SourceCapabilities = { changeFeed: false };
  /** The absolute root folder. */
  readonly root: string;

  /** A source for the folder `root` (relative paths resolve against the working directory). */
  constructor(root: string) {
    this.root = resolve(root);
    this.name = `fs:${this.root}`;
  }

  /** Yields the one entity: id {@link fsSourceEntityId}, name the absolute root path. */
  async *listEntities(options: CallOptions = {}): AsyncGenerator<SourceEntity, void, undefined> {
    await Promise.resolve();
    throwIfAborted(options.signal, 'listing entities');
    yield { id: fsSourceEntityId, name: this.root };
  }

  /**
   * A full walk of the root (see the module note). Rejects with `NotFoundError` for an entity other than
   * {@link fsSourceEntityId} or a root that is missing or not a folder, and `AuthError` when the root
   * cannot be listed. `since` is ignored; `cursor()` is always undefined.
   */
  async walk(entityId: string, options: WalkOptions = {}): Promise<Walk> {
    const what = `walk of ${this.name}`;
    this.#checkEntity(entityId);
    throwIfAborted(options.signal, what);
    let rootInfo: BigIntStats;
    try {
      rootInfo = await stat(this.root, { bigint: true });
      if (!rootInfo.isDirectory()) throw new NotFoundError(`${what}: the root is not a folder`);
      await access(this.root, constants.R_OK | constants.X_OK);
    } catch (error) {
      throw toHoldfastError(error, what);
    }
    return {
      mode: 'full',
      entries: this.#entries(rootInfo.dev, options.signal),
      cursor: () => undefined,
    };
  }

  /**
   * Opens a file's content as it is now: files up to 4 MiB are read in one call, larger ones streamed
   * in 1 MiB blocks to EOF. Never follows a symlink at the item's path. Rejects with `NotFoundError`
   * when the file is gone or is no longer a file, `AuthError` when it cannot be read, `ValidationError`
   * for an unsafe path or an item that is not a file.
   */
  async openContent(entityId: string, item: SourceItem, options: CallOptions = {}): Promise<ByteStream> {
    const what = `reading ${JSON.stringify(item.path)}`;
    this.#checkEntity(entityId);
    assertSafeRelativePath(item.path, 'item path');
    if (item.type !== 'file') throw new ValidationError(`${what}: a ${item.type} has no content`);
    throwIfAborted(options.signal, what);
    let handle: FileHandle | undefined;
    try {
      // O_NONBLOCK: opening a FIFO that replaced the file must not hang; it is a no-op on regular files.
      const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK; // Both undefined (0) on Windows.
      handle = await open(join(this.root, item.path), flags);
      const info = await handle.stat();
      if (!info.isFile()) throw new NotFoundError(`${what}: no longer a file`);
      if (info.size <= wholeReadLimit) {
        const bytes = info.size === 0 ? new Uint8Array(0) : await readAt(handle, 0, info.size);
        await closeQuietly(handle);
        return streamOf(bytes);
      }
      const stream = readBlocks(handle, 0, Infinity, options.signal, what);
      handle = undefined;
      return stream;
    } catch (error) {
      if (handle !== undefined) await closeQuietly(handle);
      if (errnoCode(error) === 'ELOOP') throw new NotFoundError(`${what}: now a symlink`, { cause: error });
      throw toHoldfastError(error, what);
    }
  }

  #checkEntity(entityId: string): void {
    if (entityId !== fsSourceEntityId) {
      throw new NotFoundError(`${this.name} has no entity ${JSON.stringify(entityId)} (its one entity is "root")`);
    }
  }

  /** The walk's entries: depth first with an explicit stack, siblings in UTF-8 byte order. */
  async *#entries(rootDev: bigint, signal: AbortSignal | undefined): AsyncGenerator<WalkEntry, void, undefined> {
    const identity = currentIdentity();
    const rootNames = await readNames(this.root, '');
    if (rootNames === undefined) throw new NotFoundError(`walk of ${this.name}: the root folder is gone`);
    if (!Array.isArray(rootNames)) throw rootNames.error;
    const stack: Frame[] = [{ folder: this.root, path: '', names: rootNames, next: 0 }];
    while (stack.length > 0) {
      const frame = stack.at(-1);
      const raw = frame?.names[frame.next];
      if (frame === undefined || raw === undefined) {
        stack.pop();
        continue;
      }
      frame.next += 1;
      throwIfAborted(signal, `walk of ${this.name}`);
      const name = raw.toString('utf8');
      const path = frame.path === '' ? name : `${frame.path}/${name}`;
      if (!isUtf8(raw)) {
        yield { kind: 'error', path, error: new ValidationError(`name ${JSON.stringify(path)} is not valid UTF-8`) };
        continue;
      }
      if (!isSafeRelativePath(path)) {
        yield {
          kind: 'error',
          path,
          error: new ValidationError(`name ${JSON.stringify(path)} is not a safe item name`),
        };
        continue;
      }
      const file = join(frame.folder, name);
      const found = await this.#itemAt(file, path, rootDev, identity);
      if (found === undefined) continue;
      if (found.kind === 'error') {
        yield found;
        continue;
      }
      if (found.item.type === 'folder') {
        const names = await readNames(file, path);
        if (!Array.isArray(names)) {
          if (names !== undefined) yield { kind: 'error', path, error: names.error };
          continue;
        }
        yield found;
        stack.push({ folder: file, path, names, next: 0 });
        continue;
      }
      yield found;
    }
  }

  /** The item at `file`, an error entry, or `undefined` if it vanished. */
  async #itemAt(
    file: string,
    path: string,
    rootDev: bigint,
    identity: Identity,
  ): Promise<Extract<WalkEntry, { kind: 'item' | 'error' }> | undefined> {
    try {
      const info = await lstat(file, { bigint: true });
      const type = info.isFile() ? 'file' : info.isDirectory() ? 'folder' : info.isSymbolicLink() ? 'symlink' : 'other';
      if (type === 'file' && !(await mayRead(file, info, identity))) {
        return { kind: 'error', path, error: new AuthError(`reading ${JSON.stringify(path)}: permission denied`) };
      }
      const item: SourceItem = {
        id: info.dev === rootDev ? String(info.ino) : `${info.dev}:${info.ino}`,
        path,
        type,
        ...(type === 'file' || type === 'symlink' ? { size: Number(info.size) } : {}),
        version: `${info.size}-${info.mtimeNs}-${info.ino}`,
        ...isoTime(info.mtimeNs),
        mode: Number(info.mode & 0o7777n),
        ...(type === 'symlink' ? { linkTarget: await readlink(file) } : {}),
      };
      return { kind: 'item', item };
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      return { kind: 'error', path, error: toHoldfastError(error, `reading ${JSON.stringify(path)}`) };
    }
  }
}

/**
 * `{ modifiedAt }` from a time in ns, rounded to the ms (utimes(2) from a Date goes through floating-point
 * seconds, so a restored `.678` reads back as `.677999973`), or nothing when a Date cannot hold it.
 */
function isoTime(ns: bigint): { modifiedAt?: string } {
  const date = new Date(Number((ns + 500_000n) / 1_000_000n));
  return Number.isNaN(date.getTime()) ? {} : { modifiedAt: date.toISOString() };
}

/** The names in a folder, sorted by bytes; an error (as a Holdfast error), or `undefined` if it vanished. */
async function readNames(folder: string, path: string): Promise<Buffer[] | { error: HoldfastError } | undefined> {
  try {
    const names = await readdir(folder, { encoding: 'buffer' });
    return names.sort((a, b) => Buffer.compare(a, b));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    return { error: toHoldfastError(error, `listing ${path === '' ? 'the root folder' : JSON.stringify(path)}`) };
  }
}

/** The process's uid and groups (uid undefined where POSIX ids do not exist, as on Windows). */
function currentIdentity(): Identity {
  const uid = process.getuid?.();
  const gids = new Set(process.getgroups?.() ?? []);
  const gid = process.getegid?.();
  if (gid !== undefined) gids.add(gid);
  return { uid, gids };
}

/** Whether the process may read the file: mode bits first, confirmed by access(2) when they say no. */
async function mayRead(file: string, info: BigIntStats, identity: Identity): Promise<boolean> {
  const { uid, gids } = identity;
  if (uid === undefined || uid === 0) return true;
  const bit = info.uid === BigInt(uid) ? 0o400n : gids.has(Number(info.gid)) ? 0o040n : 0o004n;
  if ((info.mode & bit) !== 0n) return true;
  try {
    await access(file, constants.R_OK); // An ACL may grant what the mode bits do not.
    return true;
  } catch {
    return false;
  }
}
