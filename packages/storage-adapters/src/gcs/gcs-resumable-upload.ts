/**
 * A resumable upload, the JSON API's protocol ("Perform resumable uploads"): the SDK starts the session
 * (`File.createResumableUpload`, an authenticated `POST ...?uploadType=resumable` that answers with a
 * session URI), then the adapter itself `PUT`s the chunks to that URI:
 *
 * - every chunk but the last is `chunkSize` bytes (a multiple of 256 KiB) with
 *   `Content-Range: bytes a-b/*`, and GCS answers `308` with `Range: bytes=0-n`, the bytes it persisted;
 *   the adapter resends from `n + 1` whatever it had sent beyond (GCS may keep less than it was sent);
 * - the last chunk names the total (`bytes a-b/total`, or `bytes *\/total` when nothing is left) and
 *   carries `X-Goog-Hash: crc32c=<the whole object's>`, so GCS refuses the object if a byte differs;
 *   `200`/`201` with the object resource means the object now exists, whole;
 * - on any failure, or when the signal fires, the session is cancelled (`DELETE` on its URI, `499`) and
 *   nothing was created: the object appears only when the final chunk is accepted.
 *
 * Why not the SDK's `createWriteStream({ resumable: true })`: it takes no `AbortSignal`, does not send the
 * object's checksum for GCS to verify (it checks afterwards and deletes a mismatched object), loses the
 * status and `Retry-After` of a failed chunk when its retries are off, and never cancels its session. The
 * session URI authorises the upload by itself (GCS documents it as a bearer capability), so the chunk
 * requests need no credentials: they go out through Node's `fetch` (set `NODE_USE_ENV_PROXY=1` where an
 * HTTP proxy is required). The URI is never put in an error message.
 *
 * A chunk that fails is not retried here: the upload fails, is cancelled, and the engine's retry policy
 * decides (it retries puts whose body it can replay).
 */
import { CRC32C } from '@google-cloud/storage';
import { IntegrityError, TransientError } from '@holdfast/engine';
import { raceAbort, throwIfAborted } from './gcs-abort.ts';
import type { GcsFileHandle } from './gcs-bucket-handle.ts';
import type { ByteQueue } from './gcs-byte-queue.ts';
import { gcsError, GcsHttpError } from './gcs-errors.ts';
import { checkSize, closeQuietly, type UploadPlan } from './gcs-upload-plan.ts';

/** The body of a resumable upload: bytes read already (the queue) and the rest of the source. */
export interface ResumableBody {
  readonly queue: ByteQueue;
  readonly source: AsyncIterator<Uint8Array>;
}

/** How long cancelling an abandoned session may take before the adapter stops waiting. */
const CANCEL_TIMEOUT_MS = 30_000;
/** Answers in a row that persist nothing before the upload is given up. */
const MAX_STALLED_ANSWERS = 3;

/** Uploads `body` through a resumable session; resolves with the object's size once it exists. */
export async function resumableUpload(file: GcsFileHandle, body: ResumableBody, plan: UploadPlan): Promise<number> {
  const { what, signal } = plan;
  const { queue, source } = body;
  const crc32c = new CRC32C();
  const buffered = queue.peek(queue.length);
  crc32c.update(Buffer.from(buffered.buffer, buffered.byteOffset, buffered.length));
  let uri: string;
  try {
    const created = await raceAbort(
      () =>
        file.createResumableUpload({
          metadata: {
            contentType: plan.contentType,
            ...(plan.size === undefined ? {} : { contentLength: plan.size }),
          },
          ...(plan.ifGenerationMatch === undefined
            ? {}
            : { preconditionOpts: { ifGenerationMatch: plan.ifGenerationMatch } }),
        }),
      signal,
      what,
      async ([late]) => cancelSession(late),
    );
    uri = created[0];
  } catch (error) {
    await closeQuietly(source);
    throw gcsError(error, what, signal);
  }
  try {
    let persisted = 0;
    let ended = false;
    let stalled = 0;
    for (;;) {
      while (!ended && queue.length <= plan.chunkSize) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await source.next();
        } catch (error) {
          throw new SourceFailure(error);
        }
        throwIfAborted(signal, what);
        if (next.done === true) ended = true;
        else {
          queue.push(next.value);
          crc32c.update(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.length));
        }
      }
      const isFinal = ended && queue.length <= plan.chunkSize;
      const length = isFinal ? queue.length : plan.chunkSize;
      const total = persisted + queue.length;
      if (isFinal) checkSize(total, plan);
      const headers: Record<string, string> = {
        'Content-Range': isFinal
          ? length === 0
            ? `bytes */${total}`
            : `bytes ${persisted}-${persisted + length - 1}/${total}`
          : `bytes ${persisted}-${persisted + length - 1}/*`,
      };
      if (isFinal) headers['X-Goog-Hash'] = `crc32c=${crc32c.toString()}`;
      const response = await fetch(uri, {
        method: 'PUT',
        headers,
        body: queue.peek(length),
        redirect: 'manual',
        ...(signal === undefined ? {} : { signal }),
      });
      if (response.status === 200 || response.status === 201) {
        const resource = (await response.json().catch(() => ({}))) as { size?: unknown };
        if (resource.size !== undefined && Number(resource.size) !== total) {
          throw new IntegrityError(`GCS ${what}: GCS stored ${JSON.stringify(resource.size)} bytes of ${total}`);
        }
        return total;
      }
      if (response.status !== 308) {
        throw new GcsHttpError(response.status, response.headers, await readBody(response));
      }
      await response.body?.cancel();
      const confirmed = persistedBytes(response.headers.get('range'));
      if (confirmed < persisted || confirmed > persisted + length) {
        throw new TransientError(
          `GCS ${what}: the session reports ${confirmed} bytes persisted, expected ${persisted}..${persisted + length}`,
        );
      }
      stalled = confirmed === persisted && length > 0 ? stalled + 1 : 0;
      if (stalled >= MAX_STALLED_ANSWERS) {
        throw new TransientError(
          `GCS ${what}: the session persisted nothing of ${MAX_STALLED_ANSWERS} chunks in a row`,
        );
      }
      queue.drop(confirmed - persisted);
      persisted = confirmed;
    }
  } catch (error) {
    await cancelSession(uri);
    // The body's own failure propagates unchanged; a failure of ours stops the body.
    if (error instanceof SourceFailure) throw error.error;
    await closeQuietly(source);
    throw gcsError(error, what, signal);
  }
}

/** Carries a failure of the body stream through the upload loop, to be rethrown as it was. */
class SourceFailure extends Error {
  readonly error: unknown;

  constructor(error: unknown) {
    super('the body stream failed');
    this.error = error;
  }
}

/** The number of bytes a `Range: bytes=0-n` header of a `308` says are persisted (none without it). */
function persistedBytes(range: string | null): number {
  const match = /^bytes=0-(\d+)$/.exec(range?.trim() ?? '');
  return match === null ? 0 : Number(match[1]) + 1;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Cancels a session (`DELETE` on its URI); a failure here changes nothing, as the session expires anyway. */
async function cancelSession(uri: string): Promise<void> {
  try {
    const response = await fetch(uri, {
      method: 'DELETE',
      body: new Uint8Array(0),
      signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS),
    });
    await response.body?.cancel();
  } catch {
    // GCS forgets an unfinished session after a week; nothing was created under the name.
  }
}
