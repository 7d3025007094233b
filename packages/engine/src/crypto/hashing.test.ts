import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyedHasher, deriveSubkey, randomId, sha256, sha256Hex, SUBKEY_SALT } from './index.ts';

const key = new Uint8Array(randomBytes(32));
const data = new TextEncoder().encode('same content');

describe('createKeyedHasher', () => {
  it('is HMAC-SHA-256 under the key', () => {
    const hasher = createKeyedHasher(key);
    for (const input of [new Uint8Array(0), data, new Uint8Array(randomBytes(1_000_000))]) {
      expect(Buffer.from(hasher.digest(input)).equals(createHmac('sha256', key).update(input).digest())).toBe(true);
    }
  });

  it('gives ids that depend on the key', () => {
    const a = createKeyedHasher(key).digest(data);
    const c = createKeyedHasher(new Uint8Array(randomBytes(32))).digest(data);
    expect(a).toHaveLength(32);
    expect(a).not.toEqual(c);
  });

  it('keeps the key it was given, even if the caller overwrites the array', () => {
    const mutable = Uint8Array.from(key);
    const hasher = createKeyedHasher(mutable);
    mutable.fill(0);
    expect(hasher.digest(data)).toEqual(createKeyedHasher(key).digest(data));
  });

  it('refuses keys under 16 bytes', () => {
    expect(() => createKeyedHasher(new Uint8Array(15))).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});

describe('deriveSubkey', () => {
  it('is HKDF-SHA-256 with the salt "holdfast v1" and the purpose as info', () => {
    expect(SUBKEY_SALT).toBe('holdfast v1');
    const expected = new Uint8Array(hkdfSync('sha256', key, 'holdfast v1', 'holdfast encryption', 32));
    expect(deriveSubkey(key, 'holdfast encryption')).toEqual(expected);
    expect(deriveSubkey(key, 'x', 64)).toHaveLength(64);
  });

  it('gives unrelated keys for different purposes and masters', () => {
    expect(deriveSubkey(key, 'one')).not.toEqual(deriveSubkey(key, 'two'));
    expect(deriveSubkey(key, 'one')).not.toEqual(deriveSubkey(new Uint8Array(randomBytes(32)), 'one'));
  });

  it.each<[string, Uint8Array, string, number]>([
    ['an empty master', new Uint8Array(0), 'x', 32],
    ['an empty purpose', key, '', 32],
    ['length 0', key, 'x', 0],
    ['length 8161', key, 'x', 8161],
  ])('refuses %s', (_name, master, purpose, length) => {
    expect(() => deriveSubkey(master, purpose, length)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});

describe('sha256 and randomId', () => {
  it('hashes bytes and sequences of bytes alike', () => {
    const expected = createHash('sha256').update(data).digest();
    expect(Buffer.from(sha256(data)).equals(expected)).toBe(true);
    expect(Buffer.from(sha256([data.subarray(0, 4), new Uint8Array(0), data.subarray(4)])).equals(expected)).toBe(true);
    expect(sha256Hex(data)).toBe(expected.toString('hex'));
    expect(sha256Hex([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('makes random hex ids of the asked length', () => {
    expect(randomId()).toMatch(/^[0-9a-f]{64}$/);
    expect(randomId(4)).toMatch(/^[0-9a-f]{8}$/);
    expect(randomId()).not.toBe(randomId());
    expect(() => randomId(0)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});
