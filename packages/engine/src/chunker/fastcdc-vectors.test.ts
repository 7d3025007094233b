/**
 * The chunker against FastCDC-2020's published test vectors (fastcdc-rs v2020): every case's cut lengths
 * and gear hashes, and the streaming chunker against the whole-buffer one over random splits.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkBuffer, chunkStream, createChunkerParams, cutPoints, deriveChunkerParams } from './index.ts';

const referenceDir = new URL('../../../../../shared/reference/fastcdc/', import.meta.url);

interface VectorCase {
  readonly min: number;
  readonly avg: number;
  readonly max: number;
  readonly normalization: number;
  readonly seed: number;
  readonly chunks: readonly (readonly [string | number, number])[];
}

function loadReference(): { cases: VectorCase[]; fixture: Uint8Array } {
  // Missing vectors fail the suite: they are the evidence that this is FastCDC.
  const raw = readFileSync(new URL('vectors.json', referenceDir), 'utf8');
  // Hashes are u64 beyond JS number precision: keep them as strings.
  const text = raw.replace(/\[\s*(\d{16,})\s*,/g, '["$1",');
  const vectors = JSON.parse(text) as { cases: VectorCase[] };
  return { cases: vectors.cases, fixture: new Uint8Array(readFileSync(new URL('SekienAkashita.jpg', referenceDir))) };
}

const { cases, fixture } = loadReference();

async function* split(data: Uint8Array, sizes: () => number): AsyncGenerator<Uint8Array> {
  let at = 0;
  while (at < data.length) {
    const size = Math.min(sizes(), data.length - at);
    yield data.slice(at, at + size);
    at += size;
    if (size === 0) yield new Uint8Array(0);
  }
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

describe('FastCDC 2020 test vectors', () => {
  it('has the published fixture and cases', () => {
    expect(fixture.length).toBe(109466);
    expect(cases.length).toBeGreaterThan(5);
  });

  it.each(
    cases.map(
      (c) =>
        [
          `min ${String(c.min)} avg ${String(c.avg)} max ${String(c.max)} nc ${String(c.normalization)} seed ${String(c.seed)}`,
          c,
        ] as const,
    ),
  )('reproduces %s', (_name, vector) => {
    const params = createChunkerParams({
      minSize: vector.min,
      avgSize: vector.avg,
      maxSize: vector.max,
      normalization: vector.normalization,
      seed: BigInt(vector.seed),
    });
    const cuts = cutPoints(params, fixture);
    expect(cuts.map((cut) => [cut.hash.toString(), cut.length])).toEqual(
      vector.chunks.map(([hash, length]) => [String(hash), length]),
    );
  });
});

describe('streaming chunker', () => {
  const params = createChunkerParams({ minSize: 2048, avgSize: 8192, maxSize: 32768, normalization: 1 });
  const data = new Uint8Array(300_000);
  const random = seeded(42);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256);
  const expected = chunkBuffer(data, params).map((chunk) => chunk.length);

  const odd = seeded(1);
  const mixed = seeded(2);
  const oddSizes = (): number => Math.floor(odd() * 5000);
  const mixedSizes = (): number => (mixed() < 0.2 ? 0 : Math.floor(mixed() * 70_000));

  const splits: readonly (readonly [string, () => number])[] = [
    ['1-byte buffers', () => 1],
    ['odd buffers', oddSizes],
    ['large buffers', () => 100_000],
    ['one buffer', () => 1_000_000],
    ['mixed with empty buffers', mixedSizes],
  ];
  it.each(splits)('draws the same boundaries from %s', async (_name, sizes) => {
    const lengths: number[] = [];
    const parts: Uint8Array[] = [];
    for await (const chunk of chunkStream(split(data, sizes), params)) {
      lengths.push(chunk.length);
      parts.push(chunk.slice());
    }
    expect(lengths).toEqual(expected);
    expect(Buffer.concat(parts).equals(Buffer.from(data))).toBe(true);
  });

  it('yields nothing for empty input', async () => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of chunkStream(
      split(new Uint8Array(0), () => 1),
      params,
    ))
      chunks.push(chunk);
    expect(chunks).toEqual([]);
  });

  it('respects minimum and maximum sizes', () => {
    const lengths = cutPoints(params, data).map((cut) => cut.length);
    expect(lengths.slice(0, -1).every((length) => length >= 2048 && length <= 32768)).toBe(true);
  });
});

describe('keyed chunker parameters', () => {
  it('are deterministic per secret and differ between secrets', () => {
    const a = deriveChunkerParams(new Uint8Array(32).fill(1));
    const b = deriveChunkerParams(new Uint8Array(32).fill(1));
    const c = deriveChunkerParams(new Uint8Array(32).fill(2));
    expect(a.gearHi).toEqual(b.gearHi);
    expect(a.gearLo).toEqual(b.gearLo);
    expect(a.gearHi).not.toEqual(c.gearHi);
    expect(a.avgSize).toBe(1024 * 1024);
  });

  it('refuses short secrets and inconsistent sizes', () => {
    expect(() => deriveChunkerParams(new Uint8Array(4))).toThrow(/at least 16 bytes/);
    expect(() => createChunkerParams({ minSize: 9000, avgSize: 8192, maxSize: 32768 })).toThrow(/minSize <= avgSize/);
  });
});
