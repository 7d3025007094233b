/**
 * FsRestoreTarget: restores into a local folder.
 *
 * Safety: paths come from snapshots and are never trusted. Every path must be a safe relative path
 * ({@link assertSafeRelativePath}), and every existing folder on the way to it is lstat-ed: a symlink
 * there is refused with `ValidationError`, so a restore never writes, lists or removes outside the root,
 * even when the target (or an earlier step of the same restore) holds a symlink pointing out of it.
 * Folders found to be real are remembered (until `remove` touches them), so a restore of many files in
 * one folder pays the lstats once. This guards against symlinks in the tree, not against another local
 * process swapping a folder for a symlink during the restore: that needs openat(2) with O_NOFOLLOW on
 * every component, which Node does not offer.
 *
 * Writes never leave a partial file behind a failure or cancellation. Replacing a file (`overwrite:
 * true`) writes `.holdfast-restore-<random>.tmp` in the same folder and renames it over the path, so the
 * old content stays whole until the new one is complete. A new file (`overwrite: false`) is created in
 * place with O_EXCL (a name that appears meanwhile is never clobbered) and removed if the write fails:
 * one directory operation instead of three (create, link, unlink), which is what restore speed on many
 * small files hangs on. Only a crash of the process mid-file can leave a partial new file; restoring
 * again with `overwrite` replaces it. Files are not fsynced unless `durable` is
 * set: a restore can be re-run, restic does not fsync restored files either, and fsync per file halves
 * restore speed on ordinary disks.
 */
import type { FileHandle } from 'node:fs/promises';
import { lstat, mkdir, open, opendir, rename, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConflictError, IntegrityError, NotFoundError, ValidationError } from '../errors/index.ts';
import { assertSafeRelativePath } from '../paths/index.ts';
import type {
  ByteStream,
  CallOptions,
  RestoreTarget,
  RestoreTargetCapabilities,
  TargetEntry,
  WriteFileOptions,
} from '../ports/index.ts';
import { errnoCode, throwIfAborted, toHoldfastError } from './fs-errors.ts';
import { closeQuietly, syncDirectory, tempFileName, writeBody } from './fs-io.ts';
import { targetEntryOf } from './fs-target-entry.ts';

/** The prefix of a write's temp file; `list` never reports names starting with it. */
export const fsRestoreTargetTempPrefix = '.holdfast-restore-';

/** Options of {@link FsRestoreTarget}. */
export interface FsRestoreTargetOptions {
  /** fsync each file and its folder before `writeFile` resolves. Default: false (see the module note). */
  readonly durable?: boolean | undefined;
  /**
   * Whether the file system tells `a` from `A`. Default for the constructor: false on macOS and Windows,
   * true elsewhere; {@link FsRestoreTarget.open} probes the root instead when this is not given.
   */
  readonly caseSensitive?: boolean | undefined;
}

/** How far the folders on the way to a path exist. */
type ParentState = 'ok' | 'missing' | 'blocked';

/**
 * A {@link RestoreTarget} in a local folder. Prefer {@link FsRestoreTarget.open}, which creates the root
 * and probes its case sensitivity.
 *
 * @example
 * ```ts
 * const target = await FsRestoreTarget.open('/tmp/restore');
 * await target.createFolder('Documents');
 * await target.writeFile('Documents/a.txt', content, { size: 3, overwrite: false });
 * ```
 */
export class FsRestoreTarget implements RestoreTarget {
  /** `fs:<absolute root>`. */
  readonly name: string;
  /** Case sensitivity as given or probed; symlinks and modification times are supported. */
  readonly capabilities: RestoreTargetCapabilities;
  /** The absolute root folder. */
  readonly root: string;
  readonly #durable: boolean;
  /** Relative paths of folders known to be real folders (not symlinks) inside the root. */
  readonly #folders = new Set<string>();

  /**
   * A target at `root` (resolved to an absolute path; it is not touched here). Without
   * `options.caseSensitive` the platform's usual answer is assumed: use {@link FsRestoreTarget.open} to probe.
   */
  constructor(root: string, options: FsRestoreTargetOptions = {}) {
    this.root = resolve(root);
    this.name = `fs:${this.root}`;
    this.#durable = options.durable ?? false;
    const caseSensitive = options.caseSensitive ?? !['darwin', 'win32'].includes(process.platform);
    this.capabilities = { caseSensitive, symlinks: true, modificationTimes: true };
  }

  /**
   * Creates `root` (and its parents) if missing, probes whether it is case sensitive unless
   * `options.caseSensitive` says (by creating a temp file and looking it up in upper case), and returns
   * the target.
   */
  static async open(root: string, options: FsRestoreTargetOptions = {}): Promise<FsRestoreTarget> {
    const absolute = resolve(root);
    try {
      await mkdir(absolute, { recursive: true });
      if (options.caseSensitive !== undefined) return new FsRestoreTarget(absolute, options);
      const probe = join(absolute, tempFileName(`${fsRestoreTargetTempPrefix}case-`, '.tmp'));
      await (await open(probe, 'wx')).close();
      try {
        const upper = join(absolute, probe.slice(absolute.length + 1).toUpperCase());
        const found = await lstat(upper).then(
          () => true,
          () => false,
        );
        return new FsRestoreTarget(absolute, { ...options, caseSensitive: !found });
      } finally {
        await rm(probe, { force: true });
      }
    } catch (error) {
      throw toHoldfastError(error, `opening restore target ${JSON.stringify(absolute)}`);
    }
  }

  /** What is at `path` (`''`: the root), never following a final symlink; `undefined` if nothing is. */
  async stat(path: string, options: CallOptions = {}): Promise<TargetEntry | undefined> {
    const what = `stat of ${JSON.stringify(path)}`;
    const file = this.#fileOf(path, true);
    throwIfAborted(options.signal, what);
    try {
      if (path === '') return targetEntryOf(path, await stat(file)); // The root may be a symlink the user chose.
      if ((await this.#parents(path)) !== 'ok') return undefined;
      return targetEntryOf(path, await lstat(file));
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw toHoldfastError(error, what);
    }
  }

  /**
   * The entries of the folder at `path` (`''`: the root), read as a stream. Rejects with `NotFoundError`
   * when there is no folder there (a symlink to one included: it is never followed).
   */
  async *list(path: string, options: CallOptions = {}): AsyncGenerator<TargetEntry, void, undefined> {
    const what = `list of ${JSON.stringify(path)}`;
    const folder = this.#fileOf(path, true);
    throwIfAborted(options.signal, what);
    let dir;
    try {
      if ((await this.#parents(path)) !== 'ok' || (path !== '' && !(await lstat(folder)).isDirectory())) {
        throw new NotFoundError(`${what}: no folder there`);
      }
      dir = await opendir(folder, { bufferSize: 128 });
    } catch (error) {
      throw toHoldfastError(error, what);
    }
    for await (const entry of dir) {
      if (entry.name.startsWith(fsRestoreTargetTempPrefix)) continue;
      throwIfAborted(options.signal, what);
      const entryPath = path === '' ? entry.name : `${path}/${entry.name}`;
      try {
        yield targetEntryOf(entryPath, await lstat(join(folder, entry.name)));
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw toHoldfastError(error, what);
      }
    }
  }

  /**
   * Makes sure a real folder exists at `path` (`''`: the root), creating missing ones. Rejects with
   * `ConflictError` when a file is in the way and `ValidationError` when a symlink is.
   */
  async createFolder(path: string, options: CallOptions = {}): Promise<void> {
    const what = `creating folder ${JSON.stringify(path)}`;
    this.#fileOf(path, true);
    throwIfAborted(options.signal, what);
    try {
      await mkdir(this.root, { recursive: true });
      let at = '';
      for (const name of path === '' ? [] : path.split('/')) {
        at = at === '' ? name : `${at}/${name}`;
        if (this.#folders.has(at)) continue;
        const folder = join(this.root, at);
        await mkdir(folder).catch((error: unknown) => {
          if (errnoCode(error) !== 'EEXIST') throw error;
        });
        const info = await lstat(folder);
        if (info.isSymbolicLink()) throw new ValidationError(`${what}: ${JSON.stringify(at)} is a symlink`);
        if (!info.isDirectory()) throw new ConflictError(`${what}: ${JSON.stringify(at)} is not a folder`);
        this.#remember(at);
      }
    } catch (error) {
      throw toHoldfastError(error, what);
    }
  }

  /**
   * Writes `content` atomically (see the module note), then sets `mode` (permission bits `& 0o777`:
   * set-id bits from a snapshot are dropped) and `modifiedAt`. The parent folder must exist
   * (`NotFoundError`). Rejects with `ConflictError` when a folder is at `path`, or a file and `overwrite`
   * is false; `IntegrityError` when the stream's length differs from `size`; `CanceledError` on abort;
   * errors of `content` itself propagate unchanged. Nothing is left at `path` (nor a temp file) when it
   * rejects, and an existing file is untouched.
   */
  async writeFile(path: string, content: ByteStream, options: WriteFileOptions): Promise<void> {
    const what = `writing ${JSON.stringify(path)}`;
    const file = this.#fileOf(path, false);
    const { size, overwrite, mode, modifiedAt } = options;
    if (!Number.isSafeInteger(size) || size < 0) throw new ValidationError(`${what}: invalid size ${String(size)}`);
    if (mode !== undefined && !(Number.isInteger(mode) && mode >= 0 && mode <= 0o7777)) {
      throw new ValidationError(`${what}: invalid mode ${String(mode)}`);
    }
    const mtime = modifiedAt === undefined ? undefined : new Date(modifiedAt);
    if (mtime !== undefined && Number.isNaN(mtime.getTime())) {
      throw new ValidationError(`${what}: invalid modifiedAt ${JSON.stringify(modifiedAt)}`);
    }
    throwIfAborted(options.signal, what);
    await this.#checkWritable(path, file, overwrite, what);
    // A new file is created in place with O_EXCL (one directory operation, and a name that appears
    // meanwhile is never clobbered) and removed if the write fails. Replacing a file goes through a temp
    // file and rename, so the old content stays whole until the new one is complete.
    const direct = !overwrite;
    const written = direct ? file : join(dirname(file), tempFileName(fsRestoreTargetTempPrefix, '.tmp'));
    let handle: FileHandle | undefined;
    let created = false;
    try {
      handle = await open(written, 'wx');
      created = true;
      const bytes = await writeBody(handle, content, options.signal, what);
      if (bytes !== size) throw new IntegrityError(`${what}: the content has ${bytes} bytes, not ${size}`);
      if (mode !== undefined) await handle.chmod(mode & 0o777);
      if (mtime !== undefined) await handle.utimes(mtime, mtime);
      if (this.#durable) await handle.sync();
      const done = handle;
      handle = undefined;
      await done.close();
      throwIfAborted(options.signal, what);
      if (!direct) await rename(written, file);
      if (this.#durable) await syncDirectory(dirname(file));
    } catch (error) {
      if (handle !== undefined) await closeQuietly(handle);
      if (created) await rm(written, { force: true }).catch(() => undefined);
      if (direct && errnoCode(error) === 'EEXIST') throw new ConflictError(`${what}: it exists`, { cause: error });
      throw errnoCode(error) === undefined ? error : writeError(error, what);
    }
  }

  /** Creates a symlink to `linkTarget` (recorded, never followed). `ConflictError` if the path exists. */
  async createSymlink(path: string, linkTarget: string, options: CallOptions = {}): Promise<void> {
    const what = `creating symlink ${JSON.stringify(path)}`;
    const file = this.#fileOf(path, false);
    if (linkTarget === '' || linkTarget.includes('\0')) {
      throw new ValidationError(`${what}: invalid link target ${JSON.stringify(linkTarget)}`);
    }
    throwIfAborted(options.signal, what);
    try {
      const state = await this.#parents(path);
      if (state !== 'ok') throw parentError(state, what);
      await symlink(linkTarget, file);
    } catch (error) {
      throw writeError(error, what);
    }
  }

  /** Removes the file, symlink (not what it points to) or folder (recursively) at `path`; resolves if none. */
  async remove(path: string, options: CallOptions = {}): Promise<void> {
    const what = `removing ${JSON.stringify(path)}`;
    const file = this.#fileOf(path, false);
    throwIfAborted(options.signal, what);
    try {
      if ((await this.#parents(path)) !== 'ok') return;
      for (const folder of this.#folders)
        if (folder === path || folder.startsWith(`${path}/`)) this.#folders.delete(folder);
      await rm(file, { recursive: true, force: true });
    } catch (error) {
      throw toHoldfastError(error, what);
    }
  }

  /** Validates `path` and returns its absolute file; `''` (the root) only when `allowRoot`. */
  #fileOf(path: string, allowRoot: boolean): string {
    if (path === '' && allowRoot) return this.root;
    assertSafeRelativePath(path, 'restore path');
    return join(this.root, path);
  }

  /**
   * Checks the folders on the way to `path` (not `path` itself): `ValidationError` for a symlink; whether
   * they all exist as folders (`ok`), one is missing, or a non-folder blocks the way.
   */
  async #parents(path: string): Promise<ParentState> {
    const names = path === '' ? [] : path.split('/');
    let at = '';
    for (const name of names.slice(0, -1)) {
      at = at === '' ? name : `${at}/${name}`;
      if (this.#folders.has(at)) continue;
      let info;
      try {
        info = await lstat(join(this.root, at));
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') return 'missing';
        throw error;
      }
      if (info.isSymbolicLink()) {
        throw new ValidationError(`path ${JSON.stringify(path)} passes through the symlink ${JSON.stringify(at)}`);
      }
      if (!info.isDirectory()) return 'blocked';
      this.#remember(at);
    }
    return 'ok';
  }

  /** Refuses a write early (before reading the content) when the path cannot take a file. */
  async #checkWritable(path: string, file: string, overwrite: boolean, what: string): Promise<void> {
    try {
      const state = await this.#parents(path);
      if (state !== 'ok') throw parentError(state, what);
      // A new file is created with O_EXCL, which refuses anything already there: no need to look first.
      if (!overwrite) return;
      const existing = await lstat(file).catch((error: unknown) => {
        if (errnoCode(error) === 'ENOENT') return undefined;
        throw error;
      });
      if (existing?.isDirectory() === true) throw new ConflictError(`${what}: a folder is there`);
    } catch (error) {
      throw toHoldfastError(error, what);
    }
  }

  #remember(folder: string): void {
    if (this.#folders.size >= 4096) this.#folders.clear();
    this.#folders.add(folder);
  }
}

/** The error for a parent state other than `ok`. */
function parentError(state: ParentState, what: string): Error {
  return state === 'missing'
    ? new NotFoundError(`${what}: the parent folder does not exist`)
    : new ConflictError(`${what}: a file is in the way of the parent folder`);
}

/** Translates a write's fs error: a name taken (or a folder there) is a conflict. */
function writeError(error: unknown, what: string): Error {
  const code = errnoCode(error);
  if (code === 'EEXIST' || code === 'EISDIR' || code === 'ENOTEMPTY') {
    return new ConflictError(`${what}: something is in the way (${code})`, { cause: error });
  }
  return toHoldfastError(error, what);
}
