/**
 * Saves blobs: dedup against the index, compress where it helps, seal, pack, upload.
 *
 * Design note: the hot path of a backup. Callers (several files at once) hand in plaintext chunks; a blob
 * already in the index or already queued in this run is skipped, so content is stored once however many
 * files hold it. Compression of large blobs runs in libuv's threadpool (zstd in node:zlib) while the main
 * thread chunks and hashes the next ones. Data and tree blobs go to separate packs, so reading every tree
 * (check, ls, diff) never reads file content. At most `uploadConcurrency` packs upload at once; a caller
 * that fills a pack beyond that waits, and every other save with it, which bounds memory at about
 * (uploadConcurrency + 3) × packSize: the open data and tree packs, one pack closing, the uploads.
 * A blob enters the index only once its pack is durable; an index object is written after its packs.
 */
import { compressIfSmaller, compressIfSmallerSync, seal } from '../crypto/index.ts';
import type { ObjectStore } from '../ports/index.ts';
import type { BlobIndex } from './blob-index.ts';
import { type BlobType } from './blob-index.ts';
import { IdSet } from './id-set.ts';
import { IndexBuilder } from './index-format.ts';
import { objectKey } from './layout.ts';
import { blobAad } from './pack-format.ts';
import { PackWriter, type FinishedPack } from './pack-writer.ts';
import { storageId, type RepositoryCrypto } from './repository-crypto.ts';
import { retrying } from './retry.ts';

/** Blobs at least this large are compressed off the main thread. */
const ASYNC_COMPRESSION_THRESHOLD = 64 * 1024;

/**
 * Blobs smaller than this are stored uncompressed. Each zstd call in node:zlib builds a stream object and a
 * native context; measured on a backup of 300,000 files of 64–512 bytes, compressing them took 14 of 38
 * seconds, for a few hundred bytes saved per blob.
 */
const MINIMUM_COMPRESSED_SIZE = 1024;

/** An index object is written after this many packs, not only at the end of a run. */
const INDEX_EVERY_PACKS = 64;

/** …or after this many blobs (small items fill a pack with tens of thousands), bounding memory. */
const INDEX_EVERY_BLOBS = 100_000;

export interface BlobWriterOptions {
  readonly packSize: number;
  readonly compressionLevel: number;
  readonly uploadConcurrency?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What saving one blob did. */
export interface SavedBlob {
  readonly id: Uint8Array;
  /** False when the blob was already stored (deduplicated). */
  readonly added: boolean;
  /** Bytes written to the store for it (sealed, after compression); 0 when deduplicated. */
  readonly storedBytes: number;
}

export class BlobWriter {
  readonly #store: ObjectStore;
  readonly #crypto: RepositoryCrypto;
  readonly #index: BlobIndex;
  readonly #options: BlobWriterOptions;
  /** Packs filled or uploading: their blobs are not in the index yet. */
  readonly #inFlight = new Set<PackWriter>();
  readonly #packs: Record<BlobType, PackWriter> = { data: new PackWriter(), tree: new PackWriter() };
  readonly #uploads = new Set<Promise<void>>();
  #unsaved = new IndexBuilder();
  /** Ids being compressed and sealed, not yet in a pack. Cleared whenever nothing is being prepared. */
  #reserved = new IdSet();
  #preparing = 0;
  #failure: unknown;
  #packsWritten = 0;
  #packsSinceIndex = 0;
  #bytesWritten = 0;
  #indexObjectsWritten = 0;
  /** The last pack rotation: rotations run in order. */
  #rotations: Promise<void> = Promise.resolve();
  /** Set while a full pack is closing or waits for an upload slot: every save waits for it, bounding memory. */
  #backpressure: Promise<void> | undefined;

  constructor(store: ObjectStore, crypto: RepositoryCrypto, index: BlobIndex, options: BlobWriterOptions) {
    this.#store = store;
    this.#crypto = crypto;
    this.#index = index;
    this.#options = options;
  }

  /** Packs written so far. */
  get packsWritten(): number {
    return this.#packsWritten;
  }

  /** Index objects written so far. */
  get indexObjectsWritten(): number {
    return this.#indexObjectsWritten;
  }

  /** Bytes of packs and index objects written so far. */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** Whether a blob is stored or queued. */
  has(id: Uint8Array): boolean {
    return this.#index.has(id) || this.#isInFlight(id);
  }

  /** Saves a blob unless it exists; resolves once it is queued in a pack (not yet durable: see {@link flush}). */
  async save(type: BlobType, plaintext: Uint8Array, knownId?: Uint8Array): Promise<SavedBlob> {
    while (this.#backpressure !== undefined) await this.#backpressure;
    this.#throwIfFailed();
    const id = knownId ?? this.#crypto.blobId(plaintext);
    if (this.has(id)) return { id, added: false, storedBytes: 0 };
    // Reserve the id before the first await so a concurrent save of the same content is deduplicated.
    this.#reserved.add(id);
    this.#preparing++;
    let sealed: Uint8Array;
    try {
      const compressed = await this.#compress(plaintext);
      sealed = seal(this.#crypto.encryptionKey, compressed ?? plaintext, blobAad(type, id));
      this.#throwIfFailed();
      this.#packs[type].add(type, id, sealed, compressed === undefined ? 0 : plaintext.length);
    } finally {
      if (--this.#preparing === 0 && this.#reserved.size > 0) this.#reserved = new IdSet();
    }
    const pack = this.#packs[type];
    if (pack.size >= this.#options.packSize) {
      await this.#rotate(type);
      // A long run indexes as it goes, so a crash loses the references to few packs.
      if (this.#packsSinceIndex >= INDEX_EVERY_PACKS || this.#unsaved.count >= INDEX_EVERY_BLOBS)
        await this.#saveIndexEntries(this.#options.signal);
    }
    return { id, added: true, storedBytes: sealed.length };
  }

  /** Uploads every open pack and waits for all uploads: afterwards every saved blob is durable. */
  async flush(): Promise<void> {
    for (const type of ['data', 'tree'] as const) {
      if (this.#packs[type].count > 0) await this.#rotate(type);
    }
    await Promise.allSettled([...this.#uploads]);
    this.#throwIfFailed();
  }

  /**
   * Flushes, then writes one index object for the blobs stored since the last call (nothing when there
   * are none). Returns the index object's id.
   */
  async writeIndex(): Promise<string | undefined> {
    await this.flush();
    return this.#saveIndexEntries(this.#options.signal);
  }

  /**
   * After a failure or cancellation: waits for uploads under way, then indexes the packs that are durable,
   * ignoring the run's signal, so the next run reuses them. Open packs are dropped.
   */
  async writeDurableIndex(): Promise<void> {
    await Promise.allSettled([...this.#uploads]);
    await this.#saveIndexEntries(undefined);
  }

  async #saveIndexEntries(signal: AbortSignal | undefined): Promise<string | undefined> {
    if (this.#unsaved.count === 0) return undefined;
    const entries = this.#unsaved;
    this.#unsaved = new IndexBuilder();
    this.#packsSinceIndex = 0;
    const sealed = this.#crypto.sealBytes('index', entries.finish());
    const id = storageId(sealed);
    await retrying(() => this.#store.put(objectKey('index', id), sealed, { signal }), { signal });
    this.#bytesWritten += sealed.length;
    this.#indexObjectsWritten++;
    return id;
  }

  /** Blobs durable in packs but not yet in an index object. */
  get unindexedCount(): number {
    return this.#unsaved.count;
  }

  async #compress(plaintext: Uint8Array): Promise<Uint8Array | undefined> {
    const level = this.#options.compressionLevel;
    if (level <= 0 || plaintext.length < MINIMUM_COMPRESSED_SIZE) return undefined;
    if (plaintext.length >= ASYNC_COMPRESSION_THRESHOLD) return compressIfSmaller(plaintext, { level });
    return compressIfSmallerSync(plaintext, { level });
  }

  #isInFlight(id: Uint8Array): boolean {
    if (this.#reserved.has(id) || this.#packs.data.ids.has(id) || this.#packs.tree.ids.has(id)) return true;
    for (const pack of this.#inFlight) if (pack.ids.has(id)) return true;
    return false;
  }

  async #rotate(type: BlobType): Promise<void> {
    const writer = this.#packs[type];
    // Swap the pack out before the first await, so no concurrent save adds to a pack being closed.
    this.#packs[type] = new PackWriter();
    this.#inFlight.add(writer);
    // Rotations run one at a time, in order; while one waits for an upload slot, every save waits too, so
    // memory holds at most the open packs, one closing pack and the uploads.
    const turn = this.#rotations.then(async () => {
      this.#throwIfFailed();
      const finished = writer.finish(this.#crypto.encryptionKey);
      while (this.#uploads.size >= (this.#options.uploadConcurrency ?? 2)) await Promise.race(this.#uploads);
      this.#throwIfFailed();
      this.#startUpload(writer, finished);
    });
    const settled = turn.catch((error: unknown) => {
      this.#failure ??= error;
    });
    this.#rotations = settled;
    this.#backpressure = settled;
    try {
      await turn;
    } finally {
      if (this.#backpressure === settled) this.#backpressure = undefined;
    }
  }

  #startUpload(writer: PackWriter, finished: FinishedPack): void {
    const upload = this.#upload(finished).then(
      () => undefined,
      (error: unknown) => {
        this.#failure ??= error;
      },
    );
    this.#uploads.add(upload);
    void upload.finally(() => {
      this.#uploads.delete(upload);
      this.#inFlight.delete(writer);
    });
  }

  async #upload(pack: FinishedPack): Promise<void> {
    const signal = this.#options.signal;
    await retrying(
      () => this.#store.put(objectKey('data', pack.id), iterate(pack.parts), { size: pack.size, signal }),
      {
        signal,
      },
    );
    this.#packsWritten++;
    this.#packsSinceIndex++;
    this.#bytesWritten += pack.size;
    for (const entry of pack.entries()) {
      const location = {
        type: entry.type,
        packId: pack.id,
        offset: entry.offset,
        length: entry.length,
        rawLength: entry.rawLength,
      };
      this.#index.add(entry.id, location);
      this.#unsaved.add(entry.id, location);
    }
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw asError(this.#failure);
  }
}

function iterate(parts: readonly Uint8Array[]): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: () => {
      let next = 0;
      return {
        next: () =>
          Promise.resolve(
            next < parts.length
              ? { done: false, value: parts[next++] ?? new Uint8Array(0) }
              : { done: true, value: undefined },
          ),
      };
    },
  };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
