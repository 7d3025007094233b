/**
 * The in-memory blob index: blob id → (pack, offset, length, raw length, type).
 *
 * Design note: a repository of a million items holds a million blobs, so the index must not cost a JS
 * object per blob. Entries live in parallel typed arrays (49 bytes each) and lookups go through an
 * open-addressing hash table of entry numbers keyed by the first four bytes of the id, which are uniformly
 * distributed because ids are keyed hashes. Pack ids are interned once each.
 */
import { bytesToHex, hexToBytes } from './hex.ts';

/** What a blob holds: file content or a tree (a folder listing). */
export type BlobType = 'data' | 'tree';

/** Where a blob lives. */
export interface BlobLocation {
  readonly type: BlobType;
  /** The pack's id (hex). */
  readonly packId: string;
  /** Offset of the sealed blob in the pack. */
  readonly offset: number;
  /** Length of the sealed blob. */
  readonly length: number;
  /** Length of the plaintext after decompression; 0 when the blob is stored uncompressed. */
  readonly rawLength: number;
}

const ID_BYTES = 32;
const EMPTY = -1;

export class BlobIndex {
  #ids = new Uint8Array(ID_BYTES * 1024);
  #pack: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  #offset = new Uint32Array(1024);
  #length = new Uint32Array(1024);
  #rawLength = new Uint32Array(1024);
  #type = new Uint8Array(1024);
  #count = 0;
  #table = new Int32Array(2048).fill(EMPTY);
  #packIds: string[] = [];
  #packNumbers = new Map<string, number>();

  /** Number of blobs indexed. */
  get size(): number {
    return this.#count;
  }

  /** The ids of every pack some blob lives in. */
  packIds(): readonly string[] {
    return this.#packIds;
  }

  /** Whether the blob is indexed. */
  has(id: Uint8Array): boolean {
    return this.#find(id) !== EMPTY;
  }

  /** Where the blob lives, or undefined. */
  get(id: Uint8Array): BlobLocation | undefined {
    const entry = this.#find(id);
    return entry === EMPTY ? undefined : this.#location(entry);
  }

  /** Adds a blob; a blob already indexed keeps its first location (any copy will do). */
  add(id: Uint8Array, location: BlobLocation): void {
    if (id.length !== ID_BYTES) throw new RangeError('blob ids are 32 bytes');
    if (this.#find(id) !== EMPTY) return;
    if (this.#count === this.#pack.length) this.#grow();
    if ((this.#count + 1) * 2 > this.#table.length) this.#rehash(this.#table.length * 2);
    const entry = this.#count++;
    this.#ids.set(id, entry * ID_BYTES);
    this.#pack[entry] = this.#internPack(location.packId);
    this.#offset[entry] = location.offset;
    this.#length[entry] = location.length;
    this.#rawLength[entry] = location.rawLength;
    this.#type[entry] = location.type === 'tree' ? 1 : 0;
    this.#insert(entry);
  }

  /** Every entry, in insertion order. */
  *entries(): IterableIterator<{ readonly id: Uint8Array; readonly location: BlobLocation }> {
    for (let entry = 0; entry < this.#count; entry++) {
      yield { id: this.#ids.slice(entry * ID_BYTES, (entry + 1) * ID_BYTES), location: this.#location(entry) };
    }
  }

  /** The blob ids of one hex id string (convenience for callers holding hex). */
  static idFromHex(hex: string): Uint8Array {
    return hexToBytes(hex);
  }

  /** Hex of an id. */
  static idToHex(id: Uint8Array): string {
    return bytesToHex(id);
  }

  #location(entry: number): BlobLocation {
    return {
      type: this.#type[entry] === 1 ? 'tree' : 'data',
      packId: this.#packIds[this.#pack[entry] ?? 0] ?? '',
      offset: this.#offset[entry] ?? 0,
      length: this.#length[entry] ?? 0,
      rawLength: this.#rawLength[entry] ?? 0,
    };
  }

  #internPack(packId: string): number {
    let number = this.#packNumbers.get(packId);
    if (number === undefined) {
      number = this.#packIds.length;
      this.#packIds.push(packId);
      this.#packNumbers.set(packId, number);
    }
    return number;
  }

  #slot(id: Uint8Array, at = 0): number {
    return (((id[at] ?? 0) << 24) | ((id[at + 1] ?? 0) << 16) | ((id[at + 2] ?? 0) << 8) | (id[at + 3] ?? 0)) >>> 0;
  }

  #find(id: Uint8Array): number {
    const mask = this.#table.length - 1;
    let slot = this.#slot(id) & mask;
    for (;;) {
      const entry = this.#table[slot] ?? EMPTY;
      if (entry === EMPTY) return EMPTY;
      if (this.#sameId(entry, id)) return entry;
      slot = (slot + 1) & mask;
    }
  }

  #sameId(entry: number, id: Uint8Array): boolean {
    const base = entry * ID_BYTES;
    const ids = this.#ids;
    for (let i = 0; i < ID_BYTES; i++) if (ids[base + i] !== id[i]) return false;
    return true;
  }

  #insert(entry: number): void {
    const mask = this.#table.length - 1;
    let slot = this.#slot(this.#ids, entry * ID_BYTES) & mask;
    while (this.#table[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.#table[slot] = entry;
  }

  #rehash(size: number): void {
    this.#table = new Int32Array(size).fill(EMPTY);
    for (let entry = 0; entry < this.#count; entry++) this.#insert(entry);
  }

  #grow(): void {
    const capacity = this.#pack.length * 2;
    const ids = new Uint8Array(capacity * ID_BYTES);
    ids.set(this.#ids);
    this.#ids = ids;
    this.#pack = grown(this.#pack, capacity);
    this.#offset = grown(this.#offset, capacity);
    this.#length = grown(this.#length, capacity);
    this.#rawLength = grown(this.#rawLength, capacity);
    const type = new Uint8Array(capacity);
    type.set(this.#type);
    this.#type = type;
  }
}

function grown(array: Uint32Array, capacity: number): Uint32Array<ArrayBuffer> {
  const next = new Uint32Array(capacity);
  next.set(array);
  return next;
}
