/**
 * Uploads one block blob from bytes or a stream, atomically, without holding the whole object in memory.
 *
 * The body is cut into blocks of `blockSize` bytes as it arrives. If it fits in one block, the blob is
 * written by one Put Blob. Otherwise each block is staged (Put Block, up to `concurrency` at
 * once) and the blob is written by one Put Block List naming them in order. Either way the blob appears,
 * or is replaced, whole and at once: staged blocks are invisible until the commit (they are not listed,
 * and `get` still reads the old blob or none). A body that fails or a cancelled signal stops the upload
 * before the commit, so nothing changes; the staged blocks are left for Azure to discard (it does after
 * a week, or at the next write of that blob) because there is no call to drop them.
 *
 * Each block and each single upload carries its MD5 (`Content-MD5`), which Azure checks before storing.
 * Block ids are a random per-upload prefix and the block's index, so two uploads of one key never share
 * an id. They can still disturb each other: Azure discards a blob's uncommitted blocks when any write of
 * it commits, so of two concurrent staged uploads of one key the later commit fails (`InvalidBlockList`,
 * a `ConflictError`) and the earlier's object stays whole. Single-request uploads never fail this way.
 *
 * Memory: one block being filled, plus up to `concurrency` blocks being sent. Bytes of a stream are
 * copied into the block as they arrive (the caller may reuse its buffers); a `Uint8Array` body is sent
 * from the caller's buffer without a copy.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { BlobHTTPHeaders, BlobRequestConditions, BlockBlobClient } from '@azure/storage-blob';
import { IntegrityError, PermanentError, type ByteStream } from '@holdfast/engine';
import { azureBlobError, throwIfAborted } from './azure-blob-errors.ts';
import { MAX_BLOCK_SIZE, MAX_BLOCKS } from './azure-blob-options.ts';

/** Options of {@link uploadBlockBlob}. */
export interface UploadOptions {
  /** Names the call in error messages (`put of key "config"`). */
  readonly what: string;
  /** Bytes per block; raised when `size` would need more than 50,000 blocks. */
  readonly blockSize: number;
  /** Blocks sent at once. */
  readonly concurrency: number;
  readonly signal?: AbortSignal | undefined;
  /** The body's size, when known: checked (`IntegrityError` before the commit when it differs). */
  readonly size?: number | undefined;
  /** Conditions of the final write (e.g. `ifNoneMatch: '*'`: only if the blob does not exist). */
  readonly conditions?: BlobRequestConditions | undefined;
  /** Properties of the blob written (content type, disposition). */
  readonly headers?: BlobHTTPHeaders | undefined;
}

/**
 * Writes `body` to `blob` (see the module note) and resolves with the bytes written. Rejects with the
 * translated Azure error, `CanceledError` when `signal` aborts, `IntegrityError` when `size` was wrong, or
 * the body's own error unchanged when the body fails. Nothing is written when it rejects.
 */
export async function uploadBlockBlob(
  blob: BlockBlobClient,
  body: Uint8Array | ByteStream,
  options: UploadOptions,
): Promise<number> {
  const { what, signal } = options;
  throwIfAborted(signal, what);
  const blockSize = blockSizeFor(options.blockSize, options.size);
  if (body instanceof Uint8Array) {
    checkSize(body.length, options);
    if (body.length <= blockSize) {
      await uploadWhole(blob, body, options);
      return body.length;
    }
  }
  const stager = new BlockStager(blob, options);
  try {
    let size = 0;
    if (body instanceof Uint8Array) {
      for (let offset = 0; offset < body.length; offset += blockSize) {
        await stager.stage(body.subarray(offset, offset + blockSize));
      }
      size = body.length;
    } else {
      const block = new BlockBuffer(blockSize);
      for await (const chunk of body) {
        throwIfAborted(signal, what);
        size += chunk.length;
        if (options.size !== undefined && size > options.size) checkSize(size, options);
        for (let from = 0; from < chunk.length;) {
          // A full block is staged only once more bytes follow: a body of exactly one block is one Put Blob.
          if (block.full) await stager.stage(block.take());
          from += block.append(chunk, from);
        }
      }
      throwIfAborted(signal, what);
      checkSize(size, options);
      if (stager.staged === 0) {
        await uploadWhole(blob, block.take(), options);
        return size;
      }
      if (block.length > 0) await stager.stage(block.take());
    }
    await stager.commit();
    return size;
  } catch (error) {
    await stager.abandon();
    throw error;
  }
}

/** `blockSize`, raised so `size` bytes fit in 50,000 blocks (whole MiB, at most 4000 MiB). */
function blockSizeFor(blockSize: number, size: number | undefined): number {
  if (size === undefined || size <= blockSize * MAX_BLOCKS) return blockSize;
  const mib = 1024 * 1024;
  return Math.min(MAX_BLOCK_SIZE, Math.ceil(size / MAX_BLOCKS / mib) * mib);
}

/** Throws `IntegrityError` when the caller announced a size and the body has (or already exceeds) another. */
function checkSize(size: number, options: UploadOptions): void {
  if (options.size !== undefined && options.size !== size) {
    throw new IntegrityError(`Azure Blob ${options.what}: the body has ${size} bytes, not ${options.size}`);
  }
}

/** The MD5 of `bytes`, which Azure checks against what it received. */
function md5(bytes: Uint8Array): Uint8Array {
  return createHash('md5').update(bytes).digest();
}

/** One Put Blob of `bytes`. */
async function uploadWhole(blob: BlockBlobClient, bytes: Uint8Array, options: UploadOptions): Promise<void> {
  try {
    await blob.upload(bytes, bytes.length, {
      transactionalContentMD5: md5(bytes),
      ...(options.signal === undefined ? {} : { abortSignal: options.signal }),
      ...(options.conditions === undefined ? {} : { conditions: options.conditions }),
      ...(options.headers === undefined ? {} : { blobHTTPHeaders: options.headers }),
    });
  } catch (error) {
    throw azureBlobError(error, options.what, options.signal);
  }
}

/**
 * Collects a stream's bytes into one block. The first block grows from 64 KiB as bytes arrive (a small
 * object never allocates a whole block); once a block filled, the next ones are allocated whole.
 */
class BlockBuffer {
  readonly #capacity: number;
  #bytes: Uint8Array;
  #length = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#bytes = new Uint8Array(Math.min(capacity, 64 * 1024));
  }

  /** Bytes collected so far. */
  get length(): number {
    return this.#length;
  }

  /** Whether the block holds `capacity` bytes. */
  get full(): boolean {
    return this.#length === this.#capacity;
  }

  /** Copies bytes of `chunk` from `from` into the block, as many as fit; returns how many. */
  append(chunk: Uint8Array, from: number): number {
    const count = Math.min(this.#capacity - this.#length, chunk.length - from);
    const needed = this.#length + count;
    if (needed > this.#bytes.length) {
      const grown = new Uint8Array(Math.min(this.#capacity, Math.max(needed, this.#bytes.length * 2)));
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
    }
    this.#bytes.set(chunk.subarray(from, from + count), this.#length);
    this.#length = needed;
    return count;
  }

  /** The bytes collected, handed over; the buffer starts a new block. */
  take(): Uint8Array {
    const block = this.#bytes.subarray(0, this.#length);
    const wasFull = this.full;
    this.#bytes = new Uint8Array(wasFull ? this.#capacity : 0);
    this.#length = 0;
    return block;
  }
}

/**
 * Stages the blocks of one upload, up to `concurrency` at once, and commits them. The first failure
 * aborts the blocks still in flight and is thrown by the next `stage` or `commit`.
 */
class BlockStager {
  readonly #blob: BlockBlobClient;
  readonly #options: UploadOptions;
  readonly #ids: string[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #controller = new AbortController();
  readonly #signal: AbortSignal;
  /** 32 hex digits, the same for every block of this upload. */
  readonly #idPrefix = randomUUID().replaceAll('-', '');
  #failure: Error | undefined;

  constructor(blob: BlockBlobClient, options: UploadOptions) {
    this.#blob = blob;
    this.#options = options;
    this.#signal =
      options.signal === undefined
        ? this.#controller.signal
        : AbortSignal.any([options.signal, this.#controller.signal]);
  }

  /** How many blocks were handed to {@link BlockStager.stage}. */
  get staged(): number {
    return this.#ids.length;
  }

  /** Starts staging `block`; resolves once fewer than `concurrency` blocks are in flight. */
  async stage(block: Uint8Array): Promise<void> {
    this.#throwIfFailed();
    if (this.#ids.length === MAX_BLOCKS) {
      throw new PermanentError(
        `Azure Blob ${this.#options.what}: the body needs more than ${MAX_BLOCKS} blocks of ${block.length} bytes; raise blockSize or pass the size`,
      );
    }
    // Block ids are base64 of equal length within a blob: 32 hex digits and a 6-digit index.
    const id = Buffer.from(`${this.#idPrefix}${this.#ids.length.toString().padStart(6, '0')}`).toString('base64');
    this.#ids.push(id);
    const task: Promise<void> = this.#blob
      .stageBlock(id, block, block.length, { abortSignal: this.#signal, transactionalContentMD5: md5(block) })
      .then(
        () => undefined,
        (error: unknown) => {
          this.#failure ??= azureBlobError(error, this.#options.what, this.#options.signal);
          this.#controller.abort();
        },
      )
      .finally(() => this.#inFlight.delete(task));
    this.#inFlight.add(task);
    while (this.#inFlight.size >= this.#options.concurrency) await Promise.race(this.#inFlight);
    this.#throwIfFailed();
  }

  /** Waits for the blocks in flight, then writes the blob from all blocks staged, in order. */
  async commit(): Promise<void> {
    await Promise.all(this.#inFlight);
    this.#throwIfFailed();
    throwIfAborted(this.#options.signal, this.#options.what);
    const { conditions, headers, signal, what } = this.#options;
    try {
      await this.#blob.commitBlockList(this.#ids, {
        ...(signal === undefined ? {} : { abortSignal: signal }),
        ...(conditions === undefined ? {} : { conditions }),
        ...(headers === undefined ? {} : { blobHTTPHeaders: headers }),
      });
    } catch (error) {
      throw azureBlobError(error, what, signal);
    }
  }

  /** Aborts the blocks in flight and waits until they settled. */
  async abandon(): Promise<void> {
    this.#controller.abort();
    await Promise.allSettled(this.#inFlight);
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
