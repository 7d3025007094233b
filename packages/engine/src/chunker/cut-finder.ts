/**
 * A resumable FastCDC 2020 cut search, shared by the whole-buffer and the streaming chunker so both draw
 * identical boundaries.
 *
 * fastcdc-rs `cut_gear` hashes two bytes per iteration from `2*floor(min/2)` on; after the even byte of a
 * pair it tests `hash & (mask << 1)` on `hash << 1`, which equals testing `hash & mask` on the plain
 * byte-wise hash, and a match after byte `a` cuts a chunk of length `a`. It uses the harder mask while
 * the pair index is below `center/2` and the easier one up to `remaining/2`, where
 * `remaining = min(bytes left, max)` and `center = min(avg, remaining)`. Both loops only hash complete
 * pairs. Restated per byte at chunk-relative position `a`, which is what this class does:
 *
 * - bytes before `2*floor(min/2)` are never hashed; the hash starts at 0;
 * - the small mask applies for `a < 2*floor(avg/2)`, the large one after (when fewer than `avg` bytes
 *   remain the scan ends first, so `center` needs no special case);
 * - only bytes below `2*floor(min(available, max)/2)` are hashed: an even byte waits for its partner;
 * - with no match, the chunk is `min(available, max)` bytes once that is final (end of input or `max`),
 *   or `available` when `available <= min` at the end of input.
 *
 * Nothing depends on bytes not yet seen, so a chunk whose bytes arrive in pieces gets the same boundary.
 */
import type { ChunkerParams } from './chunker-params.ts';
import { scanForMask, type GearHashState } from './gear-scan.ts';

/** Finds the end of one chunk at a time; {@link CutFinder.reset} before the next chunk. */
export class CutFinder {
  readonly #params: ChunkerParams;
  readonly #hashStart: number;
  readonly #maskSwitch: number;
  readonly #state: GearHashState = { hi: 0, lo: 0 };
  /** The chunk-relative position of the next byte to hash. */
  #next: number;
  /** Whether the last cut was found after the even byte of a pair (see {@link CutFinder.hash}). */
  #evenCut = false;

  constructor(params: ChunkerParams) {
    this.#params = params;
    this.#hashStart = 2 * Math.floor(params.minSize / 2);
    this.#maskSwitch = 2 * Math.floor(params.avgSize / 2);
    this.#next = this.#hashStart;
  }

  /** The chunk-relative position of the next byte to hash. */
  get next(): number {
    return this.#next;
  }

  /** Starts a new chunk. */
  reset(): void {
    this.#state.hi = 0;
    this.#state.lo = 0;
    this.#next = this.#hashStart;
    this.#evenCut = false;
  }

  /**
   * The position up to which bytes may be hashed when `available` bytes of the chunk are known.
   * Exclusive, chunk-relative.
   */
  scanLimit(available: number): number {
    return 2 * Math.floor(Math.min(available, this.#params.maxSize) / 2);
  }

  /**
   * Hashes the chunk's bytes from the next unhashed position up to `limit` (exclusive, chunk-relative),
   * where the byte at chunk-relative position `a` is `data[a + base]` and `data` holds every position
   * in that range. Returns the chunk length when a cut is found, otherwise -1.
   */
  scan(data: Uint8Array, base: number, limit: number): number {
    const params = this.#params;
    const from = this.#next;
    if (limit <= from) return -1;
    if (from < this.#maskSwitch) {
      const end = Math.min(limit, this.#maskSwitch);
      const hit = scanForMask(
        params.gearHi,
        params.gearLo,
        params.maskSmallHi,
        params.maskSmallLo,
        this.#state,
        data,
        from + base,
        end + base,
      );
      if (hit >= 0) return this.#cut(hit - base);
      this.#next = end;
      if (end === limit) return -1;
    }
    const start = this.#next;
    const hit = scanForMask(
      params.gearHi,
      params.gearLo,
      params.maskLargeHi,
      params.maskLargeLo,
      this.#state,
      data,
      start + base,
      limit + base,
    );
    if (hit >= 0) return this.#cut(hit - base);
    this.#next = limit;
    return -1;
  }

  /**
   * The gear hash fastcdc-rs reports for the chunk just found (or for the bytes hashed so far), as a
   * u64. Call before {@link CutFinder.reset}. Only the reporting path uses BigInt.
   */
  hash(): bigint {
    const value = (BigInt(this.#state.hi) << 32n) | BigInt(this.#state.lo >>> 0);
    // After the even byte of a pair fastcdc-rs holds `hash << 1` (see the module note).
    return this.#evenCut ? (value << 1n) & 0xffff_ffff_ffff_ffffn : value;
  }

  #cut(position: number): number {
    this.#evenCut = position % 2 === 0;
    this.#next = position;
    return position;
  }
}
