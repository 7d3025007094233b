/**
 * Sealing with AES-256-GCM: `nonce (12) ‖ ciphertext ‖ tag (16)`, a fresh random nonce per seal.
 *
 * Synchronous on purpose: with AES-NI OpenSSL seals GB/s, cheaper than a threadpool hop for the chunk
 * sizes the engine uses. Random 96-bit nonces are safe for up to 2^32 seals under one key (NIST SP
 * 800-38D), i.e. petabytes of 1 MiB blobs; nonces come from a pooled `randomFillSync` because one call
 * per 12 bytes costs more than sealing a small object.
 *
 * Any failure to open is an {@link IntegrityError} with a message that says what it means; the OpenSSL
 * error is kept as the cause. Wrong key lengths are programming errors and throw ValidationError.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { IntegrityError, ValidationError } from '../errors/index.ts';
import { secretKeyObject } from './secret-key-cache.ts';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Bytes a sealed value has beyond its plaintext: a 12-byte nonce and a 16-byte tag. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

const noncePool = new Uint8Array(NONCE_BYTES * 512);
let noncePoolUsed = noncePool.length;

/** Writes a fresh random nonce into `target`. */
function fillNonce(target: Uint8Array): void {
  if (noncePoolUsed === noncePool.length) {
    randomFillSync(noncePool);
    noncePoolUsed = 0;
  }
  target.set(noncePool.subarray(noncePoolUsed, noncePoolUsed + NONCE_BYTES));
  // Never hand out the same pool bytes twice.
  noncePool.fill(0, noncePoolUsed, noncePoolUsed + NONCE_BYTES);
  noncePoolUsed += NONCE_BYTES;
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new ValidationError(`an AES-256 key is 32 bytes, not ${key instanceof Uint8Array ? key.length : typeof key}`);
  }
}

/**
 * Encrypts and authenticates `plaintext` with AES-256-GCM. `aad` (associated data) is authenticated
 * but not stored: {@link open} must be given the same bytes.
 *
 * @param key - 32 bytes.
 * @returns `nonce (12) ‖ ciphertext ‖ tag (16)`, {@link SEAL_OVERHEAD} bytes longer than `plaintext`.
 * @throws ValidationError when the key is not 32 bytes.
 * @example
 * ```ts
 * const sealed = seal(key, plaintext, new TextEncoder().encode('snapshot'));
 * const again = open(key, sealed, new TextEncoder().encode('snapshot'));
 * ```
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  checkKey(key);
  const out = new Uint8Array(plaintext.length + SEAL_OVERHEAD);
  const nonce = out.subarray(0, NONCE_BYTES);
  fillNonce(nonce);
  const cipher = createCipheriv('aes-256-gcm', secretKeyObject(key), nonce, { authTagLength: TAG_BYTES });
  if (aad !== undefined) cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  out.set(body, NONCE_BYTES);
  const rest = cipher.final();
  if (rest.length > 0) out.set(rest, NONCE_BYTES + body.length);
  out.set(cipher.getAuthTag(), NONCE_BYTES + plaintext.length);
  return out;
}

/**
 * Verifies and decrypts what {@link seal} made with the same key and `aad`.
 *
 * @throws IntegrityError when `sealed` is too short, was altered, or the key or `aad` is not the one it
 * was sealed with (these cannot be told apart, by design).
 * @throws ValidationError when the key is not 32 bytes.
 */
export function open(key: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array {
  checkKey(key);
  if (sealed.length < SEAL_OVERHEAD) {
    throw new IntegrityError(
      `sealed data is ${sealed.length} bytes, shorter than its ${SEAL_OVERHEAD}-byte nonce and tag`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', secretKeyObject(key), sealed.subarray(0, NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    if (aad !== undefined) decipher.setAAD(aad);
    const body = decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES));
    const rest = decipher.final();
    if (rest.length === 0) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    const out = new Uint8Array(body.length + rest.length);
    out.set(body);
    out.set(rest, body.length);
    return out;
  } catch (error) {
    throw new IntegrityError(
      'sealed data failed authentication: it was altered, or the key or associated data is not the one it was sealed with',
      { cause: error },
    );
  }
}
