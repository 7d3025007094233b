/**
 * The server's envelope scheme: a repository's data key wrapped by an account key, itself wrapped by the
 * server's master key (outside the engine, with {@link wrapKey}). The provider holds one account key
 * and its id. The id is stored with the wrapping and bound into it as associated data, so a wrapping
 * cannot be passed off as another key's, and a provider asked to open another key's wrapping says which
 * key it needs.
 */
import { AuthError, ValidationError } from '../errors/index.ts';
import type { KeyProvider, KeyWrapping } from './key-provider.ts';
import { unwrapKey, wrapKey } from './wrap-key.ts';

const SCHEME = 'envelope';

/** What {@link EnvelopeKeyProvider} needs. */
export interface EnvelopeKeyProviderOptions {
  /** The id of the key-encryption key (an account key's id); stored with each wrapping. 1–200 printable characters. */
  readonly keyId: string;
  /** The key-encryption key: 32 bytes. */
  readonly keyEncryptionKey: Uint8Array;
}

/**
 * Wraps with an account key identified by `keyId`.
 *
 * @example
 * ```ts
 * const kek = unwrapKey(masterKey, account.wrappedKey);
 * const keys = new EnvelopeKeyProvider({ keyId: account.keyId, keyEncryptionKey: kek });
 * const repository = await Repository.open(store, { keyProvider: keys });
 * ```
 */
export class EnvelopeKeyProvider implements KeyProvider {
  readonly scheme = SCHEME;
  readonly description: string;
  readonly #keyId: string;
  readonly #kek: Uint8Array;

  /** @throws ValidationError when the key is not 32 bytes or the key id is empty, too long or not printable. */
  constructor(options: EnvelopeKeyProviderOptions) {
    const { keyId, keyEncryptionKey } = options;
    if (!(keyEncryptionKey instanceof Uint8Array) || keyEncryptionKey.length !== 32) {
      throw new ValidationError('a key-encryption key is 32 bytes');
    }
    if (typeof keyId !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(keyId)) {
      throw new ValidationError('a key id is 1 to 200 printable ASCII characters without spaces');
    }
    this.#keyId = keyId;
    this.#kek = Uint8Array.from(keyEncryptionKey);
    this.description = `key-encryption key "${keyId}"`;
  }

  async wrap(secret: Uint8Array): Promise<KeyWrapping> {
    return Promise.resolve({
      scheme: SCHEME,
      params: { keyId: this.#keyId },
      wrapped: wrapKey(this.#kek, secret, this.#aad()),
    });
  }

  async unwrap(wrapping: KeyWrapping): Promise<Uint8Array> {
    if (wrapping.scheme !== SCHEME) {
      throw new ValidationError(`a ${wrapping.scheme} key cannot be opened with ${this.description}`);
    }
    const keyId = wrapping.params['keyId'];
    if (keyId !== this.#keyId) {
      throw new AuthError(`this key needs key-encryption key "${String(keyId)}"; this provider holds "${this.#keyId}"`);
    }
    return Promise.resolve(unwrapKey(this.#kek, wrapping.wrapped, this.#aad(), this.description));
  }

  #aad(): Uint8Array {
    return new TextEncoder().encode(`holdfast:key:envelope:${this.#keyId}`);
  }
}
