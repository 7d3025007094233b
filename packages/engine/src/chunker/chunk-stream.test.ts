/**
 * Streaming equivalence, property-style: for many seeded random ways of cutting an input into buffers
 * (1-byte buffers, empty buffers, odd sizes, huge ones), chunkStream yields exactly chunkBuffer's chunks.
 * A failing case prints its seed.
 */
import { describe, expect, it } from 'vitest';
import { testBytes } from '../testing/bytes.ts';
import { chunkBuffer, chunkStream, createChunkerParams, type ChunkerParams } from './index.ts';

/** mulberry32: a small seeded PRNG, so every split is reproducible from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `data` into fresh buffers whose sizes come from `nextSize` (0 means an empty buffer). */
function* split(data: Uint8Array, nextSize: () => number): Generator<Uint8Array> {
  for (let at = 0; at < data.length;) {
    const size = Math.min(nextSize(), data.length - at);
    yield data.slice(at, at + size);
    at += size;
  }
}

async function* asAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}

async function collect(input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, params: ChunkerParams) {
  const chunks: Uint8Array[] = [];
  for await (const chunk of chunkStream(input, params)) chunks.push(chunk);
  return chunks;
}

/** Buffer-size distributions, each with the input size to test it on; each takes a PRNG. */
const shapes: readonly [string, number, (next: () => number) => () => number][] = [
  ['1-byte buffers', 8000, () => () => 1],
  ['1 or 2 bytes', 8000, (next) => () => 1 + Math.floor(next() * 2)],
  ['empty buffers among small ones', 30_000, (next) => () => (next() < 0.3 ? 0 : Math.floor(next() * 300))],
  ['odd sizes up to 5 KB', 60_000, (next) => () => 1 + Math.floor(next() * 5000)],
  ['around maxSize', 60_000, (next) => () => 4000 + Math.floor(next() * 6000)],
  [
    'mixed: empty, tiny and large',
    300_000,
    (next) => () => [0, 1, 3, 17, 4096, 65_536, 200_000][Math.floor(next() * 7)] ?? 1,
  ],
  ['one buffer', 300_000, () => () => Number.MAX_SAFE_INTEGER],
];

const paramSets: readonly [string, ChunkerParams][] = [
  ['min 64, avg 256, max 1024', createChunkerParams({ minSize: 64, avgSize: 256, maxSize: 1024 })],
  [
    'odd min 65, max 8191, level 2',
    createChunkerParams({ minSize: 65, avgSize: 2048, maxSize: 8191, normalization: 2 }),
  ],
  ['min = avg = max', createChunkerParams({ minSize: 1024, avgSize: 1024, maxSize: 1024 })],
];

/** Random bytes with runs of a repeated pattern, so some chunks end at maxSize. */
function mixedData(seed: number, size: number): Uint8Array {
  const data = testBytes(size, seed);
  const next = random(seed);
  for (let run = 0; run < 5; run++) {
    const start = Math.floor(next() * size);
    const length = Math.floor(next() * (size / 5));
    for (let i = start; i < Math.min(size, start + length); i++) data[i] = i % 7;
  }
  return data;
}

describe('chunkStream draws the same boundaries as chunkBuffer', () => {
  for (const [paramsName, params] of paramSets) {
    it.each(shapes)(`${paramsName}: %s, 8 seeds`, async (_shape, size, shape) => {
      for (let seed = 1; seed <= 8; seed++) {
        const data = mixedData(seed, size + seed * 79);
        const expected = chunkBuffer(data, params);
        const chunks = await collect(asAsync(split(data, shape(random(seed)))), params);
        expect({ seed, lengths: chunks.map((chunk) => chunk.length) }).toEqual({
          seed,
          lengths: expected.map((chunk) => chunk.length),
        });
        expect(Buffer.concat(chunks).equals(data)).toBe(true);
      }
    });
  }

  it('with large chunks, carrying 16 KiB+ tails as views and copying tails of oversized buffers', async () => {
    const params = createChunkerParams({ minSize: 16_384, avgSize: 65_536, maxSize: 262_144 });
    const data = mixedData(21, 3_000_000);
    const expected = chunkBuffer(data, params).map((chunk) => chunk.length);
    for (let seed = 1; seed <= 4; seed++) {
      const next = random(seed);
      const buffers: Uint8Array[] = [];
      for (let at = 0; at < data.length;) {
        const size = Math.min(data.length - at, 1 + Math.floor(next() * 120_000));
        // Half fresh buffers, half views of one large backing store (whose tails must be copied).
        buffers.push(next() < 0.5 ? data.slice(at, at + size) : data.subarray(at, at + size));
        at += size;
      }
      const chunks = await collect(asAsync(buffers), params);
      expect({ seed, lengths: chunks.map((chunk) => chunk.length) }).toEqual({ seed, lengths: expected });
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
    }
  });

  it('accepts a synchronous iterable', async () => {
    const [, params] = paramSets[0] ?? [];
    if (params === undefined) throw new Error('no params');
    const data = testBytes(10_000, 11);
    const chunks = await collect(
      split(data, () => 333),
      params,
    );
    expect(chunks.map((chunk) => chunk.length)).toEqual(chunkBuffer(data, params).map((chunk) => chunk.length));
  });
});

describe('chunkStream buffers', () => {
  const params = createChunkerParams({ minSize: 256, avgSize: 1024, maxSize: 4096 });

  it('yields nothing for empty input, or for only empty buffers', async () => {
    expect(await collect([], params)).toEqual([]);
    expect(await collect([new Uint8Array(0), new Uint8Array(0)], params)).toEqual([]);
  });

  it('yields a chunk inside one input buffer as a view of it, and copies spanning chunks', async () => {
    const data = testBytes(100_000, 12);
    const first = data.slice(0, 60_000);
    const second = data.slice(60_000);
    const chunks = await collect([first, second], params);
    const views = chunks.filter((chunk) => chunk.buffer === first.buffer || chunk.buffer === second.buffer);
    expect(views.length).toBeGreaterThanOrEqual(chunks.length - 2);
    const spanning = chunks.filter((chunk) => chunk.buffer !== first.buffer && chunk.buffer !== second.buffer);
    expect(spanning.every((chunk) => chunk.byteLength === chunk.buffer.byteLength)).toBe(true);
  });

  it('yields a short input as one chunk', async () => {
    const chunks = await collect([new Uint8Array([1, 2]), new Uint8Array([3])], params);
    expect(chunks).toEqual([new Uint8Array([1, 2, 3])]);
  });

  it('refuses input that is not bytes', async () => {
    await expect(collect(['text'] as unknown as Uint8Array[], params)).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
