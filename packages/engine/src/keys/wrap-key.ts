/** Wrapping one key with another (AES-256-GCM), the building block of every provider. */
import { open, seal } from '../crypto/index.ts';
import { AuthError, ValidationError } from '../errors/index.ts';

/** Wraps `key` with a 32-byte key-encryption key; the result is base64. */
export function wrapKey(keyEncryptionKey: Uint8Array, key: Uint8Array, aad?: Uint8Array): string {
  return Buffer.from(seal(keyEncryptionKey, key, aad)).toString('base64');
}

/** Unwraps what {@link wrapKey} made; `AuthError` when the key-encryption key does not open it. */
export function unwrapKey(
  keyEncryptionKey: Uint8Array,
  wrapped: string,
  aad?: Uint8Array,
  what = 'the key',
): Uint8Array {
  if (keyEncryptionKey.length !== 32) throw new ValidationError('a key-encryption key is 32 bytes');
  try {
    return open(keyEncryptionKey, new Uint8Array(Buffer.from(wrapped, 'base64')), aad);
  } catch (error) {
    throw new AuthError(`${what} does not open this key`, { cause: error });
  }
}
