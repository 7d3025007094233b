/**
 * The same primitives as `aead.ts` and `keyed-hasher.ts`, run in libuv's threadpool through WebCrypto, for
 * large inputs. A backup's main thread chunks, hashes and seals every byte; moving the keyed hash and the
 * encryption of large chunks (and the SHA-256 of whole packs) to the threadpool lets a second core share
 * that work. Small inputs stay synchronous: a threadpool hop costs more than the work.
 *
 * Outputs are byte-for-byte those of the synchronous functions: the same HMAC, and `nonce ‖ ciphertext ‖
 * tag` for AES-256-GCM, so either may open what the other sealed.
 */
import { randomBytes, webcrypto } from 'node:crypto';

const subtle = webcrypto.subtle;

/** Inputs at least this large go to the threadpool. */
export const THREADPOOL_THRESHOLD = 64 * 1024;

/** WebCrypto keys for one raw key, imported once. */
export class ThreadpoolKeys {
  readonly #hmac: Promise<webcrypto.CryptoKey>;
  readonly #aes: Promise<webcrypto.CryptoKey>;

  constructor(hmacKey: Uint8Array, aesKey: Uint8Array) {
    this.#hmac = subtle.importKey('raw', hmacKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    this.#aes = subtle.importKey('raw', aesKey, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  }

  /** HMAC-SHA-256 under the HMAC key. */
  async hmac(data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await subtle.sign('HMAC', await this.#hmac, data));
  }

  /** AES-256-GCM under the AES key: `nonce (12) ‖ ciphertext ‖ tag (16)`. */
  async seal(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const nonce = randomBytes(12);
    const sealed = await subtle.encrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 },
      await this.#aes,
      plaintext,
    );
    const out = new Uint8Array(12 + sealed.byteLength);
    out.set(nonce, 0);
    out.set(new Uint8Array(sealed), 12);
    return out;
  }

  /**
   * Opens what {@link seal} (or the synchronous `seal`) sealed under the AES key. Rejects with WebCrypto's
   * `OperationError` when the bytes were altered or the key or `aad` differ; callers wrap it.
   */
  async open(sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    if (sealed.length < 12 + 16) throw new RangeError('a sealed value is at least 28 bytes');
    const plain = await subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(0, 12), additionalData: aad, tagLength: 128 },
      await this.#aes,
      sealed.subarray(12),
    );
    return new Uint8Array(plain);
  }
}

/** SHA-256 of the concatenation of `parts`, hex, computed in the threadpool. */
export async function sha256HexInThreadpool(parts: readonly Uint8Array[]): Promise<string> {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const whole = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return Buffer.from(await subtle.digest('SHA-256', whole)).toString('hex');
}
