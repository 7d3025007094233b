/**
 * Blob ids: HMAC-SHA-256 under a repository's id key, so an id reveals nothing about content to anyone
 * without the key (a plain SHA-256 would let an observer confirm that a repository holds a known file).
 * The key becomes a native key object once per hasher: building it per call would cost five times the
 * hashing of a 1 KiB blob.
 */
import { createHmac, createSecretKey } from 'node:crypto';
import { ValidationError } from '../errors/index.ts';

/** HMAC-SHA-256 under a fixed key. */
export interface KeyedHasher {
  /** The 32-byte HMAC-SHA-256 of `data`. */
  digest(data: Uint8Array): Uint8Array;
}

/**
 * A hasher for blob ids under `key` (at least 16 bytes; 32 recommended, e.g. a
 * {@link deriveSubkey} output).
 *
 * @throws ValidationError when the key is shorter than 16 bytes.
 * @example
 * ```ts
 * const ids = createKeyedHasher(deriveSubkey(masterSecret, 'holdfast blob id'));
 * const id = Buffer.from(ids.digest(chunk)).toString('hex');
 * ```
 */
export function createKeyedHasher(key: Uint8Array): KeyedHasher {
  if (!(key instanceof Uint8Array) || key.length < 16) {
    throw new ValidationError('a keyed hasher needs a key of at least 16 bytes');
  }
  // A snapshot of the key: later changes to the caller's array do not change the hasher.
  const keyObject = createSecretKey(key);
  return {
    digest(data: Uint8Array): Uint8Array {
      const mac = createHmac('sha256', keyObject).update(data).digest();
      return new Uint8Array(mac.buffer, mac.byteOffset, mac.byteLength);
    },
  };
}
