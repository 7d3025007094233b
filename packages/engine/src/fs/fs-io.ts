/**
 * Low-level file I/O shared by the fs port implementations: writing a body to a file handle, reading
 * a file in blocks, temp-file names and directory fsync.
 *
 * Writes never hold on to a caller's chunk after the next one is pulled (a stream may reuse its buffer),
 * so small chunks are copied into a 1 MiB staging buffer and written in one call, and large ones are
 * written directly: few system calls for streams of tiny chunks, no copy for the common large ones.
 * Reads allocate a fresh buffer per block, since the consumer keeps what it is given.
 */
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { link, lstat, open, rename } from 'node:fs/promises';
import { ConflictError } from '../errors/index.ts';
import type { ByteStream } from '../ports/index.ts';
import { errnoCode, throwIfAborted, toHoldfastError } from './fs-errors.ts';

/** The block size of streamed reads and of the write staging buffer: 1 MiB. */
export const fsBlockSize = 1024 * 1024;

/** Chunks smaller than this are staged and written together; larger ones are written directly. */
const stageBelow = 64 * 1024;

/** A fresh temp-file name with `prefix`: 16 random hex digits follow it. */
export function tempFileName(prefix: string, suffix = ''): string {
  return `${prefix}${randomBytes(8).toString('hex')}${suffix}`;
}

/** Writes all of `bytes` at the handle's current position, looping over short writes. */
async function writeChunk(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
    offset += bytesWritten;
  }
}

/**
 * Writes `body` to `handle` and returns the number of bytes written. Checks `signal` before each chunk
 * (`CanceledError`); errors from the stream itself propagate unchanged.
 */
export async function writeBody(
  handle: FileHandle,
  body: Uint8Array | ByteStream,
  signal: AbortSignal | undefined,
  what: string,
): Promise<number> {
  if (body instanceof Uint8Array) {
    throwIfAborted(signal, what);
    await writeChunk(handle, body);
    return body.length;
  }
  let total = 0;
  let stage: Buffer | undefined;
  let staged = 0;
  const flush = async (): Promise<void> => {
    if (stage === undefined || staged === 0) return;
    await writeChunk(handle, stage.subarray(0, staged));
    staged = 0;
  };
  for await (const chunk of body) {
    throwIfAborted(signal, what);
    total += chunk.length;
    if (chunk.length >= stageBelow) {
      await flush();
      await writeChunk(handle, chunk);
      continue;
    }
    stage ??= Buffer.allocUnsafe(fsBlockSize);
    if (staged + chunk.length > stage.length) await flush();
    stage.set(chunk, staged);
    staged += chunk.length;
  }
  throwIfAborted(signal, what);
  await flush();
  return total;
}

/** Reads up to `length` bytes at `position` into a fresh buffer, looping over short reads; stops at EOF. */
export async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/** Closes a handle, ignoring a failure: used after reads and on error paths, where it changes nothing. */
export async function closeQuietly(handle: FileHandle): Promise<void> {
  try {
    await handle.close();
  } catch {
    // Nothing was written through it, or the write already failed: there is nothing to report.
  }
}

/**
 * Streams bytes `[start, end)` of an open file in blocks of {@link fsBlockSize} (`end` = Infinity: to
 * EOF), then closes the handle, also when the consumer stops early. Errors become Holdfast errors.
 */
export async function* readBlocks(
  handle: FileHandle,
  start: number,
  end: number,
  signal: AbortSignal | undefined,
  what: string,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    let position = start;
    while (position < end) {
      throwIfAborted(signal, what);
      const want = Math.min(fsBlockSize, end - position);
      const block = await readAt(handle, position, want).catch((error: unknown) => {
        throw toHoldfastError(error, what);
      });
      if (block.length > 0) yield block;
      if (block.length < want) return;
      position += want;
    }
  } finally {
    await closeQuietly(handle);
  }
}

/** A stream of the given chunks (none for an empty read). */
export async function* streamOf(...chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array, void, undefined> {
  await Promise.resolve(); // A stream never yields synchronously, whatever the consumer expects.
  for (const chunk of chunks) if (chunk.length > 0) yield chunk;
}

/**
 * Flushes a directory's entries to disk (after a rename or mkdir in it). File systems that cannot fsync
 * a directory (EINVAL, EISDIR on some platforms) are skipped: there is nothing more we can do there.
 */
export async function syncDirectory(path: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw error;
  } finally {
    if (handle !== undefined) await closeQuietly(handle);
  }
}

/** Errors of link(2) that mean "no hard links here" (FAT, some network shares), not "name taken". */
const noHardLinks = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK']);

/**
 * Gives the file `temp` the name `file` unless something is there (`ConflictError`). Atomic where hard
 * links work: link(2) refuses an existing name. Elsewhere it checks, then renames, and a file created in
 * between is replaced. The caller removes `temp` afterwards (after a link both names exist).
 */
export async function linkNoClobber(temp: string, file: string, what: string): Promise<void> {
  try {
    await link(temp, file);
    return;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') throw new ConflictError(`${what}: the name is taken`, { cause: error });
    if (code === undefined || !noHardLinks.has(code)) throw error;
  }
  const taken = await lstat(file).then(
    () => true,
    (error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return false;
      throw error;
    },
  );
  if (taken) throw new ConflictError(`${what}: the name is taken`);
  await rename(temp, file);
}
