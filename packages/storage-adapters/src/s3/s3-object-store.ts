/**
 * An {@link ObjectStore} in an S3 bucket (or an S3-compatible service), under an optional key prefix.
 *
 * Design note: a put streams. Bodies up to one part (16 MiB by default) go up in one PutObject; larger
 * ones as a multipart upload, one part in memory at a time, completed only when every part landed (so
 * the object appears whole or not at all) and aborted on any failure (so nothing half-written is left,
 * and S3 bills no orphan parts). With Object Lock configured, every object is written with a retention
 * date, and `delete` of an object still under retention is refused with `ConflictError` so that prune
 * leaves it for a later run. The exception is the engine's lock objects (`locks/`), written without
 * retention: see {@link LOCKS}.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type CreateMultipartUploadCommandOutput,
  type GetObjectCommandOutput,
  type HeadObjectCommandOutput,
  type ListObjectsV2CommandOutput,
  type S3Client,
  type UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import {
  CanceledError,
  ConflictError,
  ThrottledError,
  ValidationError,
  type ByteStream,
  type CallOptions,
  type GetOptions,
  type ListOptions,
  type ObjectInfo,
  type ObjectStore,
  type ObjectStoreCapabilities,
  type PutOptions,
} from '@holdfast/engine';
import { s3Error } from './s3-errors.ts';
import { DEFAULT_PART_SIZE, s3ClientOf, validateS3Options, type S3StoreOptions } from './s3-options.ts';

/** Any command of the S3 client (the SDK's overloads do not survive a generic wrapper). */
type Command = object;

/**
 * The engine's repository locks: the one kind of object it rewrites and removes as a matter of course
 * (see the ObjectStore port), holding no backup data. Under retention a released lock could not be
 * removed: it would go on refusing every forget, prune and key rotation, and each of those would fail
 * when it released its own lock. So they are written without retention.
 */
const LOCKS = 'locks/';

export class S3ObjectStore implements ObjectStore {
  readonly name: string;
  readonly capabilities: ObjectStoreCapabilities;
  readonly #client: S3Client;
  readonly #options: S3StoreOptions;
  readonly #prefix: string;
  readonly #partSize: number;

  constructor(options: S3StoreOptions) {
    validateS3Options(options);
    this.#options = options;
    this.#client = s3ClientOf(options);
    const prefix = options.prefix ?? '';
    this.#prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.#partSize = options.partSize ?? DEFAULT_PART_SIZE;
    this.name = `s3://${options.bucket}/${this.#prefix}`;
    this.capabilities = { rangedReads: true, immutableWrites: options.objectLock !== undefined, listPageSize: 1000 };
  }

  async put(key: string, body: Uint8Array | ByteStream, options: PutOptions = {}): Promise<void> {
    const what = `put of ${JSON.stringify(key)}`;
    const { signal } = options;
    throwIfAborted(signal, what);
    if (body instanceof Uint8Array) {
      if (body.length <= this.#partSize) {
        await this.#putOne(key, body.slice(), signal, what);
        return;
      }
      await this.#putMultipart(key, slices(body, this.#partSize), signal, what);
      return;
    }
    const parts = partsOf(body, this.#partSize, signal, what);
    const first = await parts.next();
    const second = first.done === true ? first : await parts.next();
    if (second.done === true) {
      await this.#putOne(key, first.done === true ? new Uint8Array(0) : first.value, signal, what);
      return;
    }
    await this.#putMultipart(key, prepend([first.value, second.value], parts), signal, what);
  }

  async get(key: string, options: GetOptions = {}): Promise<ByteStream> {
    const what = `get of ${JSON.stringify(key)}`;
    const { signal, range } = options;
    throwIfAborted(signal, what);
    let header: string | undefined;
    if (range !== undefined) {
      const { offset, length } = range;
      if (
        !Number.isSafeInteger(offset) ||
        offset < 0 ||
        (length !== undefined && (!Number.isSafeInteger(length) || length < 0))
      ) {
        throw new ValidationError(`S3 ${what}: a range is whole, non-negative numbers, not ${JSON.stringify(range)}`);
      }
      if (length === 0) {
        await this.head(key, { signal }); // a missing key still rejects
        return empty();
      }
      header =
        length === undefined ? `bytes=${String(offset)}-` : `bytes=${String(offset)}-${String(offset + length - 1)}`;
    }
    try {
      const response = await this.#send<GetObjectCommandOutput>(
        new GetObjectCommand({
          Bucket: this.#options.bucket,
          Key: this.#key(key),
          ...(header === undefined ? {} : { Range: header }),
        }),
        signal,
      );
      return streamOf(response.Body as Readable | undefined, what, signal);
    } catch (error) {
      if (range !== undefined && isInvalidRange(error)) return empty(); // exists, but the range starts past its end
      throw s3Error(error, what, signal);
    }
  }

  async head(key: string, options: CallOptions = {}): Promise<ObjectInfo> {
    const what = `head of ${JSON.stringify(key)}`;
    throwIfAborted(options.signal, what);
    try {
      const response = await this.#send<HeadObjectCommandOutput>(
        new HeadObjectCommand({ Bucket: this.#options.bucket, Key: this.#key(key) }),
        options.signal,
      );
      return {
        key,
        size: response.ContentLength ?? 0,
        ...(response.LastModified === undefined ? {} : { lastModified: response.LastModified }),
      };
    } catch (error) {
      throw s3Error(error, what, options.signal);
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncGenerator<ObjectInfo, void, undefined> {
    const what = `list of ${JSON.stringify(prefix)}`;
    const { signal } = options;
    throwIfAborted(signal, what);
    const pageSize = Math.max(1, Math.min(options.pageSize ?? 1000, 1000));
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#send<ListObjectsV2CommandOutput>(
          new ListObjectsV2Command({
            Bucket: this.#options.bucket,
            Prefix: this.#key(prefix),
            MaxKeys: pageSize,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
          signal,
        );
      } catch (error) {
        throw s3Error(error, what, signal);
      }
      for (const object of page.Contents ?? []) {
        if (!object.Key?.startsWith(this.#prefix)) continue;
        yield {
          key: object.Key.slice(this.#prefix.length),
          size: object.Size ?? 0,
          ...(object.LastModified === undefined ? {} : { lastModified: object.LastModified }),
        };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async delete(key: string, options: CallOptions = {}): Promise<void> {
    const what = `delete of ${JSON.stringify(key)}`;
    const { signal } = options;
    throwIfAborted(signal, what);
    try {
      if (this.#options.objectLock !== undefined) {
        const head = await this.#send<HeadObjectCommandOutput>(
          new HeadObjectCommand({ Bucket: this.#options.bucket, Key: this.#key(key) }),
          signal,
        ).catch((error: unknown) => {
          const mapped = s3Error(error, what, signal);
          if (mapped.code === 'NOT_FOUND') return undefined;
          throw mapped;
        });
        if (head === undefined) return;
        const until = head.ObjectLockRetainUntilDate;
        if (until !== undefined && until.getTime() > Date.now()) {
          throw new ConflictError(`S3 ${what}: the object is locked (Object Lock) until ${until.toISOString()}`);
        }
        // Delete that version, not only hide it behind a delete marker: its retention is over.
        await this.#send(
          new DeleteObjectCommand({
            Bucket: this.#options.bucket,
            Key: this.#key(key),
            ...(head.VersionId === undefined ? {} : { VersionId: head.VersionId }),
          }),
          signal,
        ).catch((error: unknown) => {
          // Retention just ended by our clock but not by S3's (clock skew): S3 answers AccessDenied.
          // That is a locked object to leave for later, not an authorisation failure.
          if (until !== undefined && (error as { name?: unknown }).name === 'AccessDenied') {
            throw new ConflictError(`S3 ${what}: the object is still locked (Object Lock; clocks differ)`, {
              cause: error,
            });
          }
          throw error;
        });
        return;
      }
      await this.#send(new DeleteObjectCommand({ Bucket: this.#options.bucket, Key: this.#key(key) }), signal);
    } catch (error) {
      throw s3Error(error, what, signal);
    }
  }

  /**
   * Sends one step of a multipart upload, again when S3 throttles it or it fails transiently (up to 10
   * times, waiting Retry-After or a short doubling backoff): the step's body is in memory, so retrying it
   * costs one request, where failing would cost the whole upload.
   */
  async #sendPart<Output>(command: Command, signal: AbortSignal | undefined): Promise<Output> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#send<Output>(command, signal);
      } catch (error) {
        const mapped = s3Error(error, 'multipart upload step', signal);
        if ((mapped.code !== 'THROTTLED' && mapped.code !== 'TRANSIENT') || attempt >= 10) throw error;
        const retryAfter = mapped instanceof ThrottledError ? mapped.retryAfter : undefined;
        const wait = retryAfter ?? Math.min(5000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
        await new Promise((resolve) => setTimeout(resolve, wait));
        throwIfAborted(signal, 'multipart upload');
      }
    }
  }

  #key(key: string): string {
    return `${this.#prefix}${key}`;
  }

  async #send<Output>(command: Command, signal: AbortSignal | undefined): Promise<Output> {
    // One call site for every command: the SDK's overloads do not survive a generic wrapper.
    const send = this.#client.send.bind(this.#client) as (
      c: Command,
      o: { abortSignal?: AbortSignal },
    ) => Promise<Output>;
    return send(command, signal === undefined ? {} : { abortSignal: signal });
  }

  /** What every write of `key` carries: encryption, storage class, Object Lock (not on lock objects). */
  #writeParams(key: string, body?: Uint8Array): Record<string, unknown> {
    const { serverSideEncryption, kmsKeyId, storageClass, objectLock } = this.#options;
    const retention = key.startsWith(LOCKS) ? undefined : objectLock;
    return {
      ...(serverSideEncryption === undefined ? {} : { ServerSideEncryption: serverSideEncryption }),
      ...(kmsKeyId === undefined ? {} : { SSEKMSKeyId: kmsKeyId }),
      ...(storageClass === undefined ? {} : { StorageClass: storageClass }),
      ...(retention === undefined
        ? {}
        : {
            ObjectLockMode: retention.mode,
            ObjectLockRetainUntilDate: new Date(Date.now() + retention.days * 86_400_000),
          }),
      // S3 requires an integrity check on writes to Object Lock buckets.
      ...(objectLock === undefined || body === undefined
        ? {}
        : { ContentMD5: createHash('md5').update(body).digest('base64') }),
    };
  }

  async #putOne(key: string, body: Uint8Array, signal: AbortSignal | undefined, what: string): Promise<void> {
    try {
      await this.#send(
        new PutObjectCommand({
          Bucket: this.#options.bucket,
          Key: this.#key(key),
          Body: body,
          ContentLength: body.length,
          ...this.#writeParams(key, body),
        }),
        signal,
      );
    } catch (error) {
      throw s3Error(error, what, signal);
    }
  }

  async #putMultipart(
    key: string,
    parts: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<void> {
    const { bucket, objectLock } = this.#options;
    const Key = this.#key(key);
    let uploadId: string | undefined;
    try {
      const created = await this.#send<CreateMultipartUploadCommandOutput>(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key, ...this.#writeParams(key) }),
        signal,
      );
      uploadId = created.UploadId;
      if (uploadId === undefined) throw new Error('CreateMultipartUpload returned no UploadId');
      const done: { ETag: string; PartNumber: number }[] = [];
      for await (const part of parts) {
        throwIfAborted(signal, what);
        const PartNumber = done.length + 1;
        // A part is in memory, so a throttled or failed part is sent again here, not the whole object.
        const uploaded = await this.#sendPart<UploadPartCommandOutput>(
          new UploadPartCommand({
            Bucket: bucket,
            Key,
            UploadId: uploadId,
            PartNumber,
            Body: part,
            ContentLength: part.length,
            ...(objectLock === undefined ? {} : { ContentMD5: createHash('md5').update(part).digest('base64') }),
          }),
          signal,
        );
        done.push({ ETag: uploaded.ETag ?? '', PartNumber });
      }
      throwIfAborted(signal, what);
      await this.#sendPart(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: done },
        }),
        signal,
      );
    } catch (error) {
      if (uploadId !== undefined) {
        // Without the caller's signal: an aborted upload must still be cleaned up.
        await this.#send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId: uploadId }), undefined).catch(
          () => undefined,
        );
      }
      throw s3Error(error, what, signal);
    }
  }
}

function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw new CanceledError(`S3 ${what} was cancelled`, { cause: signal.reason });
}

function isInvalidRange(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'InvalidRange' || e?.Code === 'InvalidRange' || e?.$metadata?.httpStatusCode === 416;
}

function empty(): ByteStream {
  return {
    [Symbol.asyncIterator]: () => ({ next: async () => Promise.resolve({ done: true as const, value: undefined }) }),
  };
}

async function* streamOf(
  body: Readable | undefined,
  what: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  if (body === undefined) return;
  try {
    for await (const chunk of body) {
      const bytes = chunk as Uint8Array;
      yield new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  } catch (error) {
    throw s3Error(error, what, signal);
  } finally {
    body.destroy();
  }
}

function* slices(body: Uint8Array, size: number): Generator<Uint8Array> {
  for (let at = 0; at < body.length; at += size) yield body.slice(at, at + size);
}

/** The stream cut into parts of exactly `size` bytes (the last may be shorter), one in memory at a time. */
async function* partsOf(
  stream: ByteStream,
  size: number,
  signal: AbortSignal | undefined,
  what: string,
): AsyncGenerator<Uint8Array> {
  let part = new Uint8Array(size);
  let used = 0;
  for await (const chunk of stream) {
    throwIfAborted(signal, what);
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(size - used, chunk.length - at);
      part.set(chunk.subarray(at, at + take), used);
      used += take;
      at += take;
      if (used === size) {
        yield part;
        part = new Uint8Array(size);
        used = 0;
      }
    }
  }
  if (used > 0) yield part.subarray(0, used);
}

async function* prepend<T>(first: readonly T[], rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield* first;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
}
