/**
 * The in-memory blob index: blob id → (pack, offset, length, raw length, type).
 *
 * Design note: a repository of a million items holds a million blobs, so the index must not cost a JS
 * object per blob. Entries live in typed-array pages of 16,384 (49 bytes an entry: the id, four 32-bit
 * numbers and a type byte), added as the index grows, so growing never copies what is there and never
 * holds twice the memory. Lookups go through an open-addressing hash table of entry numbers keyed by the
 * first four bytes of the id, which are uniformly distributed because ids are keyed hashes. Pack ids are
 * interned once each.
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
const PAGE_BITS = 14;
const PAGE_ENTRIES = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_ENTRIES - 1;

/** One page of entries: ids, then (pack, offset, length, rawLength) per entry, then types. */
interface Page {
  readonly ids: Uint8Array;
  readonly numbers: Uint32Array;
  readonly types: Uint8Array;
}

function newPage(): Page {
  return {
    ids: new Uint8Array(PAGE_ENTRIES * ID_BYTES),
    numbers: new Uint32Array(PAGE_ENTRIES * 4),
    types: new Uint8Array(PAGE_ENTRIES),
  };
}

export class BlobIndex {
  readonly #pages: Page[] = [];
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
    if ((this.#count & PAGE_MASK) === 0) this.#pages.push(newPage());
    if ((this.#count + 1) * 2 > this.#table.length) this.#rehash(this.#table.length * 2);
    const entry = this.#count++;
    const page = this.#page(entry);
    const at = entry & PAGE_MASK;
    page.ids.set(id, at * ID_BYTES);
    page.numbers[at * 4] = this.#internPack(location.packId);
    page.numbers[at * 4 + 1] = location.offset;
    page.numbers[at * 4 + 2] = location.length;
    page.numbers[at * 4 + 3] = location.rawLength;
    page.types[at] = location.type === 'tree' ? 1 : 0;
    this.#insert(entry);
  }

  /** Every entry, in insertion order. */
  *entries(): IterableIterator<{ readonly id: Uint8Array; readonly location: BlobLocation }> {
    for (let entry = 0; entry < this.#count; entry++) {
      const at = (entry & PAGE_MASK) * ID_BYTES;
      yield { id: this.#page(entry).ids.slice(at, at + ID_BYTES), location: this.#location(entry) };
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

  #page(entry: number): Page {
    const page = this.#pages[entry >>> PAGE_BITS];
    if (page === undefined) throw new RangeError(`no blob index entry ${String(entry)}`);
    return page;
  }

  #location(entry: number): BlobLocation {
    const page = this.#page(entry);
    const at = (entry & PAGE_MASK) * 4;
    return {
      type: page.types[entry & PAGE_MASK] === 1 ? 'tree' : 'data',
      packId: this.#packIds[page.numbers[at] ?? 0] ?? '',
      offset: page.numbers[at + 1] ?? 0,
      length: page.numbers[at + 2] ?? 0,
      rawLength: page.numbers[at + 3] ?? 0,
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
    const base = (entry & PAGE_MASK) * ID_BYTES;
    const ids = this.#page(entry).ids;
    for (let i = 0; i < ID_BYTES; i++) if (ids[base + i] !== id[i]) return false;
    return true;
  }

  #insert(entry: number): void {
    const mask = this.#table.length - 1;
    let slot = this.#slot(this.#page(entry).ids, (entry & PAGE_MASK) * ID_BYTES) & mask;
    while (this.#table[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.#table[slot] = entry;
  }

  #rehash(size: number): void {
    this.#table = new Int32Array(size).fill(EMPTY);
    for (let entry = 0; entry < this.#count; entry++) this.#insert(entry);
  }
}
