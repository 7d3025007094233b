/**
 * Spooling a stream before it is uploaded to Box: in memory up to `memoryLimit` (default 4 MiB), then in
 * a temporary file, so memory stays bounded whatever the size. Spooling first is what makes Box writes
 * right: the SHA-1 Box checks (`content-md5` of a simple upload, `Digest` of a chunked commit) must be
 * known before the upload starts; a throttled or dropped upload can be sent again from the spool; a
 * source stream that fails or a write that is cancelled stops before anything reaches Box, so no partial
 * file can appear; and the size decides between a simple and a chunked upload.
 */
import { createHash } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ByteStream, CanceledError } from '@holdfast/engine';

/** Content held for an upload. */
export interface Spooled {
  readonly size: number;
  /** SHA-1 of the content. */
  readonly sha1: Buffer;
  /** The content: in memory, or backed by the temporary file (read lazily, slice by slice). */
  readonly blob: Blob;
  /** Removes the temporary file, if any. */
  dispose(): Promise<void>;
}

/** Options of {@link spool}. */
export interface SpoolOptions {
  readonly signal?: AbortSignal | undefined;
  /** Bytes kept in memory before the content goes to a file. Default 4 MiB. */
  readonly memoryLimit?: number | undefined;
  /** Where temporary files go. Default the OS temp folder. */
  readonly directory?: string | undefined;
  /** The call in words, for a cancellation message. */
  readonly what: string;
}

/** Reads `content` to its end into memory or a temporary file; see the module note. */
export async function spool(content: ByteStream, options: SpoolOptions): Promise<Spooled> {
  const { signal, what } = options;
  const limit = options.memoryLimit ?? 4 * 1024 * 1024;
  const hash = createHash('sha1');
  const chunks: Uint8Array[] = [];
  let size = 0;
  let folder: string | undefined;
  let file: Awaited<ReturnType<typeof open>> | undefined;
  const cancelled = (): CanceledError => new CanceledError(`Box ${what}: cancelled`, { cause: signal?.reason });
  try {
    if (aborted(signal)) throw cancelled();
    for await (const chunk of content) {
      if (aborted(signal)) throw cancelled();
      hash.update(chunk);
      size += chunk.length;
      if (file === undefined && size > limit) {
        folder = await mkdtemp(join(options.directory ?? tmpdir(), 'holdfast-box-'));
        file = await open(join(folder, 'spool'), 'w');
        for (const held of chunks.splice(0)) await file.write(held);
      }
      if (file === undefined) chunks.push(chunk.slice());
      else await file.write(chunk);
    }
    if (aborted(signal)) throw cancelled();
    if (file !== undefined && folder !== undefined) {
      await file.close();
      file = undefined;
      const path = join(folder, 'spool');
      const spooledIn = folder;
      return {
        size,
        sha1: hash.digest(),
        blob: await openAsBlob(path),
        dispose: () => rm(spooledIn, { recursive: true, force: true }),
      };
    }
    return { size, sha1: hash.digest(), blob: new Blob(chunks), dispose: () => Promise.resolve() };
  } catch (error) {
    await file?.close().catch(() => undefined);
    if (folder !== undefined) await rm(folder, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
