import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal, SEAL_OVERHEAD } from './index.ts';

const key = new Uint8Array(randomBytes(32));
const aad = new TextEncoder().encode('snapshot');
const integrity = (message: RegExp): object =>
  expect.objectContaining({ code: 'INTEGRITY', message: expect.stringMatching(message) }) as object;

describe('seal and open (AES-256-GCM)', () => {
  it.each([0, 1, 15, 16, 17, 1024, 1_048_576 + 3])('round-trips %d bytes', (size) => {
    const plain = new Uint8Array(randomBytes(size));
    const sealed = seal(key, plain, aad);
    expect(sealed.length).toBe(size + SEAL_OVERHEAD);
    expect(Buffer.from(open(key, sealed, aad)).equals(plain)).toBe(true);
  });

  it('has a 28-byte overhead and uses a fresh nonce every time', () => {
    expect(SEAL_OVERHEAD).toBe(28);
    const plain = new Uint8Array(100);
    const nonces = new Set(
      Array.from({ length: 2000 }, () => Buffer.from(seal(key, plain).subarray(0, 12)).toString('hex')),
    );
    expect(nonces.size).toBe(2000);
  });

  it('refuses any flipped bit, anywhere', () => {
    const sealed = seal(key, new Uint8Array(64).fill(7), aad);
    for (let i = 0; i < sealed.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const copy = sealed.slice();
        copy[i] = (copy[i] ?? 0) ^ bit;
        expect(() => open(key, copy, aad)).toThrow(integrity(/failed authentication/));
      }
    }
  });

  it('refuses a wrong key, a wrong, missing or extra aad, and keeps the OpenSSL error as the cause', () => {
    const sealed = seal(key, new Uint8Array([1, 2, 3]), aad);
    expect(() => open(new Uint8Array(randomBytes(32)), sealed, aad)).toThrow(integrity(/failed authentication/));
    expect(() => open(key, sealed, new TextEncoder().encode('snapshoT'))).toThrow(integrity(/associated data/));
    expect(() => open(key, sealed)).toThrow(integrity(/failed authentication/));
    expect(() => open(key, seal(key, new Uint8Array(3)), aad)).toThrow(integrity(/failed authentication/));
    try {
      open(key, sealed);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).cause).toBeInstanceOf(Error);
      expect((error as Error).message).not.toMatch(/unable to authenticate/i);
    }
  });

  it('refuses truncated and too-short input', () => {
    const sealed = seal(key, new Uint8Array(10), aad);
    expect(() => open(key, sealed.subarray(0, 27), aad)).toThrow(integrity(/shorter than its 28-byte nonce and tag/));
    expect(() => open(key, sealed.subarray(0, sealed.length - 1), aad)).toThrow(integrity(/failed authentication/));
    expect(() => open(key, new Uint8Array(0))).toThrow(integrity(/0 bytes/));
  });

  it('uses the bytes of the key at each call, even when the same array is overwritten', () => {
    const mutable = Uint8Array.from(key);
    const sealed = seal(mutable, new Uint8Array([9]));
    mutable.fill(1);
    expect(() => open(mutable, sealed)).toThrow(integrity(/failed authentication/));
    expect(open(key, sealed)).toEqual(new Uint8Array([9]));
  });

  it('refuses keys that are not 32 bytes with ValidationError', () => {
    for (const size of [0, 16, 31, 33]) {
      expect(() => seal(new Uint8Array(size), new Uint8Array(1))).toThrow(
        expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/32 bytes/) }),
      );
      expect(() => open(new Uint8Array(size), new Uint8Array(40))).toThrow(
        expect.objectContaining({ code: 'VALIDATION' }),
      );
    }
  });
});
