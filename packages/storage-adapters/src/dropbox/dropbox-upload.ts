/**
 * Writing a stream to a Dropbox path, shared by the restore target and the export destination.
 *
 * Small files go up in one `files/upload` call (Dropbox takes up to 150 MiB there; the adapter keeps it to
 * `uploadThreshold`, 8 MiB by default, so no more than that is ever held for one call). Anything larger,
 * or of unknown size, goes through an upload session: `upload_session/start` with the first part,
 * `upload_session/append_v2` for the middle ones, `upload_session/finish` with the last part and the
 * commit. Parts are `partSize` bytes (8 MiB by default, a multiple of Dropbox's 4 MiB hash block); the
 * stream is read one part ahead, so at most two parts are in memory, whatever the file's size.
 *
 * Atomic: Dropbox creates the file only when `finish` (or `upload`) succeeds, so a stream that fails,
 * a cancelled write or a refused commit leaves nothing at the path; the abandoned session expires by
 * itself after 7 days. Every request carries the `content_hash` of its own bytes, so a part damaged on
 * the way is refused (`content_hash_mismatch`) instead of stored. An append retried after a lost answer
 * that Dropbox had in fact applied comes back as `incorrect_offset` naming the offset after it: that is
 * taken as success. The adapter commits with `upload_session/finish`, one file at a time, never with
 * `finish_batch` (only one batch may commit per account at a time), so there is no batch to serialise.
 */
import { CanceledError, type ByteStream } from '@holdfast/engine';
import type { files } from 'dropbox';
import type { DropboxCallOptions, DropboxClient } from './dropbox-client.ts';
import { dropboxContentHash } from './dropbox-content-hash.ts';
import { DropboxApiError, hasDropboxTag } from './dropbox-errors.ts';

/** How a write commits: Dropbox's `WriteMode` and the client modification time. */
export interface DropboxCommit {
  /** `add` refuses an existing file (strictly: even one with the same content); `overwrite` replaces it. */
  readonly mode: 'add' | 'overwrite';
  /** ISO 8601; stored as `client_modified` (whole seconds). */
  readonly modifiedAt?: string | undefined;
}

/** Sizes of an upload. */
export interface DropboxUploadSizes {
  /** Largest file sent with one `files/upload` call. */
  readonly uploadThreshold: number;
  /** Bytes per upload-session request. */
  readonly partSize: number;
}

const MIB = 1024 * 1024;
/** Defaults: 8 MiB for both. */
export const DEFAULT_UPLOAD_SIZES: DropboxUploadSizes = { uploadThreshold: 8 * MIB, partSize: 8 * MIB };

/** Uploads `content` to `path` (a Dropbox path); resolves with the new file's metadata and size. */
export async function uploadStream(
  client: DropboxClient,
  path: string,
  content: ByteStream,
  commit: DropboxCommit,
  sizes: DropboxUploadSizes,
  call: DropboxCallOptions,
): Promise<{ metadata: files.FileMetadata; size: number }> {
  const info: files.CommitInfo = {
    path,
    mode: { '.tag': commit.mode },
    autorename: false,
    mute: true,
    strict_conflict: commit.mode === 'add',
    ...(commit.modifiedAt === undefined ? {} : { client_modified: dropboxTimestamp(commit.modifiedAt) }),
  };
  const parts = readParts(content, sizes.partSize, call.signal)[Symbol.asyncIterator]();
  const first = (await parts.next()).value ?? new Uint8Array(0);
  let next = (await parts.next()).value;
  if (next === undefined && first.length <= sizes.uploadThreshold) {
    const metadata = await client.upload<files.FileMetadata>(
      'files/upload',
      { ...info, content_hash: dropboxContentHash(first) },
      first,
      call,
    );
    return { metadata, size: first.length };
  }
  const { session_id } = await client.upload<files.UploadSessionStartResult>(
    'files/upload_session/start',
    { close: false, content_hash: dropboxContentHash(first) },
    first,
    call,
  );
  let offset = first.length;
  while (next !== undefined) {
    const part = next;
    next = (await parts.next()).value;
    if (next === undefined) {
      const metadata = await client.upload<files.FileMetadata>(
        'files/upload_session/finish',
        { cursor: { session_id, offset }, commit: info, content_hash: dropboxContentHash(part) },
        part,
        call,
      );
      return { metadata, size: offset + part.length };
    }
    await append(client, session_id, offset, part, call);
    offset += part.length;
  }
  // Only reached when the stream ended exactly after the first part (and it exceeded the threshold).
  const metadata = await client.upload<files.FileMetadata>(
    'files/upload_session/finish',
    { cursor: { session_id, offset }, commit: info, content_hash: dropboxContentHash(new Uint8Array(0)) },
    new Uint8Array(0),
    call,
  );
  return { metadata, size: offset };
}

async function append(
  client: DropboxClient,
  session: string,
  offset: number,
  part: Uint8Array,
  call: DropboxCallOptions,
): Promise<void> {
  try {
    await client.upload(
      'files/upload_session/append_v2',
      { cursor: { session_id: session, offset }, close: false, content_hash: dropboxContentHash(part) },
      part,
      { ...call, idempotent: true },
    );
  } catch (error) {
    // A retry of an append Dropbox had applied: it now expects the offset after this part.
    const cause = (error as { cause?: unknown }).cause;
    if (hasDropboxTag(cause, 'incorrect_offset') && correctOffsetOf(cause) === offset + part.length) return;
    throw error;
  }
}

function correctOffsetOf(error: unknown): number | undefined {
  if (!(error instanceof DropboxApiError)) return undefined;
  const inner = (error.body as { error?: { correct_offset?: unknown } } | undefined)?.error;
  return typeof inner?.correct_offset === 'number' ? inner.correct_offset : undefined;
}

/** `2021-03-04T05:06:07Z`: Dropbox timestamps have whole seconds. */
export function dropboxTimestamp(iso: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return new Date(Math.floor(at / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The stream cut into parts of exactly `size` bytes (the last one shorter; none for an empty stream),
 * checking `signal` between chunks.
 */
export async function* readParts(
  stream: ByteStream,
  size: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array, void, undefined> {
  const throwIfAborted = (): void => {
    if (signal?.aborted === true) throw signal.reason ?? new CanceledError('Dropbox: the upload was cancelled');
  };
  throwIfAborted();
  let part = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of stream) {
    throwIfAborted();
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(size - filled, chunk.length - offset);
      part.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === size) {
        yield part;
        part = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  throwIfAborted();
  if (filled > 0) yield part.subarray(0, filled);
}
