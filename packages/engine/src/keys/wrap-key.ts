/**
 * Wrapping one key with another (AES-256-GCM via {@link seal}), the building block of every provider and
 * of the server's outer envelope layers (repository key ← account key ← master key). A wrapping that does
 * not open is an authentication failure (`AuthError`), not damaged data.
 */
import { open, seal } from '../crypto/index.ts';
import { AuthError, ValidationError } from '../errors/index.ts';

function checkKek(keyEncryptionKey: Uint8Array): void {
  if (!(keyEncryptionKey instanceof Uint8Array) || keyEncryptionKey.length !== 32) {
    throw new ValidationError('a key-encryption key is 32 bytes');
  }
}

/**
 * Wraps `key` with a 32-byte key-encryption key. `aad` binds the wrapping to a context (a key id, a
 * scheme); unwrapping needs the same bytes.
 *
 * @returns base64 of `nonce ‖ ciphertext ‖ tag`.
 * @throws ValidationError when the key-encryption key is not 32 bytes or `key` is empty.
 * @example
 * ```ts
 * const stored = wrapKey(masterKey, accountKey, new TextEncoder().encode(`account:${accountId}`));
 * ```
 */
export function wrapKey(keyEncryptionKey: Uint8Array, key: Uint8Array, aad?: Uint8Array): string {
  checkKek(keyEncryptionKey);
  if (!(key instanceof Uint8Array) || key.length === 0) throw new ValidationError('there is no key to wrap');
  return Buffer.from(seal(keyEncryptionKey, key, aad)).toString('base64');
}

/**
 * Unwraps what {@link wrapKey} made.
 *
 * @param description - Names the key-encryption key in the error message. Default: `the key`.
 * @throws AuthError (`<description> does not open this key`) when the key-encryption key or `aad` is not
 * the one used, or the wrapping was altered.
 * @throws ValidationError when the key-encryption key is not 32 bytes.
 */
export function unwrapKey(
  keyEncryptionKey: Uint8Array,
  wrapped: string,
  aad?: Uint8Array,
  description = 'the key',
): Uint8Array {
  checkKek(keyEncryptionKey);
  if (typeof wrapped !== 'string') throw new AuthError('the wrapped key is malformed: it is not a base64 string');
  try {
    return open(keyEncryptionKey, new Uint8Array(Buffer.from(wrapped, 'base64')), aad);
  } catch (error) {
    throw new AuthError(`${description} does not open this key`, { cause: error });
  }
}
