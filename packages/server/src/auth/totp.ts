/**
 * TOTP (RFC 6238) over HOTP (RFC 4226) with `node:crypto`: HMAC-SHA-1, 6 digits, 30-second steps, the
 * parameters every authenticator app assumes by default. Secrets are 20 random bytes (RFC 4226's
 * recommended 160 bits), shown to people in base32 (RFC 4648, no padding).
 *
 * Verification accepts the current step and one step either side (clock drift, a code typed at the edge
 * of its 30 seconds), compares in constant time, and never accepts a step at or before `lastStep`: the
 * caller stores the step answered (see `accounts/two-factor.ts`), so a code works once.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Seconds per time step. */
export const totpPeriodSeconds = 30;
/** Digits per code. */
export const totpDigits = 6;
/** Steps accepted on either side of the current one. */
export const totpWindow = 1;

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding: `base32Encode(Buffer.from('foobar'))` → `MZXW6YTBOI`. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  if (bits > 0) out += base32Alphabet.charAt((value << (5 - bits)) & 31);
  return out;
}

/** Decodes base32 (case, spaces and `=` padding ignored). @throws Error on a character outside it. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = base32Alphabet.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new TOTP secret: 20 random bytes. */
export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

/** HOTP (RFC 4226): the `digits`-digit code of `counter`, with HMAC-SHA-1 by default. */
export function hotp(secret: Uint8Array, counter: number, digits = totpDigits, algorithm = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step of a moment. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / totpPeriodSeconds);
}

/** The code of a moment. */
export function totpCode(secret: Uint8Array, at: Date, digits = totpDigits): string {
  return hotp(secret, totpStep(at), digits);
}

/**
 * The step whose code `code` is, within ±{@link totpWindow} steps of `at` and after `lastStep`; null when
 * none matches (wrong, too old, too new or already used).
 */
export function verifyTotp(secret: Uint8Array, code: string, at: Date, lastStep: number | null): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const now = totpStep(at);
  let matched: number | null = null;
  for (let step = now - totpWindow; step <= now + totpWindow; step++) {
    const equal = timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(code));
    if (equal && (lastStep === null || step > lastStep) && matched === null) matched = step;
  }
  return matched;
}

/** The `otpauth://` URI authenticator apps read (Google Authenticator's key URI format). */
export function otpauthUri(secret: Uint8Array, accountName: string, issuer = 'Holdfast'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const query = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: 'SHA1',
    digits: String(totpDigits),
    period: String(totpPeriodSeconds),
  });
  return `otpauth://totp/${label}?${query.toString()}`;
}
