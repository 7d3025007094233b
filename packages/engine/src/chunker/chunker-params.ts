/**
 * Chunker parameters: the sizes, the GEAR table and the two judgement masks of FastCDC 2020, validated
 * once and then shared read-only by every chunking call. The ranges are fastcdc-rs's own (so its test
 * vectors stay reproducible), plus `minSize <= avgSize <= maxSize`, which fastcdc-rs leaves unchecked.
 *
 * Masks follow fastcdc-rs: with `bits = round(log2(avgSize))`, the mask before `avgSize` is
 * `MASKS[bits + normalization]` (harder to match, so fewer small chunks) and the mask after it is
 * `MASKS[bits - normalization]` (easier, so fewer chunks reach `maxSize`).
 */
import { ValidationError } from '../errors/index.ts';
import { fastcdcGear, fastcdcMasks, type GearTable } from './gear-table.ts';

/**
 * Validated FastCDC 2020 parameters. Build with {@link createChunkerParams} or
 * {@link deriveChunkerParams}; treat as immutable (the typed arrays are shared, never copied per call).
 */
export interface ChunkerParams {
  /** No chunk is shorter than this, except the last one of an input. */
  readonly minSize: number;
  /** The size chunks cluster around (normalized chunking). */
  readonly avgSize: number;
  /** No chunk is longer than this. */
  readonly maxSize: number;
  /** FastCDC normalization level, 0–3: how tightly chunk sizes cluster around `avgSize`. */
  readonly normalization: number;
  /** High 32 bits of the 256 GEAR entries. */
  readonly gearHi: Uint32Array;
  /** Low 32 bits of the 256 GEAR entries. */
  readonly gearLo: Uint32Array;
  /** High half of the mask used before `avgSize` (`MASKS[bits + normalization]`). */
  readonly maskSmallHi: number;
  /** Low half of the mask used before `avgSize`. */
  readonly maskSmallLo: number;
  /** High half of the mask used from `avgSize` on (`MASKS[bits - normalization]`). */
  readonly maskLargeHi: number;
  /** Low half of the mask used from `avgSize` on. */
  readonly maskLargeLo: number;
}

/** The sizes of a chunker; every field is optional where defaults apply. */
export interface ChunkerSizes {
  readonly minSize?: number | undefined;
  readonly avgSize?: number | undefined;
  readonly maxSize?: number | undefined;
  readonly normalization?: number | undefined;
}

/** What {@link createChunkerParams} accepts. */
export interface ChunkerParamsOptions {
  /** Minimum chunk size in bytes, 64 B – 1 MiB. */
  readonly minSize: number;
  /** Average chunk size in bytes, 256 B – 4 MiB. */
  readonly avgSize: number;
  /** Maximum chunk size in bytes, 1 KiB – 16 MiB. */
  readonly maxSize: number;
  /** Normalization level 0–3. Default: 1 (fastcdc-rs's default). */
  readonly normalization?: number | undefined;
  /** XORed into every GEAR entry, as fastcdc-rs `with_level_and_seed` does; 0 ≤ seed < 2^64. Default: 0. */
  readonly seed?: bigint | undefined;
  /** A custom GEAR table (256 entries). Default: FastCDC's table ({@link fastcdcGear}). */
  readonly gear?: GearTable | undefined;
}

/** The accepted range of each size, inclusive (fastcdc-rs v2020's `MINIMUM_MIN` ... `MAXIMUM_MAX`). */
export const chunkerSizeLimits = {
  minSize: { min: 64, max: 1_048_576 },
  avgSize: { min: 256, max: 4_194_304 },
  maxSize: { min: 1024, max: 16_777_216 },
  normalization: { min: 0, max: 3 },
} as const;

function checkRange(name: keyof typeof chunkerSizeLimits, value: number): void {
  const { min, max } = chunkerSizeLimits[name];
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ValidationError(`chunker ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

function maskAt(index: number): { hi: number; lo: number } {
  const hi = fastcdcMasks.hi[index];
  const lo = fastcdcMasks.lo[index];
  if (hi === undefined || lo === undefined) throw new ValidationError(`no FastCDC mask with ${index} bits`);
  return { hi, lo };
}

function seededGear(gear: GearTable, seed: bigint): GearTable {
  if (gear.hi.length !== 256 || gear.lo.length !== 256) {
    throw new ValidationError('a GEAR table must have 256 entries in both halves');
  }
  const hi = Uint32Array.from(gear.hi);
  const lo = Uint32Array.from(gear.lo);
  if (seed !== 0n) {
    const seedHi = Number(seed >> 32n);
    const seedLo = Number(seed & 0xffff_ffffn);
    for (let index = 0; index < 256; index++) {
      hi[index] = (hi[index] ?? 0) ^ seedHi;
      lo[index] = (lo[index] ?? 0) ^ seedLo;
    }
  }
  return { hi, lo };
}

/**
 * Validates sizes and builds FastCDC 2020 parameters.
 *
 * @throws ValidationError when a size is out of range, sizes are not ordered `min <= avg <= max`, the
 * seed is not a 64-bit unsigned value, or the GEAR table does not have 256 entries.
 * @example
 * ```ts
 * // The parameters of fastcdc-rs's tests, with seed 666:
 * const params = createChunkerParams({ minSize: 4096, avgSize: 16384, maxSize: 65535, seed: 666n });
 * const lengths = cutPoints(params, data).map((cut) => cut.length);
 * ```
 */
export function createChunkerParams(options: ChunkerParamsOptions): ChunkerParams {
  const { minSize, avgSize, maxSize, normalization = 1, seed = 0n, gear = fastcdcGear } = options;
  checkRange('minSize', minSize);
  checkRange('avgSize', avgSize);
  checkRange('maxSize', maxSize);
  checkRange('normalization', normalization);
  if (minSize > avgSize || avgSize > maxSize) {
    throw new ValidationError(
      `chunker sizes must satisfy minSize <= avgSize <= maxSize, got ${minSize}, ${avgSize}, ${maxSize}`,
    );
  }
  if (typeof seed !== 'bigint' || seed < 0n || seed >= 1n << 64n) {
    throw new ValidationError('chunker seed must be a bigint from 0 to 2^64 - 1');
  }
  const bits = Math.round(Math.log2(avgSize));
  const small = maskAt(bits + normalization);
  const large = maskAt(bits - normalization);
  const table = seededGear(gear, seed);
  return Object.freeze({
    minSize,
    avgSize,
    maxSize,
    normalization,
    gearHi: table.hi,
    gearLo: table.lo,
    maskSmallHi: small.hi,
    maskSmallLo: small.lo,
    maskLargeHi: large.hi,
    maskLargeLo: large.lo,
  });
}
