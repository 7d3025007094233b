/**
 * Export: a snapshot, or a selection of it, as one streaming zip (zip64 where needed, by yazl) written to
 * an {@link ExportDestination}, with a manifest (`manifest.json` and `manifest.csv`) of what it holds.
 *
 * Design note: memory stays flat whatever the size. Files go into the zip one after the other as yazl
 * asks for them, each read from the repository as a verified stream; at most a small window of entries
 * is queued ahead of the writer, so a million items never sit in memory at once. The manifest comes last:
 * it walks the snapshot's trees a second time in the same order and takes each file's SHA-256 (computed
 * while the file streamed into the zip) from a compact array of digests, 32 bytes a file.
 *
 * A file whose content fails verification fails the export (a zip entry cannot be taken back once
 * started); the destination's write is atomic, so nothing is left behind. `check` finds such damage.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { Semaphore } from '../backup/semaphore.ts';
import { CanceledError, ValidationError } from '../errors/index.ts';
import { packageName, packageVersion } from '../package-info.ts';
import { assertSafeRelativePath } from '../paths/index.ts';
import type { ExportDestination, ExportLocation } from '../ports/index.ts';
import { BlobReader } from '../repository/blob-reader.ts';
import { bytesToHex } from '../repository/hex.ts';
import type { RepositoryContext } from '../repository/repository-context.ts';
import type { Snapshot } from '../repository/snapshot-record.ts';
import { findEntry, walkTree } from '../repository/tree-walk.ts';
import type { TreeNode } from '../repository/tree.ts';
import { contentStream } from '../restore/content-stream.ts';
import { manifestCsv, manifestJson, type ManifestItem } from './manifest.ts';

/** Entries queued ahead of the zip writer. */
const QUEUE_AHEAD = 32;
const DIGEST_PAGE = 16_384;

export interface ExportOptions {
  /** Snapshot paths to export (files or folders with everything beneath). Default: the whole snapshot. */
  readonly include?: readonly string[] | undefined;
  /** The zip's file name at the destination. Default: `holdfast-<snapshot>-<UTC time>.zip`. */
  readonly name?: string | undefined;
  /**
   * Deflate level, 0 (store) to 9. Default 0: storing streams at disk speed, while deflate (yazl through
   * node:zlib) runs at about 25 MiB/s here; and most of what SaaS accounts hold (media, office
   * files, archives) is compressed already.
   */
  readonly compressionLevel?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: ExportProgress) => void) | undefined;
  /** The time that names the zip and is recorded in the manifest. Default: now. */
  readonly now?: Date | undefined;
}

export interface ExportProgress {
  readonly files: number;
  /** Content bytes written into the zip so far. */
  readonly bytes: number;
  /** Content bytes in all, for whole-snapshot exports. */
  readonly totalBytes?: number | undefined;
}

export interface ExportResult {
  readonly snapshot: string;
  readonly name: string;
  readonly location: ExportLocation;
  readonly files: number;
  readonly folders: number;
  /** Items listed in the manifest but not stored (symlinks, other items). */
  readonly skipped: number;
  /** Content bytes (before compression). */
  readonly bytes: number;
  /** The manifest's file names inside the zip. */
  readonly manifest: { readonly json: string; readonly csv: string };
}

export async function runExport(
  context: RepositoryContext,
  snapshot: Snapshot,
  destination: ExportDestination,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const { signal } = options;
  const now = options.now ?? new Date();
  const level = options.compressionLevel ?? 0;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new ValidationError(`compressionLevel is a whole number from 0 to 9, not ${String(level)}`);
  }
  const name = options.name ?? defaultExportName(snapshot, now);
  if (name === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
    throw new ValidationError(`an export name is a file name, not ${JSON.stringify(name)}`);
  }
  const roots = (options.include ?? ['']).map((path) => path.replace(/^\/+|\/+$/g, ''));
  for (const root of roots) {
    if (root === '') continue;
    assertSafeRelativePath(root, 'include path');
    await findEntry(context, snapshot.tree, root, signal); // a missing path fails before anything is written
  }
  const manifestNames = await chooseManifestNames(context, snapshot, roots, signal);

  const reader = new BlobReader(context.store, context.crypto, await context.index(signal), {
    readAhead: 4 * 1024 * 1024,
    // One file at a time: two windows cover the file being read and the next.
    windowsKept: 2,
  });
  const zip = new yazl.ZipFile();
  // yazl's typings call it a NodeJS.ReadableStream; at run time it is a stream.Readable (a PassThrough).
  const raw: unknown = zip.outputStream;
  const output = raw instanceof Readable ? raw : Readable.from(zip.outputStream);
  // Its errors reach the caller through the destination's write; the destination may stop listening first
  // (it sees the same abort signal), so keep one listener for the stream's whole life.
  output.on('error', () => undefined);
  const fail = (error: unknown): void => {
    output.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  zip.on('error', fail);
  const onAbort = (): void => {
    fail(new CanceledError('the export was cancelled', { cause: signal?.reason }));
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  const digests: Uint8Array[] = [];
  const counts = { files: 0, folders: 0, skipped: 0, bytes: 0 };
  const totalBytes = options.include === undefined ? snapshot.stats.totalBytes : undefined;
  const report = (): void => {
    options.onProgress?.({
      files: counts.files,
      bytes: counts.bytes,
      ...(totalBytes === undefined ? {} : { totalBytes }),
    });
  };

  const written = destination.write(name, output, { contentType: 'application/zip', signal });
  // Keep the rejection observed while the entries are produced; it is awaited below.
  written.catch(() => undefined);

  const produce = async (): Promise<void> => {
    const window = new Semaphore(QUEUE_AHEAD);
    let fileNumber = 0;
    for (const root of roots) {
      for await (const { path, node } of walkTree(context, snapshot.tree, { path: root, signal })) {
        if (output.destroyed) return;
        if (node.type === 'folder') {
          zip.addEmptyDirectory(path, { mtime: dateOf(node) });
          counts.folders++;
        } else if (node.type === 'file') {
          const index = fileNumber++;
          await window.acquire();
          zip.addReadStreamLazy(path, zipOptions(node, level), (callback) => {
            const stream = Readable.from(hashed(node, index), { objectMode: false });
            stream.once('close', () => {
              window.release();
            });
            // A chunk that fails verification, or a cancel, fails the whole export.
            stream.once('error', fail);
            callback(null, stream);
          });
        } else {
          counts.skipped++;
        }
      }
    }
    const items = (): AsyncIterable<ManifestItem> => manifestItems(context, snapshot, roots, digests, signal);
    const header = {
      snapshot: { id: snapshot.id, time: snapshot.time, source: snapshot.source, entity: snapshot.entity.id },
      created: now.toISOString(),
      ...(options.include === undefined ? {} : { include: roots }),
      tool: { name: packageName, version: packageVersion },
    };
    zip.addReadStreamLazy(manifestNames.json, { mtime: now, compress: true }, (callback) => {
      callback(null, Readable.from(manifestJson(header, items())));
    });
    zip.addReadStreamLazy(manifestNames.csv, { mtime: now, compress: true }, (callback) => {
      callback(null, Readable.from(manifestCsv(snapshot.id, items())));
    });
    zip.end();
  };

  async function* hashed(node: TreeNode, index: number): AsyncGenerator<Uint8Array> {
    const hash = createHash('sha256');
    for await (const chunk of contentStream(reader, node.content ?? [], node.size ?? 0, { signal })) {
      hash.update(chunk);
      counts.bytes += chunk.length;
      yield chunk;
    }
    storeDigest(digests, index, hash.digest());
    counts.files++;
    report();
  }

  try {
    await produce().catch((error: unknown) => {
      fail(error);
      throw error;
    });
    const location = await written;
    report();
    return { snapshot: snapshot.id, name, location, ...counts, manifest: manifestNames };
  } catch (error) {
    await written.catch(() => undefined);
    if (signal?.aborted === true) throw new CanceledError('the export was cancelled', { cause: error });
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** `holdfast-1a2b3c4d-2026-11-23T14-05-09Z.zip`. */
export function defaultExportName(snapshot: Snapshot, now: Date): string {
  const time = now.toISOString().slice(0, 19).replaceAll(':', '-');
  return `holdfast-${snapshot.id.slice(0, 8)}-${time}Z.zip`;
}

function zipOptions(node: TreeNode, level: number): Partial<yazl.ReadStreamOptions> {
  return {
    mtime: dateOf(node),
    size: node.size ?? 0,
    compress: level > 0,
    ...(level > 0 ? { compressionLevel: level } : {}),
    ...(node.mode === undefined ? {} : { mode: 0o100000 | (node.mode & 0o777) }),
  };
}

function dateOf(node: TreeNode): Date {
  const time = Date.parse(node.mtime ?? '');
  return Number.isFinite(time) ? new Date(time) : new Date(0);
}

function storeDigest(pages: Uint8Array[], index: number, digest: Uint8Array): void {
  const page = Math.floor(index / DIGEST_PAGE);
  while (pages.length <= page) pages.push(new Uint8Array(DIGEST_PAGE * 32));
  pages[page]?.set(digest, (index % DIGEST_PAGE) * 32);
}

function digestAt(pages: readonly Uint8Array[], index: number): string {
  const page = pages[Math.floor(index / DIGEST_PAGE)];
  const at = (index % DIGEST_PAGE) * 32;
  return page === undefined ? '' : bytesToHex(page.subarray(at, at + 32));
}

/** The manifest's rows: the same walk, in the same order, as the one that filled the zip. */
async function* manifestItems(
  context: RepositoryContext,
  snapshot: Snapshot,
  roots: readonly string[],
  digests: readonly Uint8Array[],
  signal: AbortSignal | undefined,
): AsyncGenerator<ManifestItem> {
  let fileNumber = 0;
  for (const root of roots) {
    for await (const { path, node } of walkTree(context, snapshot.tree, { path: root, signal })) {
      const type = node.type;
      yield {
        path,
        type,
        size: type === 'file' ? (node.size ?? 0) : 0,
        ...(node.mtime === undefined ? {} : { modified: node.mtime }),
        ...(type === 'file' ? { sha256: digestAt(digests, fileNumber++) } : {}),
        ...(node.hash === undefined ? {} : { sourceHash: `${node.hash.algorithm}:${node.hash.value}` }),
        inZip: type === 'file' || type === 'folder',
      };
    }
  }
}

/** `manifest.json` and `manifest.csv`, or `holdfast-manifest.*` when the export holds an item so named. */
async function chooseManifestNames(
  context: RepositoryContext,
  snapshot: Snapshot,
  roots: readonly string[],
  signal: AbortSignal | undefined,
): Promise<{ json: string; csv: string }> {
  const top = new Set<string>();
  for (const root of roots) {
    if (root === '') for (const node of (await context.tree(snapshot.tree, signal)).nodes) top.add(node.name);
    else top.add(root.split('/')[0] ?? '');
  }
  return top.has('manifest.json') || top.has('manifest.csv')
    ? { json: 'holdfast-manifest.json', csv: 'holdfast-manifest.csv' }
    : { json: 'manifest.json', csv: 'manifest.csv' };
}
