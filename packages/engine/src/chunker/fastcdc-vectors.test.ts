/**
 * The chunker against FastCDC 2020's published test vectors (fastcdc-rs v2020, kept in
 * `test/fixtures/fastcdc/`): the GEAR and MASKS tables, and every case's cut lengths and gear hashes,
 * through the whole-buffer and the streaming entry points. Missing vectors fail the suite: they are the
 * evidence that this is FastCDC.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fastcdcMasks } from './gear-table.ts';
import { chunkStream, createChunkerParams, cutPoints, fastcdcGear, findCutPoint } from './index.ts';

const referenceDir = new URL('../../test/fixtures/fastcdc/', import.meta.url);

interface VectorCase {
  readonly min: number;
  readonly avg: number;
  readonly max: number;
  readonly normalization: number;
  readonly seed: number;
  /** `[gear hash at the cut, length]`; hashes that fit a double exactly stay numbers. */
  readonly chunks: readonly (readonly [bigint | number, number])[];
}

interface Vectors {
  readonly cases: readonly VectorCase[];
  readonly gear: readonly string[];
  readonly masks: readonly string[];
}

function readReference(name: string): Buffer {
  const url = new URL(name, referenceDir);
  try {
    return readFileSync(url);
  } catch (error) {
    throw new Error(
      `FastCDC reference file ${fileURLToPath(url)} is missing: the chunker cannot be verified without it ` +
        `(see test/fixtures/fastcdc/README.md)`,
      { cause: error },
    );
  }
}

function loadVectors(): Vectors {
  // Gear hashes are u64, beyond a JS number's precision: read every integer that does not fit as BigInt.
  return JSON.parse(
    readReference('vectors.json').toString('utf8'),
    (_key, value: unknown, context?: { source: string }) =>
      typeof value === 'number' && !Number.isSafeInteger(value) && context !== undefined
        ? BigInt(context.source)
        : value,
  ) as Vectors;
}

const vectors = loadVectors();
const fixture = new Uint8Array(readReference('SekienAkashita.jpg'));

function hex(hi: number | undefined, lo: number | undefined): string {
  return `0x${(hi ?? 0).toString(16).padStart(8, '0')}${(lo ?? 0).toString(16).padStart(8, '0')}`;
}

function paramsOf(vector: VectorCase): ReturnType<typeof createChunkerParams> {
  return createChunkerParams({
    minSize: vector.min,
    avgSize: vector.avg,
    maxSize: vector.max,
    normalization: vector.normalization,
    seed: BigInt(vector.seed),
  });
}

const named = vectors.cases.map(
  (vector) =>
    [
      `min ${vector.min}, avg ${vector.avg}, max ${vector.max}, level ${vector.normalization}, seed ${vector.seed}`,
      vector,
    ] as const,
);

describe('FastCDC 2020 reference vectors', () => {
  it('are present: the fixture image and the six fastcdc-rs cases', () => {
    expect(fixture.length).toBe(109_466);
    expect(vectors.cases.length).toBe(6);
    expect(vectors.cases.some((vector) => vector.seed !== 0)).toBe(true);
  });

  it('have the GEAR table the chunker embeds', () => {
    const embedded = Array.from({ length: 256 }, (_, i) => hex(fastcdcGear.hi[i], fastcdcGear.lo[i]));
    expect(embedded).toEqual(vectors.gear);
  });

  it('have the MASKS table the chunker embeds', () => {
    const embedded = Array.from({ length: fastcdcMasks.hi.length }, (_, i) =>
      hex(fastcdcMasks.hi[i], fastcdcMasks.lo[i]),
    );
    expect(embedded).toEqual(vectors.masks);
  });

  it.each(named)('cutPoints reproduces %s', (_name, vector) => {
    const cuts = cutPoints(paramsOf(vector), fixture);
    expect(cuts.map((cut) => [cut.hash, cut.length])).toEqual(
      vector.chunks.map(([hash, length]) => [BigInt(hash), length]),
    );
    expect(cuts.map((cut) => cut.offset)).toEqual(
      vector.chunks.map((_, index) => vector.chunks.slice(0, index).reduce((sum, [, length]) => sum + length, 0)),
    );
  });

  it.each(named)('findCutPoint reproduces %s', (_name, vector) => {
    const params = paramsOf(vector);
    let offset = 0;
    for (const [, length] of vector.chunks) {
      expect(findCutPoint(params, fixture, offset)).toBe(length);
      offset += length;
    }
    expect(offset).toBe(fixture.length);
  });

  it.each(named)('chunkStream reproduces %s from 4 KiB reads', async (_name, vector) => {
    async function* reads(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < fixture.length; at += 4096) yield fixture.slice(at, at + 4096);
    }
    const lengths: number[] = [];
    for await (const chunk of chunkStream(reads(), paramsOf(vector))) lengths.push(chunk.length);
    expect(lengths).toEqual(vector.chunks.map(([, length]) => length));
  });
});
