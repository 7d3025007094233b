/**
 * Streaming chunking: FastCDC 2020 over bytes that arrive as buffers of any size, with the same
 * boundaries as {@link cutPoints} over the concatenated input.
 *
 * The chunk in progress is the carried bytes followed by the current input buffer. The cut search
 * resumes across buffers (see `cut-finder.ts`), so every byte is hashed once, where it lies. Copying is
 * avoided where it can be (no quadratic re-copying of a growing tail, ever):
 *
 * - a chunk that lies wholly inside one input buffer is yielded as a view of it (no copy);
 * - the unfinished tail of a buffer is carried as a view when that pins little extra memory (at least
 *   16 KiB, and at least half of the buffer's backing store), so Node's 64 KiB stream reads are never
 *   copied twice; smaller or wasteful tails are copied into 16 KiB+ accumulators;
 * - a chunk that spans buffers is assembled once, into an array of exactly its size.
 *
 * Memory: fewer than `maxSize` bytes are carried. With the chunk being assembled, the peak is about
 * `2 × maxSize` plus the input buffer being read; contrived mixes of tiny and 16 KiB reads can make the
 * carried views and accumulators pin up to about three times the carried bytes.
 *
 * Assumption: callers never reuse or modify an input buffer after handing it over (Node streams and
 * `fs` reads allocate a fresh buffer per read), since yielded chunks and carried tails may be views.
 */
import { ValidationError } from '../errors/index.ts';
import type { ChunkerParams } from './chunker-params.ts';
import { CutFinder } from './cut-finder.ts';

/** Tails at least this long are carried as views; shorter ones are copied into accumulators. */
const viewThreshold = 16 * 1024;

/** An uninitialised array of `length` bytes (the caller fills every byte), as a plain Uint8Array. */
function allocate(length: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}

/** The push-driven core of {@link chunkStream}: feed buffers, then finish. */
class StreamChunker {
  readonly #params: ChunkerParams;
  readonly #finder: CutFinder;
  /** The carried bytes of the chunk in progress, in order. */
  #segments: Uint8Array[] = [];
  #carried = 0;
  /** The owned array behind the last segment, when it has room for more small tails. */
  #accumulator: Uint8Array | undefined;
  /** How many bytes of {@link StreamChunker.#accumulator} are written. */
  #accumulatorUsed = 0;

  constructor(params: ChunkerParams) {
    this.#params = params;
    this.#finder = new CutFinder(params);
  }

  /** Appends the chunks completed by `input` to `out`; the rest is carried to the next call. */
  push(input: Uint8Array, out: Uint8Array[]): void {
    const { minSize, maxSize } = this.#params;
    const finder = this.#finder;
    let position = 0;
    for (;;) {
      const carried = this.#carried;
      const available = carried + input.length - position;
      if (available <= minSize) break;
      const limit = finder.scanLimit(available);
      let length = carried > 0 ? this.#scanCarried(limit) : -1;
      if (length < 0) length = finder.scan(input, position - carried, limit);
      if (length < 0) {
        if (available < maxSize) break;
        length = maxSize;
      }
      finder.reset();
      if (carried === 0) {
        out.push(input.subarray(position, position + length));
        position += length;
      } else if (length >= carried) {
        const chunk = allocate(length);
        this.#takeCarried(chunk, carried);
        chunk.set(input.subarray(position, position + length - carried), carried);
        position += length - carried;
        out.push(chunk);
      } else {
        // The cut fell on the one carried byte that waited for its pair partner.
        const chunk = allocate(length);
        this.#takeCarried(chunk, length);
        out.push(chunk);
      }
    }
    this.#carry(input.subarray(position));
  }

  /** The last chunk, if any bytes are left. */
  finish(): Uint8Array | undefined {
    const carried = this.#carried;
    if (carried === 0) return undefined;
    const chunk = allocate(carried);
    this.#takeCarried(chunk, carried);
    this.#finder.reset();
    return chunk;
  }

  /**
   * Hashes the carried bytes not hashed yet, up to `limit`. That is at most the last carried byte (an
   * even byte waiting for its partner, see `cut-finder.ts`), so only the last segment is read.
   */
  #scanCarried(limit: number): number {
    const carried = this.#carried;
    const last = this.#segments.at(-1);
    if (last === undefined || this.#finder.next < carried - last.length) {
      throw new Error('chunkStream: carried bytes were left unhashed');
    }
    return this.#finder.scan(last, last.length - carried, Math.min(limit, carried));
  }

  /** Moves the first `length` carried bytes into `target`, from its start. */
  #takeCarried(target: Uint8Array, length: number): void {
    let copied = 0;
    while (copied < length) {
      const segment = this.#segments[0];
      if (segment === undefined) throw new Error('chunkStream carried fewer bytes than counted');
      const take = Math.min(segment.length, length - copied);
      target.set(take === segment.length ? segment : segment.subarray(0, take), copied);
      copied += take;
      if (take === segment.length) this.#segments.shift();
      else this.#segments[0] = segment.subarray(take);
    }
    this.#carried -= length;
    if (this.#segments.length === 0) this.#accumulator = undefined;
  }

  /** Carries `bytes` (the unfinished tail of an input buffer) to the next call. */
  #carry(bytes: Uint8Array): void {
    const length = bytes.length;
    if (length === 0) return;
    this.#carried += length;
    if (length >= viewThreshold && bytes.buffer.byteLength <= 2 * length) {
      this.#segments.push(bytes);
      this.#accumulator = undefined;
      return;
    }
    const accumulator = this.#accumulator;
    const used = this.#accumulatorUsed;
    const last = this.#segments.length - 1;
    const lastSegment = this.#segments[last];
    if (accumulator !== undefined && lastSegment !== undefined && accumulator.length - used >= length) {
      // The last segment is the written part of the accumulator, possibly minus a taken prefix.
      accumulator.set(bytes, used);
      this.#segments[last] = accumulator.subarray(lastSegment.byteOffset - accumulator.byteOffset, used + length);
      this.#accumulatorUsed = used + length;
      return;
    }
    const fresh = new Uint8Array(Math.max(length, viewThreshold));
    fresh.set(bytes);
    this.#accumulator = fresh;
    this.#accumulatorUsed = length;
    this.#segments.push(fresh.subarray(0, length));
  }
}

/**
 * Chunks a stream of buffers (any sizes, including empty ones) with FastCDC 2020. The chunks'
 * concatenation is the input, and their boundaries are identical to {@link cutPoints} over the whole
 * input. Empty input yields nothing.
 *
 * A chunk inside a single input buffer is a view of that buffer, so input buffers must not be reused or
 * modified after they are handed over. Memory: about `2 × maxSize` plus one input buffer (see the
 * module note for the worst case).
 *
 * @throws ValidationError when the input yields something other than a Uint8Array.
 * @example
 * ```ts
 * for await (const chunk of chunkStream(createReadStream(path), params)) {
 *   await storeBlob(chunk);
 * }
 * ```
 */
export async function* chunkStream(
  input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  params: ChunkerParams,
): AsyncGenerator<Uint8Array, void, undefined> {
  const chunker = new StreamChunker(params);
  const chunks: Uint8Array[] = [];
  for await (const buffer of input) {
    if (!(buffer instanceof Uint8Array)) {
      throw new ValidationError(`chunkStream expects Uint8Array input, got ${typeof buffer}`);
    }
    chunker.push(buffer, chunks);
    if (chunks.length > 0) {
      yield* chunks;
      chunks.length = 0;
    }
  }
  const last = chunker.finish();
  if (last !== undefined) yield last;
}
