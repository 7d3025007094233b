/**
 * Fills one pack in memory and closes it with its sealed header and trailer.
 *
 * Design note: a pack of tiny blobs holds tens of thousands of them, so nothing here costs an object per
 * blob: sealed blobs are copied into one growing buffer, their header entries are written straight into
 * the header's binary form, and the ids are kept in an {@link IdSet} for dedup while the pack is in
 * flight. The pack's id is the SHA-256 of all of its bytes.
 */
import { createHash } from 'node:crypto';
import { seal } from '../crypto/index.ts';
import type { BlobType } from './blob-index.ts';
import { IdSet } from './id-set.ts';
import { decodePackHeader, PACK_HEADER_AAD, type PackBlob } from './pack-format.ts';

const ENTRY_BYTES = 1 + 32 + 4 + 4;
const SEGMENT_BYTES = 1024 * 1024;

export interface FinishedPack {
  readonly id: string;
  readonly parts: readonly Uint8Array[];
  readonly size: number;
  /** The blobs of the pack, with offsets. */
  entries(): PackBlob[];
}

export class PackWriter {
  /** Sealed blobs, packed into segments of at least 1 MiB (no reallocation, little slack). */
  readonly #segments: Uint8Array<ArrayBuffer>[] = [];
  #segmentUsed = 0;
  #header = new Uint8Array(ENTRY_BYTES * 64);
  #size = 0;
  #count = 0;
  /** Ids of the blobs in this pack. */
  readonly ids = new IdSet();

  /** Bytes of blobs added so far. */
  get size(): number {
    return this.#size;
  }

  get count(): number {
    return this.#count;
  }

  /** Appends a sealed blob; returns its offset in the pack. */
  add(type: BlobType, id: Uint8Array, sealed: Uint8Array, rawLength: number): number {
    const offset = this.#size;
    let segment = this.#segments.at(-1);
    if (segment === undefined || segment.length - this.#segmentUsed < sealed.length) {
      const full = this.#segments.pop();
      if (full !== undefined) this.#segments.push(full.subarray(0, this.#segmentUsed));
      segment = new Uint8Array(Math.max(SEGMENT_BYTES, sealed.length));
      this.#segments.push(segment);
      this.#segmentUsed = 0;
    }
    segment.set(sealed, this.#segmentUsed);
    this.#segmentUsed += sealed.length;
    this.#size += sealed.length;
    this.#header = ensure(this.#header, (this.#count + 1) * ENTRY_BYTES);
    const at = this.#count * ENTRY_BYTES;
    const view = new DataView(this.#header.buffer, at, ENTRY_BYTES);
    this.#header[at] = type === 'tree' ? 1 : 0;
    this.#header.set(id, at + 1);
    view.setUint32(33, sealed.length, true);
    view.setUint32(37, rawLength, true);
    this.#count++;
    this.ids.add(id);
    return offset;
  }

  /** Seals the header and returns the whole pack. The writer must not be used afterwards. */
  finish(encryptionKey: Uint8Array): FinishedPack {
    const plainHeader = this.#header.subarray(0, this.#count * ENTRY_BYTES);
    const header = seal(encryptionKey, plainHeader, PACK_HEADER_AAD);
    const trailer = new Uint8Array(4);
    new DataView(trailer.buffer).setUint32(0, header.length, true);
    const data = this.#segments.map((segment, i) =>
      i === this.#segments.length - 1 ? segment.subarray(0, this.#segmentUsed) : segment,
    );
    const parts = [...data, header, trailer];
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part);
    const id = hash.digest('hex');
    return {
      id,
      parts,
      size: this.#size + header.length + trailer.length,
      entries: () => decodePackHeader(plainHeader),
    };
  }
}

function ensure(buffer: Uint8Array<ArrayBuffer>, needed: number): Uint8Array<ArrayBuffer> {
  if (needed <= buffer.length) return buffer;
  let size = buffer.length;
  while (size < needed) size *= 2;
  const grown = new Uint8Array(size);
  grown.set(buffer);
  return grown;
}
