/**
 * Whole-buffer chunking: FastCDC 2020 over bytes already in memory. These functions define the
 * boundaries; {@link chunkStream} must (and is tested to) draw the same ones over the same bytes.
 */
import { ValidationError } from '../errors/index.ts';
import type { ChunkerParams } from './chunker-params.ts';
import { CutFinder } from './cut-finder.ts';

/** One chunk of a buffer, as {@link cutPoints} reports it. */
export interface CutPoint {
  /** Where the chunk starts in the buffer. */
  readonly offset: number;
  /** The chunk's length in bytes. */
  readonly length: number;
  /** The gear hash at the cut, as fastcdc-rs reports it (0 for a final chunk no longer than `minSize`). */
  readonly hash: bigint;
}

function nextLength(finder: CutFinder, params: ChunkerParams, data: Uint8Array, start: number, end: number): number {
  finder.reset();
  const available = end - start;
  if (available <= params.minSize) return available;
  const found = finder.scan(data, start, finder.scanLimit(available));
  return found >= 0 ? found : Math.min(available, params.maxSize);
}

/**
 * The length of the chunk that starts at `start`, treating `end` as the end of input (fastcdc-rs
 * `cut`). Returns 0 only when `start === end`.
 *
 * @throws ValidationError when `0 <= start <= end <= data.length` does not hold.
 * @example
 * ```ts
 * for (let offset = 0; offset < data.length; ) {
 *   const length = findCutPoint(params, data, offset);
 *   store(data.subarray(offset, offset + length));
 *   offset += length;
 * }
 * ```
 */
export function findCutPoint(params: ChunkerParams, data: Uint8Array, start = 0, end: number = data.length): number {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end > data.length) {
    throw new ValidationError(`findCutPoint needs 0 <= start <= end <= ${data.length}, got ${start} and ${end}`);
  }
  return nextLength(new CutFinder(params), params, data, start, end);
}

/**
 * Every chunk of `data`, with the gear hash at each cut. An empty buffer has no chunks.
 *
 * @example
 * ```ts
 * const cuts = cutPoints(params, data); // [{ offset: 0, length: 21325, hash: 17968276318003433923n }, ...]
 * ```
 */
export function cutPoints(params: ChunkerParams, data: Uint8Array): CutPoint[] {
  const finder = new CutFinder(params);
  const cuts: CutPoint[] = [];
  for (let offset = 0; offset < data.length;) {
    const length = nextLength(finder, params, data, offset, data.length);
    cuts.push({ offset, length, hash: finder.hash() });
    offset += length;
  }
  return cuts;
}

/**
 * Splits `data` into chunks, returned as views of `data` (no copies). Their concatenation is `data`.
 *
 * @example
 * ```ts
 * const chunks = chunkBuffer(fileBytes, params);
 * ```
 */
export function chunkBuffer(data: Uint8Array, params: ChunkerParams): Uint8Array[] {
  const finder = new CutFinder(params);
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < data.length;) {
    const length = nextLength(finder, params, data, offset, data.length);
    chunks.push(data.subarray(offset, offset + length));
    offset += length;
  }
  return chunks;
}
