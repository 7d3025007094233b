/**
 * Index objects: which blobs each pack holds, so a repository opens without reading packs.
 *
 * Plaintext layout (then sealed whole): magic `HFI1`, pack count (u32 LE), the pack ids (32 bytes each),
 * then one 45-byte entry per blob: pack number u32, offset u32, sealed length u32, raw length u32,
 * type u8, id 32 bytes. Binary, not JSON: an index of a million blobs is 45 MB instead of ~200 MB.
 */
import { IntegrityError } from '../errors/index.ts';
import type { BlobLocation } from './blob-index.ts';
import { bytesToHex, hexToBytes } from './hex.ts';

const MAGIC = [0x48, 0x46, 0x49, 0x31];
const ENTRY_BYTES = 4 * 4 + 1 + 32;

export interface IndexEntry {
  readonly id: Uint8Array;
  readonly location: BlobLocation;
}

/**
 * Accumulates index entries already in their binary form (49 bytes each, not an object per blob), so a
 * run that stores millions of small blobs holds only bytes until it writes the index object.
 */
export class IndexBuilder {
  readonly #packs = new Map<string, number>();
  #entries = new Uint8Array(ENTRY_BYTES * 1024);
  #count = 0;

  /** Entries added since the builder was made. */
  get count(): number {
    return this.#count;
  }

  add(id: Uint8Array, location: BlobLocation): void {
    if ((this.#count + 1) * ENTRY_BYTES > this.#entries.length) {
      const grown = new Uint8Array(this.#entries.length * 2);
      grown.set(this.#entries);
      this.#entries = grown;
    }
    let pack = this.#packs.get(location.packId);
    if (pack === undefined) {
      pack = this.#packs.size;
      this.#packs.set(location.packId, pack);
    }
    const at = this.#count * ENTRY_BYTES;
    const view = new DataView(this.#entries.buffer, at, ENTRY_BYTES);
    view.setUint32(0, pack, true);
    view.setUint32(4, location.offset, true);
    view.setUint32(8, location.length, true);
    view.setUint32(12, location.rawLength, true);
    this.#entries[at + 16] = location.type === 'tree' ? 1 : 0;
    this.#entries.set(id, at + 17);
    this.#count++;
  }

  /** The index object's plaintext. */
  finish(): Uint8Array {
    const out = new Uint8Array(8 + this.#packs.size * 32 + this.#count * ENTRY_BYTES);
    const view = new DataView(out.buffer);
    out.set(MAGIC, 0);
    view.setUint32(4, this.#packs.size, true);
    for (const [pack, number] of this.#packs) out.set(hexToBytes(pack), 8 + number * 32);
    out.set(this.#entries.subarray(0, this.#count * ENTRY_BYTES), 8 + this.#packs.size * 32);
    return out;
  }
}

/** Encodes a list of entries (see {@link IndexBuilder} for the streaming form). */
export function encodeIndex(entries: readonly IndexEntry[]): Uint8Array {
  const packs = [...new Set(entries.map((entry) => entry.location.packId))];
  const packNumber = new Map(packs.map((pack, i) => [pack, i]));
  const out = new Uint8Array(8 + packs.length * 32 + entries.length * ENTRY_BYTES);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, packs.length, true);
  packs.forEach((pack, i) => {
    out.set(hexToBytes(pack), 8 + i * 32);
  });
  let at = 8 + packs.length * 32;
  for (const { id, location } of entries) {
    view.setUint32(at, packNumber.get(location.packId) ?? 0, true);
    view.setUint32(at + 4, location.offset, true);
    view.setUint32(at + 8, location.length, true);
    view.setUint32(at + 12, location.rawLength, true);
    out[at + 16] = location.type === 'tree' ? 1 : 0;
    out.set(id, at + 17);
    at += ENTRY_BYTES;
  }
  return out;
}

export function* decodeIndex(plain: Uint8Array): Generator<IndexEntry> {
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  if (plain.length < 8 || MAGIC.some((byte, i) => plain[i] !== byte)) {
    throw new IntegrityError('index object has no index header');
  }
  const packCount = view.getUint32(4, true);
  const start = 8 + packCount * 32;
  if (start > plain.length || (plain.length - start) % ENTRY_BYTES !== 0) {
    throw new IntegrityError('index object has a malformed length');
  }
  const packs: string[] = [];
  for (let i = 0; i < packCount; i++) packs.push(bytesToHex(plain.subarray(8 + i * 32, 8 + (i + 1) * 32)));
  for (let at = start; at < plain.length; at += ENTRY_BYTES) {
    const packId = packs[view.getUint32(at, true)];
    if (packId === undefined) throw new IntegrityError('index entry names a pack the index does not list');
    yield {
      id: plain.slice(at + 17, at + 49),
      location: {
        packId,
        offset: view.getUint32(at + 4, true),
        length: view.getUint32(at + 8, true),
        rawLength: view.getUint32(at + 12, true),
        type: plain[at + 16] === 1 ? 'tree' : 'data',
      },
    };
  }
}
