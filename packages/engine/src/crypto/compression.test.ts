import { randomBytes } from 'node:crypto';
import { zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { testBytes } from '../testing/bytes.ts';
import {
  compressIfSmaller,
  compressIfSmallerSync,
  decompress,
  decompressSync,
  likelyIncompressible,
  MINIMUM_COMPRESSION_SAVING,
} from './index.ts';

const text = new TextEncoder().encode(
  Array.from({ length: 5000 }, (_, i) => `{"id":${i},"name":"file-${i}.txt","size":${(i * 7919) % 100_000}}\n`).join(
    '',
  ),
);
const integrity = (message: RegExp): object =>
  expect.objectContaining({ code: 'INTEGRITY', message: expect.stringMatching(message) }) as object;

describe('compressIfSmaller', () => {
  it('compresses what shrinks, in the threadpool and on the calling thread', async () => {
    const packed = await compressIfSmaller(text);
    expect(packed?.length).toBeLessThan(text.length / 3);
    expect(Buffer.from(await decompress(packed ?? new Uint8Array(), text.length)).equals(text)).toBe(true);
    const packedSync = compressIfSmallerSync(text, { level: 1 });
    expect(Buffer.from(decompressSync(packedSync ?? new Uint8Array(), text.length)).equals(text)).toBe(true);
  });

  it('returns undefined for random, empty and barely-compressible input', async () => {
    expect(await compressIfSmaller(new Uint8Array(randomBytes(100_000)))).toBeUndefined();
    expect(compressIfSmallerSync(new Uint8Array(randomBytes(100)))).toBeUndefined();
    expect(compressIfSmallerSync(new Uint8Array(0))).toBeUndefined();
    // Sizes where zstd saves fewer than MINIMUM_COMPRESSION_SAVING bytes are stored raw too.
    for (let size = 1; size < 40; size++) {
      const data = new Uint8Array(size).fill(65);
      const raw = zstdCompressSync(data).length;
      expect(compressIfSmallerSync(data) === undefined).toBe(raw + MINIMUM_COMPRESSION_SAVING > size);
    }
  });

  it('refuses an invalid level', async () => {
    await expect(compressIfSmaller(text, { level: 23 })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(() => compressIfSmallerSync(text, { level: 2.5 })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});

describe('decompress', () => {
  const packed = compressIfSmallerSync(text) ?? new Uint8Array();

  it('refuses output of the wrong size', async () => {
    await expect(decompress(packed, text.length + 1)).rejects.toMatchObject(
      integrity(/decompressed to \d+ bytes, expected/),
    );
    expect(() => decompressSync(packed, text.length + 1)).toThrow(integrity(/expected/));
  });

  it('stops a decompression bomb at the expected size', async () => {
    const bomb = zstdCompressSync(new Uint8Array(200 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(10_000);
    await expect(decompress(bomb, 1000)).rejects.toMatchObject(integrity(/beyond its recorded size of 1000 bytes/));
    expect(() => decompressSync(bomb, 1000)).toThrow(integrity(/beyond its recorded size/));
    await expect(decompress(packed, text.length - 1)).rejects.toMatchObject(integrity(/beyond/));
  });

  it('refuses damaged and truncated input with IntegrityError', async () => {
    expect(() => decompressSync(new Uint8Array([1, 2, 3, 4]), 10)).toThrow(integrity(/damaged/));
    await expect(decompress(packed.subarray(0, packed.length - 5), text.length)).rejects.toMatchObject(
      integrity(/damaged/),
    );
    const flipped = packed.slice();
    flipped[20] = (flipped[20] ?? 0) ^ 0xff;
    expect(() => decompressSync(flipped, text.length)).toThrow(expect.objectContaining({ code: 'INTEGRITY' }));
  });

  it('decompresses an empty frame to 0 bytes', async () => {
    const empty = zstdCompressSync(new Uint8Array(0));
    expect(await decompress(empty, 0)).toHaveLength(0);
    expect(decompressSync(empty, 0)).toHaveLength(0);
  });

  it('refuses an expected size that is not a byte count', () => {
    for (const size of [-1, 1.5, Number.NaN]) {
      expect(() => decompressSync(packed, size)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    }
  });
});

describe('likelyIncompressible', () => {
  it('flags random data and passes text, and never flags small inputs', () => {
    expect(likelyIncompressible(testBytes(1_048_576, 3))).toBe(true);
    const bigText = new Uint8Array(1_048_576);
    for (let at = 0; at < bigText.length; at += text.length) bigText.set(text.subarray(0, bigText.length - at), at);
    expect(likelyIncompressible(bigText)).toBe(false);
    expect(likelyIncompressible(testBytes(100_000, 3))).toBe(false);
  });
});
