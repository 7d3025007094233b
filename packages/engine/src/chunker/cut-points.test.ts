/**
 * The whole-buffer chunker against a literal BigInt port of fastcdc-rs v2020 `cut_gear` (two bytes per
 * iteration, GEAR_LS, both masks), over sizes and data the six reference vectors do not reach: odd
 * minimums and maximums, averages that are not powers of two, every normalization level, and
 * low-entropy data that forces cuts at `maxSize`.
 */
import { describe, expect, it } from 'vitest';
import { testBytes } from '../testing/bytes.ts';
import {
  chunkBuffer,
  createChunkerParams,
  cutPoints,
  deriveChunkerParams,
  findCutPoint,
  type ChunkerParams,
  type CutPoint,
} from './index.ts';

const u64 = 0xffff_ffff_ffff_ffffn;

/** fastcdc-rs v2020 `cut_gear`, transcribed with BigInt: returns `[hash, length]`. */
function referenceCut(params: ChunkerParams, source: Uint8Array): [bigint, number] {
  const gear = Array.from(params.gearHi, (hi, i) => (BigInt(hi) << 32n) | BigInt(params.gearLo[i] ?? 0));
  const gearLs = gear.map((value) => (value << 1n) & u64);
  const maskS = (BigInt(params.maskSmallHi) << 32n) | BigInt(params.maskSmallLo);
  const maskL = (BigInt(params.maskLargeHi) << 32n) | BigInt(params.maskLargeLo);
  const maskSLs = maskS << 1n;
  const maskLLs = maskL << 1n;
  const at = (index: number): number => source[index] ?? Number.NaN;
  let remaining = source.length;
  if (remaining <= params.minSize) return [0n, remaining];
  let center = params.avgSize;
  if (remaining > params.maxSize) remaining = params.maxSize;
  else if (remaining < center) center = remaining;
  let index = Math.floor(params.minSize / 2);
  let hash = 0n;
  for (const [limit, maskLs, mask] of [
    [Math.floor(center / 2), maskSLs, maskS],
    [Math.floor(remaining / 2), maskLLs, maskL],
  ] as const) {
    while (index < limit) {
      const a = index * 2;
      hash = ((hash << 2n) + (gearLs[at(a)] ?? 0n)) & u64;
      if ((hash & maskLs) === 0n) return [hash, a];
      hash = (hash + (gear[at(a + 1)] ?? 0n)) & u64;
      if ((hash & mask) === 0n) return [hash, a + 1];
      index += 1;
    }
  }
  return [hash, remaining];
}

function referenceCutPoints(params: ChunkerParams, data: Uint8Array): CutPoint[] {
  const cuts: CutPoint[] = [];
  for (let offset = 0; offset < data.length;) {
    const [hash, length] = referenceCut(params, data.subarray(offset));
    cuts.push({ offset, length, hash });
    offset += length;
  }
  return cuts;
}

/** Bytes that rarely match a mask: a short random pattern repeated, so the hash cycles. */
function lowEntropy(size: number): Uint8Array {
  const pattern = testBytes(37, 9);
  return Uint8Array.from({ length: size }, (_, i) => pattern[i % 37] ?? 0);
}

const sizes: readonly [string, Parameters<typeof createChunkerParams>[0]][] = [
  ['smallest sizes', { minSize: 64, avgSize: 256, maxSize: 1024 }],
  ['odd min and max', { minSize: 65, avgSize: 256, maxSize: 1025 }],
  ['average not a power of two', { minSize: 100, avgSize: 300, maxSize: 2001, normalization: 2 }],
  ['level 0', { minSize: 128, avgSize: 512, maxSize: 4096, normalization: 0 }],
  ['level 3, max = 2 avg', { minSize: 256, avgSize: 1024, maxSize: 2048, normalization: 3 }],
  ['min = avg = max', { minSize: 1024, avgSize: 1024, maxSize: 1024 }],
  ['seeded', { minSize: 64, avgSize: 512, maxSize: 3000, seed: 0xdead_beef_0bad_f00dn }],
];

describe('cutPoints against a BigInt port of fastcdc-rs', () => {
  it.each(sizes)('%s, random data', (_name, options) => {
    const params = createChunkerParams(options);
    const data = testBytes(200_001, options.minSize);
    expect(cutPoints(params, data)).toEqual(referenceCutPoints(params, data));
  });

  it.each(sizes)('%s, low-entropy data (cuts at maxSize)', (_name, options) => {
    const params = createChunkerParams(options);
    const data = lowEntropy(50_003);
    const cuts = cutPoints(params, data);
    expect(cuts).toEqual(referenceCutPoints(params, data));
  });

  it('matches with a derived (keyed) table', () => {
    const params = deriveChunkerParams(new Uint8Array(32).fill(5), { minSize: 64, avgSize: 1024, maxSize: 8192 });
    const data = testBytes(300_000, 3);
    expect(cutPoints(params, data)).toEqual(referenceCutPoints(params, data));
  });

  it('matches on every tail length around minSize', () => {
    const params = createChunkerParams({ minSize: 65, avgSize: 256, maxSize: 1024 });
    const data = testBytes(400, 4);
    for (let length = 0; length <= 400; length++) {
      const bytes = data.subarray(0, length);
      expect(cutPoints(params, bytes)).toEqual(referenceCutPoints(params, bytes));
    }
  });
});

describe('chunk sizes', () => {
  it('stay within minSize and maxSize, except a shorter last chunk', () => {
    const params = createChunkerParams({ minSize: 512, avgSize: 2048, maxSize: 8192 });
    for (const data of [testBytes(500_000, 5), lowEntropy(100_000)]) {
      const lengths = cutPoints(params, data).map((cut) => cut.length);
      expect(lengths.slice(0, -1).every((length) => length >= 512 && length <= 8192)).toBe(true);
      expect(lengths.reduce((sum, length) => sum + length, 0)).toBe(data.length);
    }
    expect(cutPoints(params, lowEntropy(100_000)).some((cut) => cut.length === 8192)).toBe(true);
  });

  it('average near avgSize on random data', () => {
    const params = createChunkerParams({ minSize: 1024, avgSize: 4096, maxSize: 16_384 });
    const cuts = cutPoints(params, testBytes(4_000_000, 6));
    const mean = 4_000_000 / cuts.length;
    expect(mean).toBeGreaterThan(3000);
    expect(mean).toBeLessThan(7000);
  });
});

describe('findCutPoint and chunkBuffer', () => {
  const params = createChunkerParams({ minSize: 64, avgSize: 256, maxSize: 1024 });
  const data = testBytes(10_000, 7);

  it('findCutPoint honours start and end', () => {
    const first = findCutPoint(params, data);
    expect(findCutPoint(params, data, 0, data.length)).toBe(first);
    expect(findCutPoint(params, data, first)).toBe(cutPoints(params, data)[1]?.length);
    expect(findCutPoint(params, data, 100, 150)).toBe(50);
    expect(findCutPoint(params, data, 500, 500)).toBe(0);
    expect(findCutPoint(params, data.subarray(100, 5000))).toBe(findCutPoint(params, data, 100, 5000));
  });

  it.each([
    [-1, 10],
    [10, 5],
    [0, 10_001],
    [0.5, 10],
  ])('findCutPoint refuses start %d, end %d', (start, end) => {
    expect(() => findCutPoint(params, data, start, end)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });

  it('chunkBuffer returns views that tile the input', () => {
    const chunks = chunkBuffer(data, params);
    expect(chunks.map((chunk) => chunk.length)).toEqual(cutPoints(params, data).map((cut) => cut.length));
    expect(chunks.every((chunk) => chunk.buffer === data.buffer)).toBe(true);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    expect(chunkBuffer(new Uint8Array(0), params)).toEqual([]);
    expect(cutPoints(params, new Uint8Array(0))).toEqual([]);
  });
});
