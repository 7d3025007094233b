/**
 * FsExportDestination: delivers exports into a local folder (a download area, a mounted share).
 *
 * A write streams into `.holdfast-export-<random>.tmp` in the folder, fsyncs it, and hard-links it to
 * the final name: link(2) fails when the name exists, so two exports racing for one name never clobber
 * each other, and readers see the whole file or none. The folder is fsynced too: an export is delivered
 * once, and a caller told "done" must find it after a crash. File systems without hard links fall back
 * to check-then-rename. A failed or cancelled write removes its temp file.
 */
import type { FileHandle } from 'node:fs/promises';
import { lstat, mkdir, open, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConflictError, IntegrityError, ValidationError } from '../errors/index.ts';
import { assertSafeItemName } from '../paths/index.ts';
import type {
  ByteStream,
  ExportDestination,
  ExportDestinationCapabilities,
  ExportLocation,
  ExportWriteOptions,
} from '../ports/index.ts';
import { errnoCode, throwIfAborted, toHoldfastError } from './fs-errors.ts';
import { closeQuietly, linkNoClobber, syncDirectory, tempFileName, writeBody } from './fs-io.ts';

/** The prefix of a write's temp file; export names may not start with it. */
export const fsExportTempPrefix = '.holdfast-export-';

/**
 * An {@link ExportDestination} in a local folder, created on the first write.
 *
 * @example
 * ```ts
 * const destination = new FsExportDestination('/srv/exports');
 * const { location } = await destination.write('ana-2026-11-22.zip', zipStream);
 * ```
 */
export class FsExportDestination implements ExportDestination {
  /** `fs:<absolute folder>`. */
  readonly name: string;
  /** No size limit. */
  readonly capabilities: ExportDestinationCapabilities = {};
  /** The absolute folder exports are written to. */
  readonly folder: string;

  /** A destination writing into `folder` (resolved to an absolute path; created on the first write). */
  constructor(folder: string) {
    this.folder = resolve(folder);
    this.name = `fs:${this.folder}`;
  }

  /**
   * Writes `content` to `<folder>/<name>` atomically and durably; `location` is the file's absolute
   * path. Rejects with `ValidationError` for a name that is not one safe path segment (see
   * {@link assertSafeItemName}) or starts with the temp prefix; `ConflictError` if the name exists
   * (checked before reading the content, and again atomically at the end); `IntegrityError` when
   * `size` was given and the content differs; `CanceledError` on abort. Errors of `content` propagate
   * unchanged. Nothing is left under `name` when it rejects.
   */
  async write(name: string, content: ByteStream, options: ExportWriteOptions = {}): Promise<ExportLocation> {
    const what = `export ${JSON.stringify(name)}`;
    assertSafeItemName(name, 'export name');
    if (name.startsWith(fsExportTempPrefix)) {
      throw new ValidationError(`export name ${JSON.stringify(name)} starts with "${fsExportTempPrefix}"`);
    }
    throwIfAborted(options.signal, what);
    const file = join(this.folder, name);
    try {
      await mkdir(this.folder, { recursive: true });
      if (await exists(file)) throw new ConflictError(`${what}: ${file} exists`);
    } catch (error) {
      throw toHoldfastError(error, what);
    }
    const temp = join(this.folder, tempFileName(fsExportTempPrefix, '.tmp'));
    let handle: FileHandle | undefined;
    try {
      handle = await open(temp, 'wx', 0o644);
      const size = await writeBody(handle, content, options.signal, what);
      if (options.size !== undefined && options.size !== size) {
        throw new IntegrityError(`${what}: the content has ${size} bytes, not ${options.size}`);
      }
      await handle.sync();
      const done = handle;
      handle = undefined;
      await done.close();
      throwIfAborted(options.signal, what);
      await linkNoClobber(temp, file, what);
      await syncDirectory(this.folder);
      return { location: file, size };
    } catch (error) {
      if (handle !== undefined) await closeQuietly(handle);
      throw errnoCode(error) === undefined ? error : toHoldfastError(error, what);
    } finally {
      await rm(temp, { force: true }).catch(() => undefined);
    }
  }
}

/** Whether anything (a symlink included) is at `file`. */
async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}
