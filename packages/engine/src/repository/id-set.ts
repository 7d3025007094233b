/**
 * A set of 32-byte blob ids in one typed array (open addressing on the id's first four bytes, which
 * are uniformly distributed). Cheaper than a `Set` of hex strings by an order of magnitude when a pack
 * of tiny blobs holds tens of thousands of them.
 */
const ID_BYTES = 32;

export class IdSet {
  #ids = new Uint8Array(ID_BYTES * 256);
  #table = new Int32Array(512).fill(-1);
  #count = 0;

  get size(): number {
    return this.#count;
  }

  has(id: Uint8Array): boolean {
    return this.#find(id) >= 0;
  }

  add(id: Uint8Array): void {
    if (this.#find(id) >= 0) return;
    if ((this.#count + 1) * ID_BYTES > this.#ids.length) {
      const grown = new Uint8Array(this.#ids.length * 2);
      grown.set(this.#ids);
      this.#ids = grown;
    }
    if ((this.#count + 1) * 2 > this.#table.length) {
      this.#table = new Int32Array(this.#table.length * 2).fill(-1);
      for (let entry = 0; entry < this.#count; entry++) this.#insert(entry);
    }
    this.#ids.set(id, this.#count * ID_BYTES);
    this.#insert(this.#count++);
  }

  #slot(bytes: Uint8Array, at: number): number {
    return (
      (((bytes[at] ?? 0) << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0)) >>>
      0
    );
  }

  #insert(entry: number): void {
    const mask = this.#table.length - 1;
    let slot = this.#slot(this.#ids, entry * ID_BYTES) & mask;
    while ((this.#table[slot] ?? -1) !== -1) slot = (slot + 1) & mask;
    this.#table[slot] = entry;
  }

  #find(id: Uint8Array): number {
    const mask = this.#table.length - 1;
    let slot = this.#slot(id, 0) & mask;
    for (;;) {
      const entry = this.#table[slot] ?? -1;
      if (entry === -1) return -1;
      const base = entry * ID_BYTES;
      let same = true;
      for (let i = 0; i < ID_BYTES; i++) {
        if (this.#ids[base + i] !== id[i]) {
          same = false;
          break;
        }
      }
      if (same) return entry;
      slot = (slot + 1) & mask;
    }
  }
}
