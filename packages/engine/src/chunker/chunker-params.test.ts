import { describe, expect, it } from 'vitest';
import { chunkerSizeLimits, createChunkerParams, fastcdcGear, type ChunkerParamsOptions } from './index.ts';

const valid: ChunkerParamsOptions = { minSize: 4096, avgSize: 16_384, maxSize: 65_535 };

describe('createChunkerParams', () => {
  it('takes masks from the FastCDC table for log2(avg) ± level', () => {
    const params = createChunkerParams({ ...valid, normalization: 1 });
    // MASKS[15] = 0x0000d90f03530000 (small), MASKS[13] = 0x0000d90303530000 (large).
    expect([params.maskSmallHi, params.maskSmallLo]).toEqual([0x0000d90f, 0x03530000]);
    expect([params.maskLargeHi, params.maskLargeLo]).toEqual([0x0000d903, 0x03530000]);
    expect(params.normalization).toBe(1);
    expect(createChunkerParams(valid).normalization).toBe(1);
  });

  it('uses the default GEAR table unseeded, and XORs a seed into every entry without touching it', () => {
    const plain = createChunkerParams(valid);
    expect(plain.gearHi).toEqual(fastcdcGear.hi);
    expect(plain.gearLo).toEqual(fastcdcGear.lo);
    const seeded = createChunkerParams({ ...valid, seed: (7n << 32n) | 666n });
    expect(seeded.gearHi[0]).toBe(((fastcdcGear.hi[0] ?? 0) ^ 7) >>> 0);
    expect(seeded.gearLo[255]).toBe(((fastcdcGear.lo[255] ?? 0) ^ 666) >>> 0);
    expect(fastcdcGear.lo[255]).toBe(plain.gearLo[255]);
  });

  it('accepts a custom GEAR table', () => {
    const gear = { hi: new Uint32Array(256).fill(1), lo: new Uint32Array(256).fill(2) };
    const params = createChunkerParams({ ...valid, gear });
    expect(params.gearHi[9]).toBe(1);
    expect(params.gearLo[9]).toBe(2);
  });

  it('accepts the limits themselves', () => {
    expect(() =>
      createChunkerParams({
        minSize: chunkerSizeLimits.minSize.min,
        avgSize: chunkerSizeLimits.avgSize.min,
        maxSize: chunkerSizeLimits.maxSize.min,
        normalization: 3,
      }),
    ).not.toThrow();
    expect(() =>
      createChunkerParams({
        minSize: chunkerSizeLimits.minSize.max,
        avgSize: chunkerSizeLimits.avgSize.max,
        maxSize: chunkerSizeLimits.maxSize.max,
        normalization: 3,
      }),
    ).not.toThrow();
  });

  it.each<[string, ChunkerParamsOptions, RegExp]>([
    ['minSize below 64', { ...valid, minSize: 63 }, /minSize must be an integer from 64/],
    ['minSize above 1 MiB', { minSize: 1_048_577, avgSize: 4_194_304, maxSize: 8_388_608 }, /minSize/],
    ['avgSize below 256', { minSize: 64, avgSize: 255, maxSize: 1024 }, /avgSize/],
    ['avgSize above 4 MiB', { minSize: 64, avgSize: 4_194_305, maxSize: 8_388_608 }, /avgSize/],
    ['maxSize below 1 KiB', { minSize: 64, avgSize: 256, maxSize: 1023 }, /maxSize/],
    ['maxSize above 16 MiB', { ...valid, maxSize: 16_777_217 }, /maxSize/],
    ['a fractional size', { ...valid, avgSize: 16_384.5 }, /avgSize/],
    ['NaN', { ...valid, maxSize: Number.NaN }, /maxSize/],
    ['min above avg', { minSize: 9000, avgSize: 8192, maxSize: 32_768 }, /minSize <= avgSize <= maxSize/],
    ['avg above max', { minSize: 64, avgSize: 8192, maxSize: 4096 }, /minSize <= avgSize <= maxSize/],
    ['level 4', { ...valid, normalization: 4 }, /normalization/],
    ['level -1', { ...valid, normalization: -1 }, /normalization/],
    ['a negative seed', { ...valid, seed: -1n }, /seed/],
    ['a seed of 2^64', { ...valid, seed: 1n << 64n }, /seed/],
    ['a short GEAR table', { ...valid, gear: { hi: new Uint32Array(255), lo: new Uint32Array(256) } }, /256 entries/],
  ])('refuses %s with ValidationError', (_name, options, message) => {
    expect(() => createChunkerParams(options)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(message) }),
    );
  });
});
