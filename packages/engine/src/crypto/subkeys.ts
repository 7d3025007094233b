/**
 * One secret, several purposes: every key the engine uses comes out of HKDF-SHA-256 (RFC 5869) with its
 * own purpose label as `info`, so no key serves two purposes and learning one reveals nothing of the
 * others. The salt is the fixed string `holdfast v1`: the master secrets are uniformly random already,
 * and the version in the salt separates a future format's keys from these.
 */
import { hkdfSync } from 'node:crypto';
import { ValidationError } from '../errors/index.ts';

/** The HKDF salt of every sub-key. Changing it changes every derived key. */
export const SUBKEY_SALT = 'holdfast v1';

/**
 * A sub-key of `master` for one `purpose`: HKDF-SHA-256 with salt {@link SUBKEY_SALT}.
 *
 * @param length - Bytes, 1 to 8160 (HKDF-SHA-256's limit). Default: 32.
 * @throws ValidationError when the master secret or purpose is empty, or the length is out of range.
 * @example
 * ```ts
 * const encryptionKey = deriveSubkey(masterSecret, 'holdfast encryption');
 * ```
 */
export function deriveSubkey(master: Uint8Array, purpose: string, length = 32): Uint8Array {
  if (!(master instanceof Uint8Array) || master.length === 0) throw new ValidationError('the master secret is empty');
  if (purpose === '') throw new ValidationError('a sub-key needs a purpose');
  if (!Number.isSafeInteger(length) || length < 1 || length > 255 * 32) {
    throw new ValidationError(`a sub-key is 1 to 8160 bytes, not ${String(length)}`);
  }
  return new Uint8Array(hkdfSync('sha256', master, SUBKEY_SALT, purpose, length));
}
