/**
 * Fills one pack in memory as a list of sealed blobs (never concatenated: the store receives the parts
 * as a stream) and closes it with its sealed header and trailer. The pack's id is the SHA-256 of all of
 * its bytes, computed as parts are added.
 */
import { createHash, type Hash } from 'node:crypto';
import type { BlobType } from './blob-index.ts';
import { encodePackHeader, PACK_HEADER_AAD, type PackHeaderEntry } from './pack-format.ts';
import { seal } from '../crypto/index.ts';

export interface FinishedPack {
  readonly id: string;
  readonly parts: readonly Uint8Array[];
  readonly size: number;
  readonly entries: readonly (PackHeaderEntry & { readonly offset: number })[];
}

export class PackWriter {
  readonly #parts: Uint8Array[] = [];
  readonly #entries: (PackHeaderEntry & { offset: number })[] = [];
  readonly #hash: Hash = createHash('sha256');
  #size = 0;

  /** Bytes of blobs added so far. */
  get size(): number {
    return this.#size;
  }

  get count(): number {
    return this.#entries.length;
  }

  /** Appends a sealed blob; returns its offset in the pack. */
  add(type: BlobType, id: Uint8Array, sealed: Uint8Array, rawLength: number): number {
    const offset = this.#size;
    this.#parts.push(sealed);
    this.#hash.update(sealed);
    this.#entries.push({ type, id, length: sealed.length, rawLength, offset });
    this.#size += sealed.length;
    return offset;
  }

  /** Seals the header and returns the whole pack. The writer must not be used afterwards. */
  finish(encryptionKey: Uint8Array): FinishedPack {
    const header = seal(encryptionKey, encodePackHeader(this.#entries), PACK_HEADER_AAD);
    const trailer = new Uint8Array(4);
    new DataView(trailer.buffer).setUint32(0, header.length, true);
    this.#hash.update(header);
    this.#hash.update(trailer);
    this.#parts.push(header, trailer);
    return {
      id: this.#hash.digest('hex'),
      parts: this.#parts,
      size: this.#size + header.length + trailer.length,
      entries: this.#entries,
    };
  }
}
