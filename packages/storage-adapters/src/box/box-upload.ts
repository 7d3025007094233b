/**
 * Uploading spooled content to Box: a new file in a folder, or a new version of an existing file.
 *
 * - Below `chunkedThreshold` (default 50 MB, Box's advice; Box refuses sessions under 20 MB): one
 *   multipart request (`attributes` first, then `file`, as Box requires) with `content-md5` set to the
 *   SHA-1, which Box checks.
 * - From the threshold up: an upload session. Parts of the session's `part_size` (the last may be
 *   smaller), each with `Digest: sha=<base64 SHA-1>` and its `Content-Range`, then a commit with the
 *   whole file's digest; a commit answered 202 (parts still being processed) is repeated after its
 *   `retry-after`. Any failure aborts the session, so Box keeps nothing of it.
 * Box creates a file (or a version) only when the upload completes, so a failed upload leaves nothing.
 * `modifiedAt` becomes `content_modified_at` (the simple upload's attributes, the commit's attributes).
 *
 * A simple upload of a new file is repeated after a dropped connection; if Box then answers 409 with a
 * file of the same SHA-1, the first attempt had succeeded, and that file is the result.
 */
import { createHash } from 'node:crypto';
import { isHoldfastError, PermanentError } from '@holdfast/engine';
import { type BoxActor, type BoxApi, ITEM_FIELDS } from './box-api.ts';
import { BoxHttpError } from './box-errors.ts';
import { boxTime } from './box-items.ts';
import type { Spooled } from './box-spool.ts';
import type { BoxFile, BoxFiles, BoxUploadPart, BoxUploadSession } from './box-types.ts';

/** Box's advice: chunked uploads from 50 MB. */
export const DEFAULT_CHUNKED_THRESHOLD = 50 * 1000 * 1000;

/** Box refuses upload sessions for files under 20 MB. */
export const MIN_CHUNKED_SIZE = 20 * 1000 * 1000;

/** Options of {@link uploadSpooled}. */
export interface BoxUploadOptions {
  readonly actor: BoxActor;
  /** The folder of a new file. */
  readonly parentId: string;
  readonly name: string;
  /** Upload a new version of this file rather than a new file. */
  readonly fileId?: string | undefined;
  /** The content's modification time, ISO 8601. */
  readonly modifiedAt?: string | undefined;
  /** Sizes from this up go through an upload session. */
  readonly chunkedThreshold: number;
  readonly signal?: AbortSignal | undefined;
}

/** Uploads `spooled`; resolves with the file Box made or updated. Rejects with `ConflictError` on 409. */
export async function uploadSpooled(api: BoxApi, spooled: Spooled, options: BoxUploadOptions): Promise<BoxFile> {
  if (spooled.size >= Math.max(options.chunkedThreshold, MIN_CHUNKED_SIZE)) return uploadChunked(api, spooled, options);
  return uploadSimple(api, spooled, options);
}

/** The item a 409 names as in the way (`context_info.conflicts`), if Box said. */
export function conflictOf(error: unknown): { type: string; id: string; sha1?: string | undefined } | undefined {
  if (!isHoldfastError(error, 'CONFLICT') || !(error.cause instanceof BoxHttpError)) return undefined;
  const conflicts = error.cause.contextInfo?.['conflicts'];
  const first: unknown = Array.isArray(conflicts) ? conflicts[0] : conflicts;
  if (typeof first !== 'object' || first === null) return undefined;
  const { type, id, sha1 } = first as Record<string, unknown>;
  if (typeof type !== 'string' || typeof id !== 'string') return undefined;
  return { type, id, sha1: typeof sha1 === 'string' ? sha1 : undefined };
}

async function uploadSimple(api: BoxApi, spooled: Spooled, options: BoxUploadOptions): Promise<BoxFile> {
  const { actor, name, fileId, signal } = options;
  const modified = options.modifiedAt === undefined ? {} : { content_modified_at: boxTime(options.modifiedAt) };
  const attributes =
    fileId === undefined ? { name, parent: { id: options.parentId }, ...modified } : { name, ...modified };
  const sha1 = spooled.sha1.toString('hex');
  const what =
    fileId === undefined
      ? `upload ${JSON.stringify(name)} to folder ${options.parentId}`
      : `upload a new version of file ${fileId}`;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const files = await api.http.json<BoxFiles>({
        method: 'POST',
        url: api.uploadUrl(fileId === undefined ? 'files/content' : `files/${encodeURIComponent(fileId)}/content`),
        what,
        user: actor.key,
        asUser: actor.asUser,
        query: { fields: ITEM_FIELDS.join(',') },
        headers: { 'content-md5': sha1 },
        body: () => {
          const form = new FormData();
          form.append('attributes', JSON.stringify(attributes));
          form.append('file', spooled.blob, name);
          return form;
        },
        // A version upload is safe to repeat; a new file's is repeated here, with the 409 check below.
        retryTransient: fileId !== undefined,
        signal,
      });
      return firstFile(files, what);
    } catch (error) {
      if (fileId === undefined && attempt > 1) {
        const conflict = conflictOf(error);
        if (conflict?.type === 'file' && conflict.sha1?.toLowerCase() === sha1)
          return api.file(conflict.id, actor, signal);
      }
      if (fileId === undefined && attempt < 4 && isHoldfastError(error, 'TRANSIENT')) continue;
      throw error;
    }
  }
}

async function uploadChunked(api: BoxApi, spooled: Spooled, options: BoxUploadOptions): Promise<BoxFile> {
  const { actor, name, fileId, signal } = options;
  const what =
    fileId === undefined
      ? `chunked upload of ${JSON.stringify(name)}`
      : `chunked upload of a new version of file ${fileId}`;
  const session = await api.http.json<BoxUploadSession>({
    method: 'POST',
    url: api.uploadUrl(
      fileId === undefined ? 'files/upload_sessions' : `files/${encodeURIComponent(fileId)}/upload_sessions`,
    ),
    what: `${what}: start the session`,
    user: actor.key,
    asUser: actor.asUser,
    json:
      fileId === undefined
        ? { folder_id: options.parentId, file_size: spooled.size, file_name: name }
        : { file_size: spooled.size, file_name: name },
    signal,
  });
  const sessionUrl = api.uploadUrl(`files/upload_sessions/${encodeURIComponent(session.id)}`);
  const endpoints = session.session_endpoints ?? {};
  try {
    const parts: BoxUploadPart[] = [];
    for (let offset = 0; offset < spooled.size; offset += session.part_size) {
      const end = Math.min(spooled.size, offset + session.part_size);
      const bytes = new Uint8Array(await spooled.blob.slice(offset, end).arrayBuffer());
      const digest = createHash('sha1').update(bytes).digest('base64');
      const uploaded = await api.http.json<{ part: BoxUploadPart }>({
        method: 'PUT',
        url: endpoints.upload_part ?? sessionUrl,
        what: `${what}: part at ${offset}`,
        user: actor.key,
        asUser: actor.asUser,
        headers: {
          'content-type': 'application/octet-stream',
          digest: `sha=${digest}`,
          'content-range': `bytes ${offset}-${end - 1}/${spooled.size}`,
        },
        body: () => bytes,
        signal,
      });
      parts.push(uploaded.part);
    }
    const files = await api.http.json<BoxFiles>({
      method: 'POST',
      url: endpoints.commit ?? `${sessionUrl}/commit`,
      what: `${what}: commit`,
      user: actor.key,
      asUser: actor.asUser,
      headers: { digest: `sha=${spooled.sha1.toString('base64')}` },
      json: {
        parts,
        ...(options.modifiedAt === undefined
          ? {}
          : { attributes: { content_modified_at: boxTime(options.modifiedAt) } }),
      },
      waitOn202: true,
      retryTransient: true,
      signal,
    });
    return firstFile(files, what);
  } catch (error) {
    await api.http
      .send({
        method: 'DELETE',
        url: endpoints.abort ?? sessionUrl,
        what: `${what}: abort the session`,
        user: actor.key,
        asUser: actor.asUser,
        accept: [404],
      })
      .then(async (response) => response.body?.cancel())
      .catch(() => undefined);
    throw error;
  }
}

function firstFile(files: BoxFiles, what: string): BoxFile {
  const file = files.entries?.[0];
  if (file === undefined) throw new PermanentError(`Box ${what}: the answer names no file`);
  return file;
}
