import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyedHasher, open, seal, sha256HexInThreadpool, ThreadpoolKeys } from './index.ts';

const idKey = new Uint8Array(randomBytes(32));
const aesKey = new Uint8Array(randomBytes(32));
const aad = new TextEncoder().encode('holdfast:data');
const keys = new ThreadpoolKeys(idKey, aesKey);

describe('threadpool crypto (WebCrypto) matches the synchronous primitives', () => {
  it.each([0, 1, 65_536, 1_048_576 + 5])('HMAC of %d bytes equals the keyed hasher', async (size) => {
    const data = new Uint8Array(randomBytes(size));
    expect(Buffer.from(await keys.hmac(data))).toEqual(Buffer.from(createKeyedHasher(idKey).digest(data)));
  });

  it.each([0, 17, 65_536, 2_000_003])('%d bytes sealed in the threadpool open synchronously', async (size) => {
    const plain = new Uint8Array(randomBytes(size));
    const sealed = await keys.seal(plain, aad);
    expect(sealed.length).toBe(size + 28);
    expect(Buffer.from(open(aesKey, sealed, aad)).equals(plain)).toBe(true);
  });

  it.each([0, 17, 65_536, 2_000_003])('%d bytes sealed synchronously open in the threadpool', async (size) => {
    const plain = new Uint8Array(randomBytes(size));
    expect(Buffer.from(await keys.open(seal(aesKey, plain, aad), aad)).equals(plain)).toBe(true);
  });

  it('uses a fresh nonce per seal', async () => {
    const plain = new Uint8Array(100);
    const nonces = new Set(
      await Promise.all(
        Array.from({ length: 200 }, async () =>
          Buffer.from((await keys.seal(plain, aad)).subarray(0, 12)).toString('hex'),
        ),
      ),
    );
    expect(nonces.size).toBe(200);
  });

  it('refuses a flipped byte, a different associated data and a truncated value', async () => {
    const sealed = await keys.seal(new Uint8Array(70_000).fill(3), aad);
    const flipped = sealed.slice();
    flipped[40_000]! ^= 1;
    await expect(keys.open(flipped, aad)).rejects.toThrow();
    await expect(keys.open(sealed, new TextEncoder().encode('holdfast:tree'))).rejects.toThrow();
    await expect(keys.open(sealed.subarray(0, 20), aad)).rejects.toThrow(RangeError);
  });

  it('hashes the concatenation of parts like SHA-256 does', async () => {
    const parts = [randomBytes(10), new Uint8Array(0), randomBytes(1_000_000)].map((b) => new Uint8Array(b));
    const expected = createHash('sha256');
    for (const part of parts) expected.update(part);
    expect(await sha256HexInThreadpool(parts)).toBe(expected.digest('hex'));
  });
});
