import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testBytes } from '../testing/bytes.ts';
import { cutPoints, defaultChunkerSizes, deriveChunkerParams, fastcdcGear } from './index.ts';

const secretA = new Uint8Array(32).fill(1);
const secretB = new Uint8Array(32).fill(2);

describe('deriveChunkerParams', () => {
  it('is deterministic per secret and differs between secrets', () => {
    const a = deriveChunkerParams(secretA);
    const again = deriveChunkerParams(Uint8Array.from(secretA));
    const b = deriveChunkerParams(secretB);
    expect(again.gearHi).toEqual(a.gearHi);
    expect(again.gearLo).toEqual(a.gearLo);
    expect(b.gearHi).not.toEqual(a.gearHi);
    expect(a.gearHi).not.toEqual(fastcdcGear.hi);
  });

  it('derives entry 4k+j from bytes 8j..8j+7 of HMAC-SHA-256(secret, "holdfast-gear" ‖ uint32be(k))', () => {
    const params = deriveChunkerParams(secretA);
    for (const block of [0, 1, 63]) {
      const message = Buffer.concat([Buffer.from('holdfast-gear'), Buffer.from([0, 0, 0, block])]);
      const digest = createHmac('sha256', secretA).update(message).digest();
      for (let entry = 0; entry < 4; entry++) {
        expect(params.gearHi[block * 4 + entry]).toBe(digest.readUInt32BE(entry * 8));
        expect(params.gearLo[block * 4 + entry]).toBe(digest.readUInt32BE(entry * 8 + 4));
      }
    }
  });

  it('draws boundaries that depend on the secret', () => {
    const sizes = { minSize: 256, avgSize: 1024, maxSize: 8192 };
    const data = testBytes(200_000, 8);
    const a = cutPoints(deriveChunkerParams(secretA, sizes), data).map((cut) => cut.offset);
    const b = cutPoints(deriveChunkerParams(secretB, sizes), data).map((cut) => cut.offset);
    expect(a).not.toEqual(b);
    expect(a.length).toBeGreaterThan(100);
  });

  it('defaults to 512 KiB / 1 MiB / 8 MiB, level 1, and takes overrides', () => {
    const params = deriveChunkerParams(secretA);
    expect({
      minSize: params.minSize,
      avgSize: params.avgSize,
      maxSize: params.maxSize,
      normalization: params.normalization,
    }).toEqual(defaultChunkerSizes);
    expect(defaultChunkerSizes).toEqual({ minSize: 524_288, avgSize: 1_048_576, maxSize: 8_388_608, normalization: 1 });
    expect(deriveChunkerParams(secretA, { avgSize: 2_097_152 }).avgSize).toBe(2_097_152);
  });

  it('refuses short secrets and bad sizes with ValidationError', () => {
    expect(() => deriveChunkerParams(new Uint8Array(15))).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/at least 16 bytes/) }),
    );
    expect(() => deriveChunkerParams(secretA, { maxSize: 1_000 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
  });
});
