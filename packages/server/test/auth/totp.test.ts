/**
 * Our TOTP against RFC 6238 Appendix B (the SHA-1 rows, 8 digits, secret "12345678901234567890") and
 * against an independent implementation (`oathtool`, OATH Toolkit), plus base32 (RFC 4648 section 10)
 * and the sealing of secrets at rest.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretBox } from '../../src/auth/secret-box.ts';
import { base32Decode, base32Encode, totpCode, totpStep, verifyTotp } from '../../src/auth/totp.ts';
import { oathtoolCode } from '../support/oathtool.ts';

const rfcSecret = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP', () => {
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('matches RFC 6238 Appendix B at T=%i (SHA-1)', (seconds, expected) => {
    expect(totpCode(rfcSecret, new Date(seconds * 1000), 8)).toBe(expected);
  });

  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('encodes %j as base32 %j (RFC 4648) and back', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(plain);
  });

  it('agrees with oathtool on random secrets and times', () => {
    for (let i = 0; i < 20; i++) {
      const secret = randomBytes(20);
      const at = new Date(Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 3e11));
      expect(totpCode(secret, at)).toBe(oathtoolCode(base32Encode(secret), at));
    }
  });

  it('accepts ±1 step, refuses older and newer steps, and anything at or before the last used step', () => {
    const secret = randomBytes(20);
    const now = new Date('2026-12-01T09:00:10Z');
    const step = totpStep(now);
    const codeAt = (offset: number) => totpCode(secret, new Date(now.getTime() + offset * 30_000));
    expect(verifyTotp(secret, codeAt(0), now, null)).toBe(step);
    expect(verifyTotp(secret, codeAt(-1), now, null)).toBe(step - 1);
    expect(verifyTotp(secret, codeAt(1), now, null)).toBe(step + 1);
    expect(verifyTotp(secret, codeAt(-2), now, null)).toBeNull();
    expect(verifyTotp(secret, codeAt(2), now, null)).toBeNull();
    expect(verifyTotp(secret, codeAt(0), now, step)).toBeNull();
    expect(verifyTotp(secret, codeAt(-1), now, step - 1)).toBeNull();
    expect(verifyTotp(secret, codeAt(1), now, step)).toBe(step + 1);
    expect(verifyTotp(secret, '12345', now, null)).toBeNull();
    expect(verifyTotp(secret, 'abcdef', now, null)).toBeNull();
  });
});

describe('secret box', () => {
  const box = secretBox(randomBytes(32), 'totp');

  it('seals without the plaintext and opens only for the same context', () => {
    const secret = randomBytes(20);
    const sealed = box.seal(secret, 'usr_a');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(base32Encode(secret));
    expect(box.seal(secret, 'usr_a')).not.toBe(sealed);
    expect(box.open(sealed, 'usr_a').equals(secret)).toBe(true);
    expect(() => box.open(sealed, 'usr_b')).toThrow();
    expect(() => secretBox(randomBytes(32), 'totp').open(sealed, 'usr_a')).toThrow();
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = box.seal(randomBytes(20), 'usr_a');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[2] = body.toString('base64url');
    expect(() => box.open(parts.join('.'), 'usr_a')).toThrow();
  });
});
