/**
 * The server's envelope scheme: a repository's master secret wrapped by an account key, itself wrapped
 * by the server's master key (outside the engine). The provider holds one account key and its id.
 */
import { AuthError, ValidationError } from '../errors/index.ts';
import type { KeyProvider, KeyWrapping } from './key-provider.ts';
import { unwrapKey, wrapKey } from './wrap-key.ts';

const SCHEME = 'envelope';

export interface EnvelopeKeyProviderOptions {
  /** The id of the key-encryption key (an account key's id); stored with each wrapping. */
  readonly keyId: string;
  /** The key-encryption key: 32 bytes. */
  readonly keyEncryptionKey: Uint8Array;
}

export class EnvelopeKeyProvider implements KeyProvider {
  readonly scheme = SCHEME;
  readonly description: string;
  readonly #keyId: string;
  readonly #kek: Uint8Array;

  constructor(options: EnvelopeKeyProviderOptions) {
    if (options.keyEncryptionKey.length !== 32) throw new ValidationError('a key-encryption key is 32 bytes');
    if (options.keyId === '') throw new ValidationError('the key id is empty');
    this.#keyId = options.keyId;
    this.#kek = options.keyEncryptionKey;
    this.description = `key ${options.keyId}`;
  }

  async wrap(secret: Uint8Array): Promise<KeyWrapping> {
    return Promise.resolve({
      scheme: SCHEME,
      params: { keyId: this.#keyId },
      wrapped: wrapKey(this.#kek, secret, this.#aad()),
    });
  }

  async unwrap(wrapping: KeyWrapping): Promise<Uint8Array> {
    if (wrapping.scheme !== SCHEME)
      throw new ValidationError(`a ${wrapping.scheme} key cannot be opened with ${this.description}`);
    if (wrapping.params['keyId'] !== this.#keyId) {
      throw new AuthError(`this key was wrapped by key ${String(wrapping.params['keyId'])}, not ${this.#keyId}`);
    }
    return Promise.resolve(unwrapKey(this.#kek, wrapping.wrapped, this.#aad(), this.description));
  }

  #aad(): Uint8Array {
    return new TextEncoder().encode(`holdfast:key:envelope:${this.#keyId}`);
  }
}
