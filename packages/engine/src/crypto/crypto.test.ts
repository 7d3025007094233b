import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  compressIfSmaller,
  compressIfSmallerSync,
  createKeyedHasher,
  decompress,
  decompressSync,
  deriveSubkey,
  open,
  seal,
  SEAL_OVERHEAD,
} from './index.ts';

const key = new Uint8Array(randomBytes(32));

describe('seal and open (AES-256-GCM)', () => {
  it('round-trips, with a fresh nonce each time', () => {
    const plain = new Uint8Array(randomBytes(1000));
    const a = seal(key, plain);
    const b = seal(key, plain);
    expect(a.length).toBe(plain.length + SEAL_OVERHEAD);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(Buffer.from(open(key, a)).equals(Buffer.from(plain))).toBe(true);
    expect(open(key, seal(key, new Uint8Array(0)))).toHaveLength(0);
  });

  it('detects any flipped byte, a wrong key, a wrong aad and truncation', () => {
    const sealed = seal(key, new Uint8Array(64).fill(7), new Uint8Array([1]));
    for (let i = 0; i < sealed.length; i++) {
      const copy = sealed.slice();
      copy[i] = (copy[i] ?? 0) ^ 0x80;
      expect(() => open(key, copy, new Uint8Array([1]))).toThrow(expect.objectContaining({ code: 'INTEGRITY' }));
    }
    expect(() => open(new Uint8Array(randomBytes(32)), sealed, new Uint8Array([1]))).toThrow(/authentication failed/);
    expect(() => open(key, sealed, new Uint8Array([2]))).toThrow(/authentication failed/);
    expect(() => open(key, sealed.subarray(0, 10))).toThrow(/too short/);
    expect(() => seal(new Uint8Array(16), new Uint8Array(1))).toThrow(/32 bytes/);
  });
});

describe('keyed hashing and sub-keys', () => {
  it('gives ids that depend on the key', () => {
    const data = new TextEncoder().encode('same content');
    const a = createKeyedHasher(deriveSubkey(key, 'holdfast blob id')).digest(data);
    const b = createKeyedHasher(deriveSubkey(key, 'holdfast blob id')).digest(data);
    const c = createKeyedHasher(deriveSubkey(new Uint8Array(randomBytes(32)), 'holdfast blob id')).digest(data);
    expect(a).toHaveLength(32);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(deriveSubkey(key, 'one')).not.toEqual(deriveSubkey(key, 'two'));
  });
});

describe('zstd', () => {
  it('compresses what shrinks and leaves random bytes alone', async () => {
    const text = new TextEncoder().encode('holdfast '.repeat(10_000));
    const packed = await compressIfSmaller(text);
    expect(packed).toBeDefined();
    expect(Buffer.from(await decompress(packed!, text.length)).equals(Buffer.from(text))).toBe(true);
    expect(Buffer.from(decompressSync(compressIfSmallerSync(text)!, text.length)).equals(Buffer.from(text))).toBe(true);
    expect(await compressIfSmaller(new Uint8Array(randomBytes(100_000)))).toBeUndefined();
  });

  it('refuses output of the wrong size and damaged input', async () => {
    const text = new TextEncoder().encode('abc'.repeat(1000));
    const packed = compressIfSmallerSync(text)!;
    await expect(decompress(packed, text.length - 1)).rejects.toMatchObject({ code: 'INTEGRITY' });
    expect(() => decompressSync(packed, text.length + 1)).toThrow(expect.objectContaining({ code: 'INTEGRITY' }));
    expect(() => decompressSync(new Uint8Array([1, 2, 3, 4]), 10)).toThrow(/damaged/);
  });
});
