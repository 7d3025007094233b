/**
 * Restoring a snapshot, or some of its paths, into a {@link RestoreTarget}.
 *
 * Paths from a snapshot are never trusted: every path is checked again here (no `..`, no absolute
 * path, no empty segment) before the target sees it, and the target refuses anything that would leave
 * its root. Every chunk is decrypted and its keyed id recomputed before a byte of it is written; a file
 * whose chunks fail is reported and left unwritten (targets write atomically) while the others restore.
 */
import { CanceledError, ConflictError, isHoldfastError, PermanentError, type HoldfastError } from '../errors/index.ts';
import { assertSafeRelativePath } from '../paths/index.ts';
import type { ByteStream, RestoreTarget } from '../ports/index.ts';
import { Semaphore } from '../backup/semaphore.ts';
import { BlobReader } from '../repository/blob-reader.ts';
import type { RepositoryContext } from '../repository/repository-context.ts';
import type { Snapshot, SnapshotError } from '../repository/snapshot-record.ts';
import { walkTree } from '../repository/tree-walk.ts';
import type { TreeNode } from '../repository/tree.ts';
import { contentStream } from './content-stream.ts';

/** A progress report of a restore. */
export interface RestoreProgress {
  readonly files: number;
  readonly folders: number;
  readonly bytes: number;
  /** Bytes to restore in all, when known (whole-snapshot restores). */
  readonly totalBytes?: number | undefined;
  readonly failed: number;
  readonly elapsedMs: number;
  readonly bytesPerSecond: number;
  readonly etaMs?: number | undefined;
}

export interface RestoreOptions {
  /** Snapshot paths to restore (files or folders, with everything beneath). Default: the whole snapshot. */
  readonly include?: readonly string[] | undefined;
  /** Replace files that exist at the target. Default false: an existing file is reported and left alone. */
  readonly overwrite?: boolean | undefined;
  /** Files written at once. Default 8. */
  readonly concurrency?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: RestoreProgress) => void) | undefined;
  /** Milliseconds between progress reports. Default 250. */
  readonly progressInterval?: number | undefined;
}

export interface RestoreResult {
  readonly files: number;
  readonly folders: number;
  readonly symlinks: number;
  /** Items the target cannot hold (sockets, devices; symlinks on targets without them). */
  readonly skipped: number;
  readonly bytes: number;
  /** Items that could not be restored, with why. Empty when everything restored. */
  readonly errors: readonly SnapshotError[];
}

export async function runRestore(
  context: RepositoryContext,
  snapshot: Snapshot,
  target: RestoreTarget,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const { signal } = options;
  const counts = { files: 0, folders: 0, symlinks: 0, skipped: 0, bytes: 0 };
  const errors: SnapshotError[] = [];
  const fail = (path: string, error: unknown): void => {
    if (isHoldfastError(error, 'CANCELED') || signal?.aborted === true) throw error;
    const code = isHoldfastError(error) ? error.code : 'PERMANENT';
    errors.push({ path, code, message: (error as Error).message });
  };
  const started = Date.now();
  const totalBytes = options.include === undefined ? snapshot.stats.totalBytes : undefined;
  let lastReport = 0;
  const report = (force = false): void => {
    if (options.onProgress === undefined) return;
    const now = Date.now();
    if (!force && now - lastReport < (options.progressInterval ?? 250)) return;
    lastReport = now;
    const elapsedMs = now - started;
    const bytesPerSecond = elapsedMs > 0 ? (counts.bytes * 1000) / elapsedMs : 0;
    options.onProgress({
      files: counts.files,
      folders: counts.folders,
      bytes: counts.bytes,
      failed: errors.length,
      elapsedMs,
      bytesPerSecond,
      ...(totalBytes === undefined ? {} : { totalBytes }),
      ...(totalBytes === undefined || bytesPerSecond === 0
        ? {}
        : { etaMs: (Math.max(0, totalBytes - counts.bytes) / bytesPerSecond) * 1000 }),
    });
  };

  // Small files lie next to each other in packs in the order the backup wrote them, which is the order
  // they are restored in: read them through 4 MiB windows rather than one request each.
  const reader = new BlobReader(context.store, context.crypto, await context.index(signal), {
    readAhead: 4 * 1024 * 1024,
  });
  const files = new Semaphore(options.concurrency ?? 8);
  const writes = new Set<Promise<void>>();
  let fatal: unknown;

  const restoreFile = async (path: string, node: TreeNode): Promise<void> => {
    try {
      const content: ByteStream = contentStream(reader, node.content ?? [], node.size ?? 0, {
        signal,
        onBytes: (n) => {
          counts.bytes += n;
          report();
        },
      });
      await target.writeFile(path, content, {
        size: node.size ?? 0,
        overwrite: options.overwrite ?? false,
        ...(node.mtime === undefined ? {} : { modifiedAt: node.mtime }),
        ...(node.mode === undefined ? {} : { mode: node.mode }),
        signal,
      });
      counts.files++;
    } catch (error) {
      try {
        fail(path, error);
      } catch (cancel) {
        fatal ??= cancel;
      }
    }
  };

  const roots = options.include ?? [''];
  for (const root of roots) {
    const onError = (path: string, error: HoldfastError): void => {
      fail(path, error);
    };
    try {
      const parent = root.includes('/') ? root.slice(0, root.lastIndexOf('/')) : '';
      if (parent !== '') await target.createFolder(safe(parent), { signal });
      for await (const { path, node } of walkTree(context, snapshot.tree, { path: root, signal, onError })) {
        if (fatal !== undefined) throw asError(fatal);
        if (signal?.aborted === true) throw new CanceledError('the restore was cancelled', { cause: signal.reason });
        try {
          safe(path);
          if (node.type === 'folder') {
            await target.createFolder(path, { signal });
            counts.folders++;
          } else if (node.type === 'file') {
            await files.acquire();
            const write = restoreFile(path, node).finally(() => {
              files.release();
              writes.delete(write);
            });
            writes.add(write);
          } else if (node.type === 'symlink' && target.capabilities.symlinks && target.createSymlink !== undefined) {
            await restoreSymlink(target, path, node.link ?? '', options.overwrite ?? false, signal);
            counts.symlinks++;
          } else {
            counts.skipped++;
          }
        } catch (error) {
          fail(path, error);
        }
        report();
      }
    } catch (error) {
      fail(root === '' ? '/' : root, error);
    }
  }
  await Promise.all([...writes]);
  if (fatal !== undefined) throw asError(fatal);
  report(true);
  return { ...counts, errors };
}

function safe(path: string): string {
  assertSafeRelativePath(path, 'snapshot path');
  return path;
}

async function restoreSymlink(
  target: RestoreTarget,
  path: string,
  link: string,
  overwrite: boolean,
  signal: AbortSignal | undefined,
): Promise<void> {
  const existing = await target.stat(path, { signal });
  if (existing !== undefined) {
    if (!overwrite) throw new ConflictError(`${path} exists at the target`);
    if (existing.type === 'folder') throw new ConflictError(`${path} is a folder at the target`);
    await target.remove(path, { signal });
  }
  if (target.createSymlink === undefined) throw new PermanentError('the target cannot create symlinks');
  await target.createSymlink(path, link, { signal });
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
