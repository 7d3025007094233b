/**
 * GcsObjectStore: a repository in a Google Cloud Storage bucket, under an optional name prefix, through
 * `@google-cloud/storage` (see `docs/storage/gcs.md`).
 *
 * GCS gives what the port asks for without help: strong read-after-write and list-after-write consistency,
 * and atomic object writes (an upload creates a new generation only when it completes). Every call maps to
 * one JSON API method: `put` to a multipart or a resumable upload (`gcs-upload.ts`), `get` to `alt=media`
 * (with `Range`), `head` to `objects.get`, `list` to `objects.list` pages, `delete` to `objects.delete`.
 * Errors are translated in one table (`gcs-errors.ts`). The SDK's retries are off in a client the adapter
 * makes: retrying is the engine's (`RetryingObjectStore`).
 */
import type { Readable } from 'node:stream';
import {
  type ByteStream,
  type CallOptions,
  type GetOptions,
  type ListOptions,
  type ObjectInfo,
  type ObjectStore,
  type ObjectStoreCapabilities,
  PermanentError,
  type PutOptions,
  ValidationError,
} from '@holdfast/engine';
import { raceAbort, throwIfAborted } from './gcs-abort.ts';
import type { GcsBucketHandle, GcsFileHandle, GcsObjectMetadata } from './gcs-bucket-handle.ts';
import { gcsError, gcsStatusOf } from './gcs-errors.ts';
import { MAX_OBJECT_NAME_BYTES, type GcsOptions, resolveGcsOptions } from './gcs-options.ts';
import { uploadObject } from './gcs-upload.ts';

/** Options of {@link GcsObjectStore}. */
export interface GcsObjectStoreOptions extends GcsOptions {
  /** `capabilities.listPageSize`: keys per `objects.list` page, 1 to 1000. Default: 1000. */
  readonly listPageSize?: number | undefined;
}

/** The most results one `objects.list` page returns. */
const MAX_LIST_PAGE = 1000;

/**
 * An {@link ObjectStore} in a GCS bucket.
 *
 * @example
 * ```ts
 * import { Repository, PassphraseKeyProvider } from '@holdfast/engine';
 * import { GcsObjectStore } from '@holdfast/storage-adapters/gcs';
 *
 * // Application Default Credentials; a repository under repos/ana/ in the bucket.
 * const store = new GcsObjectStore({ bucket: 'acme-backups', prefix: 'repos/ana' });
 * const repository = await Repository.open(store, { keyProvider: new PassphraseKeyProvider(passphrase) });
 * ```
 */
export class GcsObjectStore implements ObjectStore {
  /** `gcs:<bucket>/<prefix>`. */
  readonly name: string;
  /**
   * Ranged reads; `immutableWrites: false` (the adapter sets no retention or holds, and the engine must
   * rewrite and delete its locks: see `docs/storage/gcs.md`); `listPageSize` from the options.
   */
  readonly capabilities: ObjectStoreCapabilities;
  /** The bucket's name. */
  readonly bucketName: string;
  /** The name prefix, ending with `/` (or empty). */
  readonly prefix: string;
  readonly #bucket: GcsBucketHandle;
  readonly #resumableThreshold: number;
  readonly #chunkSize: number;

  /** Throws `ValidationError` for options that cannot work (see {@link GcsObjectStoreOptions}). */
  constructor(options: GcsObjectStoreOptions) {
    const resolved = resolveGcsOptions(options);
    const listPageSize = options.listPageSize ?? MAX_LIST_PAGE;
    if (!Number.isSafeInteger(listPageSize) || listPageSize < 1 || listPageSize > MAX_LIST_PAGE) {
      throw new ValidationError(`GCS: listPageSize must be a whole number from 1 to ${MAX_LIST_PAGE}`);
    }
    this.#bucket = resolved.bucket;
    this.bucketName = resolved.bucketName;
    this.prefix = resolved.prefix;
    this.#resumableThreshold = resolved.resumableThreshold;
    this.#chunkSize = resolved.chunkSize;
    this.name = `gcs:${resolved.bucketName}/${resolved.prefix}`;
    this.capabilities = { rangedReads: true, immutableWrites: false, listPageSize };
  }

  /**
   * Uploads `body` under `key`: one multipart request below `resumableThreshold`, a resumable upload from
   * it (see `gcs-upload.ts`). The object appears whole when the upload completes, replacing the old one.
   * Rejects with `IntegrityError` when `options.size` differs from the body's size; errors of a body
   * stream propagate unchanged. Nothing is left under `key` when it rejects.
   */
  async put(key: string, body: Uint8Array | ByteStream, options: PutOptions = {}): Promise<void> {
    const what = `put of ${JSON.stringify(key)}`;
    const file = this.#file(key, what);
    await uploadObject(file, body, {
      what,
      contentType: 'application/octet-stream',
      size: options.size,
      resumableThreshold: this.#resumableThreshold,
      chunkSize: this.#chunkSize,
      signal: options.signal,
    });
  }

  /**
   * Streams the object or a range of it (`alt=media`, `Range: bytes=a-b`). Resolves once GCS answered, so
   * a missing key rejects with `NotFoundError` before any chunk. A range starting at or past the end (GCS:
   * `416`) and a length of 0 yield an empty stream for an existing object. A whole read is checked against
   * the object's CRC32C by the SDK (`IntegrityError` when it differs); ranged reads cannot be.
   */
  async get(key: string, options: GetOptions = {}): Promise<ByteStream> {
    const what = `get of ${JSON.stringify(key)}`;
    const range = checkRange(options.range, what);
    const file = this.#file(key, what);
    const { signal } = options;
    throwIfAborted(signal, what);
    if (range?.length === 0) {
      await this.head(key, options);
      return emptyStream();
    }
    const readOptions =
      range === undefined || (range.offset === 0 && range.length === undefined)
        ? {}
        : {
            start: range.offset,
            ...(range.length === undefined ? {} : { end: range.offset + range.length - 1 }),
          };
    return openReadStream(file.createReadStream(readOptions), what, signal);
  }

  /** `objects.get`: the size and update time; `NotFoundError` when missing. */
  async head(key: string, options: CallOptions = {}): Promise<ObjectInfo> {
    const what = `head of ${JSON.stringify(key)}`;
    const file = this.#file(key, what);
    try {
      const [metadata] = await raceAbort(() => file.getMetadata(), options.signal, what);
      return objectInfo(key, metadata, what);
    } catch (error) {
      throw gcsError(error, what, options.signal);
    }
  }

  /**
   * `objects.list` under `prefix`, `pageSize` names (at most 1000) per request, as iteration proceeds.
   * GCS lists in name order and is strongly consistent, so each key appears once.
   */
  async *list(prefix: string, options: ListOptions = {}): AsyncGenerator<ObjectInfo, void, undefined> {
    const what = `list of ${JSON.stringify(prefix)}`;
    const { signal } = options;
    throwIfAborted(signal, what);
    const requested = options.pageSize ?? this.capabilities.listPageSize;
    if (!Number.isSafeInteger(requested) || requested < 1) {
      throw new ValidationError(`GCS ${what}: pageSize must be a positive whole number, got ${String(requested)}`);
    }
    const maxResults = Math.min(requested, MAX_LIST_PAGE);
    const fullPrefix = this.prefix + prefix;
    let pageToken: string | undefined;
    do {
      let files: Awaited<ReturnType<GcsBucketHandle['getFiles']>>[0];
      let next: { readonly pageToken?: string } | null | undefined;
      try {
        [files, next] = await raceAbort(
          () =>
            this.#bucket.getFiles({
              prefix: fullPrefix,
              maxResults,
              autoPaginate: false,
              ...(pageToken === undefined ? {} : { pageToken }),
            }),
          signal,
          what,
        );
      } catch (error) {
        throw gcsError(error, what, signal);
      }
      for (const file of files) {
        if (!file.name.startsWith(fullPrefix)) continue;
        yield objectInfo(file.name.slice(this.prefix.length), file.metadata, what);
      }
      pageToken = next?.pageToken;
      throwIfAborted(signal, what);
    } while (pageToken !== undefined && pageToken !== '');
  }

  /** `objects.delete`; a missing key resolves. An object under retention or a hold: `ConflictError`. */
  async delete(key: string, options: CallOptions = {}): Promise<void> {
    const what = `delete of ${JSON.stringify(key)}`;
    const file = this.#file(key, what);
    try {
      await raceAbort(() => file.delete({ ignoreNotFound: true }), options.signal, what);
    } catch (error) {
      throw gcsError(error, what, options.signal);
    }
  }

  #file(key: string, what: string): GcsFileHandle {
    checkKey(key, this.prefix, what);
    return this.#bucket.file(this.prefix + key);
  }
}

/** A key the engine chose, as a GCS object name under `prefix`: `ValidationError` when GCS would refuse it. */
export function checkKey(key: string, prefix: string, what: string): void {
  if (typeof key !== 'string' || key === '') throw new ValidationError(`GCS ${what}: the key is empty`);
  if (/[\r\n]/.test(key)) throw new ValidationError(`GCS ${what}: object names cannot hold line breaks`);
  if (Buffer.byteLength(prefix + key) > MAX_OBJECT_NAME_BYTES) {
    throw new ValidationError(`GCS ${what}: the object name is longer than ${MAX_OBJECT_NAME_BYTES} bytes`);
  }
}

/** A range as the port defines it, checked; `ValidationError` for negative or fractional values. */
function checkRange(
  range: GetOptions['range'],
  what: string,
): { readonly offset: number; readonly length?: number | undefined } | undefined {
  if (range === undefined) return undefined;
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new ValidationError(`GCS ${what}: range offset must be a whole number ≥ 0, got ${String(offset)}`);
  }
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw new ValidationError(`GCS ${what}: range length must be a whole number ≥ 0, got ${String(length)}`);
  }
  return range;
}

function objectInfo(key: string, metadata: GcsObjectMetadata, what: string): ObjectInfo {
  const size = Number(metadata.size);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new PermanentError(`GCS ${what}: the object resource has no valid size (${String(metadata.size)})`);
  }
  const updated = metadata.updated === undefined ? undefined : new Date(metadata.updated);
  return {
    key,
    size,
    ...(updated === undefined || Number.isNaN(updated.getTime()) ? {} : { lastModified: updated }),
  };
}

async function* emptyStream(): AsyncGenerator<Uint8Array, void, undefined> {
  // Nothing: a range past the end, or of length 0.
}

/**
 * Waits for the answer to a read (the first chunk, the end, or an error) before returning the stream, so
 * a missing object rejects here. `416` (a range at or past the end) becomes an empty stream. The signal
 * destroys the download while it is read.
 */
async function openReadStream(stream: Readable, what: string, signal: AbortSignal | undefined): Promise<ByteStream> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  const onAbort = (): void => {
    stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const release = (): void => {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  };
  let first: IteratorResult<Uint8Array>;
  try {
    first = await iterator.next();
  } catch (error) {
    release();
    if (gcsStatusOf(error) === 416 && signal?.aborted !== true) return emptyStream();
    throw gcsError(error, what, signal);
  }
  if (first.done === true) {
    release();
    return emptyStream();
  }
  const head = first.value;
  return (async function* rest(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) return;
        yield next.value;
      }
    } catch (error) {
      throw gcsError(error, what, signal);
    } finally {
      release();
    }
  })();
}
