/**
 * A FIFO of bytes read from a body stream and not yet confirmed by GCS: the decision buffer of an upload
 * (up to `resumableThreshold`) and then the unsent and unconfirmed part of a resumable chunk. It keeps
 * copies, so a producer that reuses its buffers after yielding cannot change what is uploaded.
 */
export class ByteQueue {
  readonly #parts: Uint8Array[] = [];
  /** Bytes of `#parts[0]` already taken. */
  #skip = 0;
  #length = 0;

  /** Bytes queued. */
  get length(): number {
    return this.#length;
  }

  /** Queues a copy of `chunk`. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#parts.push(chunk.slice());
    this.#length += chunk.length;
  }

  /** The first `count` bytes, contiguous, without removing them. */
  peek(count: number): Uint8Array {
    if (count > this.#length) throw new RangeError(`peek(${count}) of ${this.#length} bytes`);
    const first = this.#parts[0];
    if (first !== undefined && first.length - this.#skip >= count) {
      return first.subarray(this.#skip, this.#skip + count);
    }
    const out = new Uint8Array(count);
    let at = 0;
    for (const [index, part] of this.#parts.entries()) {
      if (at >= count) break;
      const from = index === 0 ? this.#skip : 0;
      const take = Math.min(part.length - from, count - at);
      out.set(part.subarray(from, from + take), at);
      at += take;
    }
    return out;
  }

  /** Removes the first `count` bytes. */
  drop(count: number): void {
    if (count > this.#length) throw new RangeError(`drop(${count}) of ${this.#length} bytes`);
    this.#length -= count;
    let left = count;
    while (left > 0) {
      const first = this.#parts[0];
      if (first === undefined) break;
      const available = first.length - this.#skip;
      if (available > left) {
        this.#skip += left;
        return;
      }
      left -= available;
      this.#parts.shift();
      this.#skip = 0;
    }
  }
}
