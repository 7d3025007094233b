/**
 * AzureBlobObjectStore: a repository in an Azure Blob Storage container, each key a block blob named
 * `<prefix><key>`.
 *
 * Invariants:
 * - Keys are safe relative paths (no empty, `.` or `..` segment, no leading or trailing `/`, no backslash
 *   or NUL; Azure would normalise such names in the URL) and do not end in `.`, which Azure advises
 *   against; prefix and key together fit Azure's 1024 characters.
 * - A put is atomic (one Put Blob, or staged blocks and one Put Block List: see `azure-blob-upload.ts`).
 *   Azure is strongly consistent: a blob is readable and listed as soon as the write returns.
 * - Reads are ranged on the service (`Range` header); a range starting at or past the end yields nothing.
 *   Azure answers it with 416 and Azurite with an empty 206; both become an empty stream.
 * - Listing pages with `maxresults` and the continuation marker; only committed blobs are listed, so a
 *   put in progress (or abandoned with staged blocks) never shows.
 * - The adapter never creates, deletes or configures containers, and sets no immutability policy.
 *
 * Requests: put = 1 (up to one block) or n + 1 (n blocks); get = 1 (a zero-length range: 1 HEAD);
 * head = 1; delete = 1; list = 1 per page of up to `listPageSize` keys.
 */
import type { BlobDownloadResponseParsed, ContainerClient } from '@azure/storage-blob';
import {
  assertSafeRelativePath,
  type ByteStream,
  type CallOptions,
  type GetOptions,
  type ListOptions,
  type ObjectInfo,
  type ObjectStore,
  type ObjectStoreCapabilities,
  PermanentError,
  type PutOptions,
  TransientError,
  ValidationError,
} from '@holdfast/engine';
import { azureBlobError, azureErrorCode, throwIfAborted } from './azure-blob-errors.ts';
import {
  type AzureBlobOptions,
  MAX_BLOB_NAME_LENGTH,
  resolveAzureBlobOptions,
  type ResolvedAzureBlobOptions,
} from './azure-blob-options.ts';
import { uploadBlockBlob } from './azure-blob-upload.ts';

/**
 * An {@link ObjectStore} in an Azure Blob Storage container. Nothing is sent until the first call; the
 * container must exist.
 *
 * @example
 * ```ts
 * const store = new AzureBlobObjectStore({
 *   container: 'backups',
 *   prefix: 'repos/alice/',
 *   credentials: { connectionString: process.env.AZURE_STORAGE_CONNECTION_STRING ?? '' },
 * });
 * const repository = await Repository.init(store, { keyProvider });
 * ```
 */
export class AzureBlobObjectStore implements ObjectStore {
  /** `azure-blob:<container URL>/<prefix>`, without any SAS. */
  readonly name: string;
  /**
   * Ranged reads; mutable objects (the adapter sets no immutability policy, and the engine's locks must be
   * rewritten and deleted: see the docs); `listPageSize` from the options (default 5000).
   */
  readonly capabilities: ObjectStoreCapabilities;
  /** The container's client (yours, or the one built from the credentials). */
  readonly containerClient: ContainerClient;
  /** `''` or the key prefix, ending in `/`. */
  readonly prefix: string;
  readonly #options: ResolvedAzureBlobOptions;

  /** Checks `options` (`ValidationError` for the first mistake) and builds the client. Sends nothing. */
  constructor(options: AzureBlobOptions) {
    this.#options = resolveAzureBlobOptions(options);
    this.containerClient = this.#options.client;
    this.prefix = this.#options.prefix;
    this.name = `azure-blob:${this.#options.containerUrl}/${this.prefix}`;
    this.capabilities = {
      rangedReads: true,
      immutableWrites: false,
      listPageSize: this.#options.listPageSize,
    };
  }

  /**
   * Stores `body` under `key` atomically: one Put Blob when it fits in one block, else staged blocks and
   * one Put Block List. Rejects with `ValidationError` for a key Azure cannot hold as given,
   * `CanceledError` when `signal` aborts, `IntegrityError` when `size` was given and the body differs,
   * `ConflictError` when an immutability policy protects the blob, the translated Azure error otherwise;
   * errors of `body` itself propagate unchanged. Nothing is written under `key` when it rejects.
   */
  async put(key: string, body: Uint8Array | ByteStream, options: PutOptions = {}): Promise<void> {
    const what = `put of key ${JSON.stringify(key)}`;
    const blob = this.containerClient.getBlockBlobClient(this.#blobName(key));
    await uploadBlockBlob(blob, body, {
      what,
      blockSize: this.#options.blockSize,
      concurrency: this.#options.uploadConcurrency,
      signal: options.signal,
      size: options.size,
    });
  }

  /**
   * Streams the blob at `key`, or `options.range` of it (clipped at the end; at or past the end: empty).
   * Rejects with `NotFoundError` before returning when the key does not exist and with `ValidationError`
   * for a negative or fractional range. Consume or `return()` the stream: it holds a connection until then.
   */
  async get(key: string, options: GetOptions = {}): Promise<ByteStream> {
    const what = `get of key ${JSON.stringify(key)}`;
    const blob = this.containerClient.getBlobClient(this.#blobName(key));
    const { offset, length } = checkRange(options.range, what);
    const { signal } = options;
    throwIfAborted(signal, what);
    const callOptions = signal === undefined ? {} : { abortSignal: signal };
    if (length === 0) {
      // An empty range needs no bytes, but a missing key must still reject: one HEAD.
      try {
        await blob.getProperties(callOptions);
      } catch (error) {
        throw azureBlobError(error, what, signal);
      }
      return emptyStream();
    }
    let response: BlobDownloadResponseParsed;
    try {
      response = await blob.download(offset, length, callOptions);
    } catch (error) {
      // 416: the range starts at or past the end of a blob that exists.
      if ((error as { statusCode?: unknown }).statusCode === 416 && signal?.aborted !== true) return emptyStream();
      throw azureBlobError(error, what, signal);
    }
    const body = response.readableStreamBody;
    if (body === undefined) return emptyStream();
    return streamOf(body, what, signal);
  }

  /** The blob's size and last-modified time (one HEAD); `NotFoundError` when `key` does not exist. */
  async head(key: string, options: CallOptions = {}): Promise<ObjectInfo> {
    const what = `head of key ${JSON.stringify(key)}`;
    const blob = this.containerClient.getBlobClient(this.#blobName(key));
    throwIfAborted(options.signal, what);
    try {
      const properties = await blob.getProperties(options.signal === undefined ? {} : { abortSignal: options.signal });
      return { key, size: properties.contentLength ?? 0, lastModified: properties.lastModified };
    } catch (error) {
      throw azureBlobError(error, what, options.signal);
    }
  }

  /**
   * Every object whose key starts with `prefix`, in key order, fetched `pageSize` keys (at most
   * `capabilities.listPageSize`) per List Blobs request as iteration proceeds.
   */
  async *list(prefix: string, options: ListOptions = {}): AsyncGenerator<ObjectInfo, void, undefined> {
    const what = `list of prefix ${JSON.stringify(prefix)}`;
    if (typeof prefix !== 'string' || prefix.includes('\0')) {
      throw new ValidationError(`${what}: not a key prefix`);
    }
    const { signal } = options;
    const cap = this.capabilities.listPageSize;
    const asked = options.pageSize;
    const pageSize =
      asked !== undefined && Number.isFinite(asked) && asked >= 1 ? Math.min(cap, Math.floor(asked)) : cap;
    throwIfAborted(signal, what);
    const pages = this.containerClient
      .listBlobsFlat({ prefix: this.prefix + prefix, ...(signal === undefined ? {} : { abortSignal: signal }) })
      .byPage({ maxPageSize: pageSize });
    const start = this.prefix.length;
    try {
      for await (const page of pages) {
        for (const item of page.segment.blobItems) {
          yield {
            key: item.name.slice(start),
            size: item.properties.contentLength ?? 0,
            lastModified: item.properties.lastModified,
          };
        }
        throwIfAborted(signal, what);
      }
    } catch (error) {
      throw azureBlobError(error, what, signal);
    }
  }

  /** Removes the blob at `key` and its snapshots (one Delete Blob); resolves when there is none. */
  async delete(key: string, options: CallOptions = {}): Promise<void> {
    const what = `delete of key ${JSON.stringify(key)}`;
    const blob = this.containerClient.getBlobClient(this.#blobName(key));
    throwIfAborted(options.signal, what);
    try {
      await blob.delete({
        deleteSnapshots: 'include',
        ...(options.signal === undefined ? {} : { abortSignal: options.signal }),
      });
    } catch (error) {
      const translated = azureBlobError(error, what, options.signal);
      // A missing blob is what delete wants; a missing container is a mistake worth reporting.
      if (translated.code === 'NOT_FOUND' && azureErrorCode(error) !== 'ContainerNotFound') return;
      throw translated;
    }
  }

  /** The blob name of `key`; `ValidationError` for a key Azure cannot hold as given. */
  #blobName(key: string): string {
    assertSafeRelativePath(key, 'key');
    if (key.endsWith('.')) throw new ValidationError(`key ${JSON.stringify(key)} ends with "." (Azure trims it)`);
    const name = this.prefix + key;
    if (name.length > MAX_BLOB_NAME_LENGTH) {
      throw new ValidationError(
        `key ${JSON.stringify(key)} is too long: Azure blob names have at most 1024 characters`,
      );
    }
    return name;
  }
}

/** Validates a range: whole numbers, offset ≥ 0, length ≥ 0. */
function checkRange(range: GetOptions['range'], what: string): { offset: number; length: number | undefined } {
  if (range === undefined) return { offset: 0, length: undefined };
  const { offset, length } = range;
  if (
    !Number.isSafeInteger(offset) ||
    offset < 0 ||
    (length !== undefined && (!Number.isSafeInteger(length) || length < 0))
  ) {
    throw new ValidationError(`${what}: invalid range ${JSON.stringify(range)}`);
  }
  return { offset, length };
}

/** A stream of nothing. */
async function* emptyStream(): AsyncGenerator<Uint8Array, void, undefined> {
  // Yields nothing.
}

/**
 * The response body as a byte stream. Errors while reading (a dropped connection after the SDK's own
 * resumptions, a cancellation) are translated; a consumer that stops early closes the connection.
 */
async function* streamOf(
  body: NodeJS.ReadableStream,
  what: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
      if (typeof chunk === 'string') throw new TypeError('the response body yielded text, not bytes');
      throwIfAborted(signal, what);
      yield chunk;
    }
  } catch (error) {
    const translated = azureBlobError(error, what, signal);
    // The SDK resumes a dropped download itself (5 times) and then fails with a plain Error: the
    // connection, not the request, is what failed, so a retry of the whole read may succeed.
    if (translated instanceof PermanentError && (error as { name?: unknown }).name !== 'RestError') {
      throw new TransientError(`Azure Blob ${what}: the download broke off`, { cause: error });
    }
    throw translated;
  } finally {
    (body as { destroy?: () => void }).destroy?.();
  }
}
