/**
 * Writing one object, the way GCS keeps writes atomic: an object appears only when its upload completes,
 * whole, and replaces the previous generation in one step. Two ways in:
 *
 * - **single request** (`uploadType=multipart` through the SDK) for bodies under `resumableThreshold`:
 *   the body is in memory, so its MD5 and CRC32C travel in the object metadata and GCS refuses the write
 *   (`400`, nothing stored) if what arrived differs;
 * - **resumable upload** (`gcs-resumable-upload.ts`) for bodies of `resumableThreshold` bytes or more, or
 *   a size hint that says so: a session, then `chunkSize` chunks; the object appears when the last chunk
 *   (carrying `X-Goog-Hash: crc32c=`) is accepted.
 *
 * A stream of unknown size is read into memory up to `resumableThreshold` bytes to choose. A body that
 * fails, or a signal that fires, before the upload completes leaves no object and does not touch the
 * existing one (a single request is not sent until the body is whole; a session is cancelled). An abort
 * that lands while the single request is in flight rejects at once, but the request may still complete
 * and create the whole object: never a part of one.
 */
import { createHash } from 'node:crypto';
import { CRC32C } from '@google-cloud/storage';
import { CanceledError } from '@holdfast/engine';
import type { ByteStream } from '@holdfast/engine';
import { throwIfAborted } from './gcs-abort.ts';
import type { GcsFileHandle } from './gcs-bucket-handle.ts';
import { ByteQueue } from './gcs-byte-queue.ts';
import { gcsError } from './gcs-errors.ts';
import { resumableUpload } from './gcs-resumable-upload.ts';
import { checkSize, closeQuietly, type UploadPlan } from './gcs-upload-plan.ts';

/** Uploads `body` to `file`; resolves with the bytes written once GCS has the whole object. */
export async function uploadObject(
  file: GcsFileHandle,
  body: Uint8Array | ByteStream,
  plan: UploadPlan,
): Promise<number> {
  const { what, signal } = plan;
  throwIfAborted(signal, what);
  const source: AsyncIterator<Uint8Array> =
    body instanceof Uint8Array ? singleChunk(body) : body[Symbol.asyncIterator]();
  const queue = new ByteQueue();
  let ended = false;
  const knownLarge = plan.size !== undefined && plan.size >= plan.resumableThreshold;
  try {
    // Read until the body is known to be small (it ended) or large (it reached the threshold).
    while (!knownLarge && queue.length < plan.resumableThreshold) {
      const next = await source.next();
      throwIfAborted(signal, what);
      if (next.done === true) {
        ended = true;
        break;
      }
      queue.push(next.value);
    }
  } catch (error) {
    if (error instanceof CanceledError) await closeQuietly(source);
    throw error;
  }
  if (ended && queue.length < plan.resumableThreshold) {
    checkSize(queue.length, plan);
    await singleRequestUpload(file, queue.peek(queue.length), plan);
    return queue.length;
  }
  return resumableUpload(file, { queue, source }, plan);
}

/** One `uploadType=multipart` request through the SDK, with the body's MD5 and CRC32C for GCS to check. */
async function singleRequestUpload(file: GcsFileHandle, bytes: Uint8Array, plan: UploadPlan): Promise<void> {
  const { what, signal } = plan;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const crc32c = new CRC32C();
  crc32c.update(buffer);
  const stream = file.createWriteStream({
    resumable: false,
    // GCS verifies the hashes sent below before it creates the object; the SDK's own check would only
    // run afterwards, and delete the object it finds wrong.
    validation: false,
    metadata: {
      contentType: plan.contentType,
      md5Hash: createHash('md5').update(buffer).digest('base64'),
      crc32c: crc32c.toString(),
    },
    ...(plan.ifGenerationMatch === undefined
      ? {}
      : { preconditionOpts: { ifGenerationMatch: plan.ifGenerationMatch } }),
  });
  let onAbort: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.once('finish', resolve);
      if (signal !== undefined) {
        onAbort = () => stream.destroy(new CanceledError(`GCS ${what}: cancelled`, { cause: signal.reason }));
        signal.addEventListener('abort', onAbort, { once: true });
      }
      throwIfAborted(signal, what);
      if (buffer.length === 0) stream.end();
      else stream.end(buffer);
    });
  } catch (error) {
    stream.destroy();
    throw gcsError(error, what, signal);
  } finally {
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

/** An iterator of one chunk: `bytes`. */
function singleChunk(bytes: Uint8Array): AsyncIterator<Uint8Array> {
  let done = false;
  return {
    next: () => {
      if (done) return Promise.resolve({ done: true, value: undefined });
      done = true;
      return Promise.resolve({ done: false, value: bytes });
    },
  };
}
