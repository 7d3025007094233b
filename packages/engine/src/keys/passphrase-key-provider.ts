/**
 * The standalone scheme: a passphrase, stretched by argon2id (node:crypto, Node ≥ 24.7) into a
 * key-encryption key. Parameters and a fresh random salt are stored with each wrapping, so they can be
 * raised later without breaking older keys. Where argon2id is missing, scrypt (N=2^17, r=8, p=1).
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { AuthError, ValidationError } from '../errors/index.ts';
import type { KeyProvider, KeyWrapping } from './key-provider.ts';
import { unwrapKey, wrapKey } from './wrap-key.ts';

/** KDF parameters. `memory` is in KiB (argon2id) or the scrypt cost N. */
export interface KdfParams {
  readonly algorithm: 'argon2id' | 'scrypt';
  readonly memory: number;
  readonly passes: number;
  readonly parallelism: number;
}

/** RFC 9106's second recommended argon2id option: 64 MiB, 3 passes, 4 lanes (~0.15 s here). */
export const defaultKdfParams: KdfParams = { algorithm: 'argon2id', memory: 65_536, passes: 3, parallelism: 4 };

/** Cheap parameters FOR TESTS ONLY: they make a passphrase easy to brute-force. */
export const testingKdfParams: KdfParams = { algorithm: 'argon2id', memory: 64, passes: 1, parallelism: 1 };

const SCHEME = 'passphrase';
const AAD = new TextEncoder().encode('holdfast:key:passphrase');

type Argon2 = (
  algorithm: string,
  parameters: Record<string, unknown>,
  callback: (error: Error | null, key: Buffer) => void,
) => void;
const argon2 = (crypto as unknown as { argon2?: Argon2 }).argon2;
const scrypt = promisify(crypto.scrypt) as (
  password: Uint8Array,
  salt: Uint8Array,
  length: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

async function deriveKek(passphrase: Uint8Array, salt: Uint8Array, kdf: KdfParams): Promise<Uint8Array> {
  if (kdf.algorithm === 'argon2id') {
    if (argon2 === undefined) throw new ValidationError('argon2id needs Node 24.7 or later');
    const run = argon2;
    return new Promise((resolve, reject) => {
      run(
        'argon2id',
        {
          message: passphrase,
          nonce: salt,
          parallelism: kdf.parallelism,
          tagLength: 32,
          memory: kdf.memory,
          passes: kdf.passes,
        },
        (error, key) => {
          if (error === null) resolve(new Uint8Array(key));
          else reject(error);
        },
      );
    });
  }
  const key = await scrypt(passphrase, salt, 32, {
    N: kdf.memory,
    r: 8,
    p: kdf.parallelism,
    maxmem: 256 * kdf.memory * 8 + 1024 * 1024,
  });
  return new Uint8Array(key);
}

function kdfFromParams(params: KeyWrapping['params']): KdfParams {
  const { kdf, memory, passes, parallelism } = params;
  if (
    (kdf !== 'argon2id' && kdf !== 'scrypt') ||
    ![memory, passes, parallelism].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n > 0)
  ) {
    throw new AuthError('the key record has malformed KDF parameters');
  }
  if ((memory as number) > 4 * 1024 * 1024)
    throw new AuthError('the key record asks for more than 4 GiB of KDF memory');
  return { algorithm: kdf, memory: memory as number, passes: passes as number, parallelism: parallelism as number };
}

export interface PassphraseKeyProviderOptions {
  /** KDF parameters for new wrappings. Default {@link defaultKdfParams}. */
  readonly kdf?: KdfParams | undefined;
}

export class PassphraseKeyProvider implements KeyProvider {
  readonly scheme = SCHEME;
  readonly description = 'the passphrase';
  readonly #passphrase: Uint8Array;
  readonly #kdf: KdfParams;

  constructor(passphrase: string | Uint8Array, options: PassphraseKeyProviderOptions = {}) {
    const bytes = typeof passphrase === 'string' ? new TextEncoder().encode(passphrase) : passphrase;
    if (bytes.length === 0) throw new ValidationError('the passphrase is empty');
    this.#passphrase = bytes;
    this.#kdf =
      options.kdf ??
      (argon2 === undefined ? { algorithm: 'scrypt', memory: 131_072, passes: 1, parallelism: 1 } : defaultKdfParams);
  }

  async wrap(secret: Uint8Array): Promise<KeyWrapping> {
    const salt = crypto.randomBytes(16);
    const kek = await deriveKek(this.#passphrase, salt, this.#kdf);
    return {
      scheme: SCHEME,
      params: {
        kdf: this.#kdf.algorithm,
        memory: this.#kdf.memory,
        passes: this.#kdf.passes,
        parallelism: this.#kdf.parallelism,
        salt: salt.toString('base64'),
      },
      wrapped: wrapKey(kek, secret, AAD),
    };
  }

  async unwrap(wrapping: KeyWrapping): Promise<Uint8Array> {
    if (wrapping.scheme !== SCHEME)
      throw new ValidationError(`a ${wrapping.scheme} key cannot be opened with a passphrase`);
    const salt = wrapping.params['salt'];
    if (typeof salt !== 'string') throw new AuthError('the key record has no salt');
    const kek = await deriveKek(
      this.#passphrase,
      new Uint8Array(Buffer.from(salt, 'base64')),
      kdfFromParams(wrapping.params),
    );
    return unwrapKey(kek, wrapping.wrapped, AAD, 'the passphrase');
  }
}
