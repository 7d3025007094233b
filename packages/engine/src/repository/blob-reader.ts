/**
 * Reads blobs back: one ranged get per blob, then decrypt (the AES-GCM tag authenticates the bytes and,
 * through the associated data, the blob's type and id), decompress, and recompute the keyed id. A blob
 * that fails any step throws `IntegrityError` naming the blob and its pack; nothing is ever returned
 * unverified.
 */
import { decompress, decompressSync, open } from '../crypto/index.ts';
import { IntegrityError, isHoldfastError, NotFoundError } from '../errors/index.ts';
import type { ObjectStore } from '../ports/index.ts';
import type { BlobIndex, BlobLocation, BlobType } from './blob-index.ts';
import { bytesToHex } from './hex.ts';
import { objectKey } from './layout.ts';
import { blobAad } from './pack-format.ts';
import type { RepositoryCrypto } from './repository-crypto.ts';
import { retrying } from './retry.ts';
import { readAll } from './streams.ts';

export interface ReadOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface BlobReaderOptions {
  /**
   * Read small blobs through windows of this many bytes of their pack, kept for later reads of the same
   * region: a restore of many small files, which lie next to each other in packs in the order a backup
   * wrote them, then costs one read per window instead of one per file. 0 (default) disables it.
   */
  readonly readAhead?: number | undefined;
  /** How many windows are kept: about as many as files read at once. Default 8. */
  readonly windowsKept?: number | undefined;
}

interface PackWindow {
  readonly packId: string;
  readonly offset: number;
  readonly bytes: Promise<Uint8Array>;
}

/** Blobs up to this size go through read-ahead windows; larger ones are read on their own. */
const WINDOWED_BLOB_LIMIT = 512 * 1024;
const WINDOWS_KEPT = 8;

export class BlobReader {
  readonly #store: ObjectStore;
  readonly #crypto: RepositoryCrypto;
  readonly #index: BlobIndex;
  readonly #windowsKept: number;
  readonly #readAhead: number;
  #windows: PackWindow[] = [];

  constructor(store: ObjectStore, crypto: RepositoryCrypto, index: BlobIndex, options: BlobReaderOptions = {}) {
    this.#store = store;
    this.#crypto = crypto;
    this.#index = index;
    this.#readAhead = options.readAhead ?? 0;
    this.#windowsKept = options.windowsKept ?? WINDOWS_KEPT;
  }

  /** Where a blob lives; `NotFoundError` when no index lists it. */
  locate(id: Uint8Array): BlobLocation {
    const location = this.#index.get(id);
    if (location === undefined) throw new NotFoundError(`blob ${bytesToHex(id).slice(0, 16)} is in no index`);
    return location;
  }

  /** Reads, decrypts and verifies one blob. */
  async read(id: Uint8Array, expectedType: BlobType, options: ReadOptions = {}): Promise<Uint8Array> {
    const location = this.locate(id);
    if (location.type !== expectedType) {
      throw new IntegrityError(`blob ${describe(id, location)} is a ${location.type} blob, expected ${expectedType}`);
    }
    const { signal } = options;
    let sealed: Uint8Array;
    try {
      sealed =
        this.#readAhead > 0 && location.length <= WINDOWED_BLOB_LIMIT
          ? await this.#windowed(location, signal)
          : await this.#range(location.packId, location.offset, location.length, signal);
    } catch (error) {
      if (isHoldfastError(error, 'NOT_FOUND')) {
        throw new IntegrityError(`pack ${location.packId.slice(0, 16)} of blob ${describe(id, location)} is missing`, {
          cause: error,
        });
      }
      throw error;
    }
    return this.decode(id, location, sealed);
  }

  async #range(packId: string, offset: number, length: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
    return retrying(
      async () => readAll(await this.#store.get(objectKey('data', packId), { range: { offset, length }, signal })),
      { signal },
    );
  }

  async #windowed(location: BlobLocation, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const { packId, offset, length } = location;
    for (const window of this.#windows) {
      if (window.packId !== packId || offset < window.offset) continue;
      const bytes = await window.bytes;
      if (offset + length <= window.offset + bytes.length) {
        return bytes.subarray(offset - window.offset, offset - window.offset + length);
      }
    }
    const bytes = this.#range(packId, offset, Math.max(length, this.#readAhead), signal);
    bytes.catch(() => undefined); // awaited below; a failed window is dropped
    const window: PackWindow = { packId, offset, bytes };
    this.#windows = [window, ...this.#windows.filter((w) => w.packId !== packId)].slice(0, this.#windowsKept);
    try {
      const all = await bytes;
      return all.subarray(0, length);
    } catch (error) {
      this.#windows = this.#windows.filter((w) => w !== window);
      throw error;
    }
  }

  /** Verifies and decodes a sealed blob already read (check --read-data reads whole packs). */
  async decode(id: Uint8Array, location: BlobLocation, sealed: Uint8Array): Promise<Uint8Array> {
    if (sealed.length !== location.length) {
      throw new IntegrityError(`blob ${describe(id, location)} is truncated`);
    }
    let plain: Uint8Array;
    try {
      plain = open(this.#crypto.encryptionKey, sealed, blobAad(location.type, id));
      if (location.rawLength > 0) {
        plain =
          location.rawLength >= 64 * 1024
            ? await decompress(plain, location.rawLength)
            : decompressSync(plain, location.rawLength);
      }
    } catch (error) {
      throw new IntegrityError(`blob ${describe(id, location)} is damaged`, { cause: error });
    }
    const actual = this.#crypto.blobId(plain);
    if (!equal(actual, id)) throw new IntegrityError(`blob ${describe(id, location)} does not match its id`);
    return plain;
  }
}

function describe(id: Uint8Array, location: BlobLocation): string {
  return `${bytesToHex(id).slice(0, 16)} (pack ${location.packId.slice(0, 16)})`;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
