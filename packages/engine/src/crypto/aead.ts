/**
 * Sealing with AES-256-GCM: `nonce (12) ‖ ciphertext ‖ tag (16)`, a fresh random nonce per seal.
 * Synchronous on purpose: with AES-NI OpenSSL seals several GB/s, cheaper than a threadpool hop for the
 * chunk sizes the engine uses. Any failure to open is an `IntegrityError`; the OpenSSL error is kept as
 * the cause, never shown as the message.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { IntegrityError, ValidationError } from '../errors/index.ts';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Bytes a sealed value has beyond its plaintext. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

function assertKey(key: Uint8Array): void {
  if (key.length !== 32) throw new ValidationError(`an AES-256 key is 32 bytes, not ${String(key.length)}`);
}

/** Encrypts and authenticates `plaintext` (and `aad`, which is not stored). */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  assertKey(key);
  const out = new Uint8Array(plaintext.length + SEAL_OVERHEAD);
  const nonce = out.subarray(0, NONCE_BYTES);
  randomFillSync(nonce);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  if (aad !== undefined) cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  out.set(body, NONCE_BYTES);
  const final = cipher.final();
  out.set(final, NONCE_BYTES + body.length);
  out.set(cipher.getAuthTag(), NONCE_BYTES + plaintext.length);
  return out;
}

/** Verifies and decrypts what {@link seal} made with the same key and `aad`. */
export function open(key: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array {
  assertKey(key);
  if (sealed.length < SEAL_OVERHEAD) throw new IntegrityError('sealed data is too short to be valid');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    if (aad !== undefined) decipher.setAAD(aad);
    const body = decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES));
    const final = decipher.final();
    if (final.length === 0) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    const out = new Uint8Array(body.length + final.length);
    out.set(body);
    out.set(final, body.length);
    return out;
  } catch (error) {
    throw new IntegrityError('authentication failed: the data was altered or the key is wrong', { cause: error });
  }
}
