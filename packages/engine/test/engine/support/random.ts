/** A small seeded PRNG (mulberry32) so property tests are reproducible: a failure prints its seed. */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Random bytes (fast: fills 4 bytes per step). */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    const view = new DataView(out.buffer);
    let i = 0;
    for (; i + 4 <= length; i += 4) view.setUint32(i, Math.floor(this.next() * 4294967296));
    for (; i < length; i++) out[i] = this.int(0, 255);
    return out;
  }
}
