/**
 * The hot loop of the chunker: the 64-bit gear hash `hash = (hash << 1) + GEAR[byte]`, emulated with
 * two uint32 halves and no BigInt.
 *
 * Why it is fast: the low 32 bits of the hash depend only on the low halves of earlier hashes and GEAR
 * entries, so the loop computes just `lo` and tests `lo & maskLo`. Only when that test passes (about once
 * per 2^popcount(maskLo) bytes, i.e. every 1–4 KiB at a 1 MiB average) does it work out the high half
 * exactly, from the last exact point or, when that is more than 64 bytes back, from the last 64 bytes
 * alone: a byte's GEAR entry is shifted out of a 64-bit hash after 64 steps, so the hash after byte `i`
 * is a function of bytes `i-63 ... i` only. The result is bit-for-bit the u64 hash of fastcdc-rs.
 *
 * The scan reads only `data[from ... to)`; the caller passes the exact hash after `data[from - 1]` in
 * {@link GearHashState}, which lets a chunk's bytes arrive in several buffers.
 */
/* eslint-disable @typescript-eslint/no-non-null-assertion -- indices are in range by construction and
   the hot loop must not pay for `?? 0` on every byte */

/** The exact 64-bit gear hash, as two uint32 halves. Mutated by {@link scanForMask}. */
export interface GearHashState {
  hi: number;
  lo: number;
}

/**
 * Advances `state` (the exact hash after `data[from - 1]`) over `data[from ... to]` inclusive, with full
 * 64-bit arithmetic. When the span is longer than 64 bytes only its last 64 bytes matter.
 */
function advanceExact(
  gearHi: Uint32Array,
  gearLo: Uint32Array,
  state: GearHashState,
  data: Uint8Array,
  from: number,
  to: number,
): void {
  let hi = state.hi;
  let lo = state.lo;
  let start = from;
  if (to - from >= 64) {
    start = to - 63;
    hi = 0;
    lo = 0;
  }
  for (let i = start; i <= to; i++) {
    const byte = data[i]!;
    const addLo = gearLo[byte]!;
    const sumLo = (((lo << 1) >>> 0) + addLo) >>> 0;
    hi = (((hi << 1) | (lo >>> 31)) + gearHi[byte]! + (sumLo < addLo ? 1 : 0)) >>> 0;
    lo = sumLo;
  }
  state.hi = hi;
  state.lo = lo;
}

/** Whether the host is little-endian, so that a uint32 word holds bytes `b0 | b1 << 8 | ...`. */
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Works out the exact hash after `data[at]`, given it after `data[known]`, and tests the high mask. */
function exactMatch(
  gearHi: Uint32Array,
  gearLo: Uint32Array,
  maskHi: number,
  state: GearHashState,
  data: Uint8Array,
  known: number,
  at: number,
): boolean {
  advanceExact(gearHi, gearLo, state, data, known + 1, at);
  return (state.hi & maskHi) === 0;
}

/**
 * Hashes `data[from ... to)` and returns the index of the first byte after which
 * `(hash & mask) === 0`, or -1 when there is none. `state` holds the exact hash after `data[from - 1]`
 * on entry and, on return, the exact hash after the returned byte (or after `data[to - 1]`).
 *
 * The body reads aligned uint32 words, four bytes per load (about 40% faster than byte loads in V8);
 * the unaligned head, the tail and big-endian hosts go byte by byte.
 */
export function scanForMask(
  gearHi: Uint32Array,
  gearLo: Uint32Array,
  maskHi: number,
  maskLo: number,
  state: GearHashState,
  data: Uint8Array,
  from: number,
  to: number,
): number {
  // `known` is the last index whose exact hash is in `state`.
  let known = from - 1;
  let lo = state.lo | 0;
  let i = from;
  const headEnd = littleEndian ? Math.min(to, from + ((4 - ((data.byteOffset + from) & 3)) & 3)) : to;
  for (; i < headEnd; i++) {
    lo = ((lo << 1) + gearLo[data[i]!]!) | 0;
    if ((lo & maskLo) === 0) {
      if (exactMatch(gearHi, gearLo, maskHi, state, data, known, i)) return i;
      known = i;
    }
  }
  const wordCount = (to - i) >>> 2;
  if (wordCount > 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset + i, wordCount);
    for (let w = 0; w < wordCount; w++) {
      const word = words[w]!;
      const a = ((lo << 1) + gearLo[word & 255]!) | 0;
      const b = ((a << 1) + gearLo[(word >>> 8) & 255]!) | 0;
      const c = ((b << 1) + gearLo[(word >>> 16) & 255]!) | 0;
      lo = ((c << 1) + gearLo[word >>> 24]!) | 0;
      if ((a & maskLo && b & maskLo && c & maskLo && lo & maskLo) === 0) {
        const at = i + 4 * w;
        if ((a & maskLo) === 0) {
          if (exactMatch(gearHi, gearLo, maskHi, state, data, known, at)) return at;
          known = at;
        }
        if ((b & maskLo) === 0) {
          if (exactMatch(gearHi, gearLo, maskHi, state, data, known, at + 1)) return at + 1;
          known = at + 1;
        }
        if ((c & maskLo) === 0) {
          if (exactMatch(gearHi, gearLo, maskHi, state, data, known, at + 2)) return at + 2;
          known = at + 2;
        }
        if ((lo & maskLo) === 0) {
          if (exactMatch(gearHi, gearLo, maskHi, state, data, known, at + 3)) return at + 3;
          known = at + 3;
        }
      }
    }
    i += 4 * wordCount;
  }
  for (; i < to; i++) {
    lo = ((lo << 1) + gearLo[data[i]!]!) | 0;
    if ((lo & maskLo) === 0) {
      if (exactMatch(gearHi, gearLo, maskHi, state, data, known, i)) return i;
      known = i;
    }
  }
  if (known < to - 1) advanceExact(gearHi, gearLo, state, data, known + 1, to - 1);
  return -1;
}
