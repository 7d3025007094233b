/**
 * The standalone scheme: a passphrase, stretched by argon2id (node:crypto `argon2`, Node ≥ 24.7) into a
 * key-encryption key that seals the data key (AES-256-GCM). Where argon2 is missing, scrypt.
 *
 * The KDF parameters and a fresh 16-byte salt are stored with each wrapping and unwrapping uses the
 * stored ones, so parameters can be raised later without breaking older keys. Because a key record is
 * read from storage that an attacker may control, stored parameters are bounded (4 GiB of memory, 64
 * passes, 64 lanes) so a hostile record cannot make unwrapping run for hours; a record outside the
 * bounds is refused with `AuthError`, like any other record this passphrase cannot open.
 *
 * String passphrases are NFC-normalised before UTF-8 encoding, so the same passphrase typed on systems
 * that compose accents differently opens the same key.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { AuthError, ValidationError } from '../errors/index.ts';
import type { KeyProvider, KeyWrapping } from './key-provider.ts';
import { unwrapKey, wrapKey } from './wrap-key.ts';

/**
 * KDF parameters. For argon2id, `memory` is in KiB; for scrypt it is the cost N (a power of two), with
 * r = 8, and `passes` is unused (kept as 1).
 */
export interface KdfParams {
  readonly algorithm: 'argon2id' | 'scrypt';
  readonly memory: number;
  readonly passes: number;
  readonly parallelism: number;
}

const argon2 = (crypto as Partial<typeof crypto>).argon2;

/** Whether this Node.js has argon2 (node:crypto `argon2`, Node ≥ 24.7). */
export const argon2Available = typeof argon2 === 'function';

/**
 * The parameters of new wrappings: RFC 9106's second recommended argon2id option (64 MiB, 3 passes, 4
 * lanes; about 0.25 s on a 2-core VM), or scrypt N = 2^17, r = 8 (128 MiB) where argon2 is missing.
 */
export const defaultKdfParams: KdfParams = argon2Available
  ? { algorithm: 'argon2id', memory: 65_536, passes: 3, parallelism: 4 }
  : { algorithm: 'scrypt', memory: 131_072, passes: 1, parallelism: 1 };

/**
 * Cheap parameters FOR TESTS ONLY (well under a millisecond): they make a passphrase easy to
 * brute-force. Never use them for a real repository.
 */
export const testingKdfParams: KdfParams = argon2Available
  ? { algorithm: 'argon2id', memory: 64, passes: 1, parallelism: 1 }
  : { algorithm: 'scrypt', memory: 1024, passes: 1, parallelism: 1 };

/** The largest parameters a stored wrapping may ask for. */
const limits = { memoryBytes: 4 * 1024 ** 3, passes: 64, parallelism: 64 };

const SCHEME = 'passphrase';
const AAD = new TextEncoder().encode('holdfast:key:passphrase');

const scrypt = promisify(crypto.scrypt) as (
  password: Uint8Array,
  salt: Uint8Array,
  length: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

/** Why `kdf` is unusable, or undefined when it is fine. */
function kdfProblem(kdf: KdfParams): string | undefined {
  const { memory, passes, parallelism } = kdf;
  // Typed as the union, but parameters may come from a record or from untyped callers.
  const algorithm: string = kdf.algorithm;
  const counts = [memory, passes, parallelism];
  if (!counts.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n > 0)) {
    return 'memory, passes and parallelism must be positive integers';
  }
  if (passes > limits.passes || parallelism > limits.parallelism) return 'passes or parallelism is too high';
  if (algorithm === 'argon2id') {
    if (!argon2Available) return 'argon2id needs Node.js 24.7 or later';
    if (memory < 8 * parallelism) return 'argon2id needs at least 8 KiB of memory per lane';
    if (memory * 1024 > limits.memoryBytes) return 'argon2id memory is above 4 GiB';
    return undefined;
  }
  if (algorithm === 'scrypt') {
    if (memory < 2 || (memory & (memory - 1)) !== 0) return 'scrypt cost N must be a power of two';
    if (128 * 8 * memory * parallelism > limits.memoryBytes) return 'scrypt memory is above 4 GiB';
    return undefined;
  }
  return `unknown KDF ${algorithm}`;
}

async function deriveKek(passphrase: Uint8Array, salt: Uint8Array, kdf: KdfParams): Promise<Uint8Array> {
  if (kdf.algorithm === 'argon2id' && argon2 !== undefined) {
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
    maxmem: 128 * 8 * kdf.memory * kdf.parallelism + 1024 * 1024,
  });
  return new Uint8Array(key);
}

/** The KDF parameters and salt stored in a wrapping; AuthError when they are malformed or out of bounds. */
function storedKdf(params: KeyWrapping['params']): { kdf: KdfParams; salt: Uint8Array } {
  const { kdf: algorithm, memory, passes, parallelism, salt } = params;
  if ((algorithm !== 'argon2id' && algorithm !== 'scrypt') || typeof salt !== 'string') {
    throw new AuthError('the passphrase key record is malformed: no KDF or salt');
  }
  const kdf = { algorithm, memory, passes, parallelism } as KdfParams;
  const problem = kdfProblem(kdf);
  if (problem !== undefined) throw new AuthError(`the passphrase key record has unusable KDF parameters: ${problem}`);
  const saltBytes = new Uint8Array(Buffer.from(salt, 'base64'));
  if (saltBytes.length < 16) throw new AuthError('the passphrase key record has a salt shorter than 16 bytes');
  return { kdf, salt: saltBytes };
}

/** Options of {@link PassphraseKeyProvider}. */
export interface PassphraseKeyProviderOptions {
  /** KDF parameters for new wrappings. Default: {@link defaultKdfParams}. Unwrapping uses the stored ones. */
  readonly kdf?: KdfParams | undefined;
}

/**
 * Wraps with a key derived from a passphrase.
 *
 * @example
 * ```ts
 * const keys = new PassphraseKeyProvider(process.env.HOLDFAST_PASSWORD ?? '');
 * const record = await keys.wrap(dataKey); // { scheme: 'passphrase', params: { kdf: 'argon2id', ... }, wrapped }
 * ```
 */
export class PassphraseKeyProvider implements KeyProvider {
  readonly scheme = SCHEME;
  readonly description = 'the passphrase';
  readonly #passphrase: Uint8Array;
  readonly #kdf: KdfParams;

  /** @throws ValidationError when the passphrase is empty or the KDF parameters are unusable. */
  constructor(passphrase: string | Uint8Array, options: PassphraseKeyProviderOptions = {}) {
    const bytes =
      typeof passphrase === 'string'
        ? new TextEncoder().encode(passphrase.normalize('NFC'))
        : passphrase instanceof Uint8Array
          ? Uint8Array.from(passphrase)
          : undefined;
    if (bytes === undefined) throw new ValidationError('a passphrase is a string or bytes');
    if (bytes.length === 0) throw new ValidationError('the passphrase is empty');
    const kdf = options.kdf ?? defaultKdfParams;
    const problem = kdfProblem(kdf);
    if (problem !== undefined) throw new ValidationError(`unusable KDF parameters: ${problem}`);
    this.#passphrase = bytes;
    this.#kdf = kdf;
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
    if (wrapping.scheme !== SCHEME) {
      throw new ValidationError(`a ${wrapping.scheme} key cannot be opened with a passphrase`);
    }
    const { kdf, salt } = storedKdf(wrapping.params);
    let kek: Uint8Array;
    try {
      kek = await deriveKek(this.#passphrase, salt, kdf);
    } catch (error) {
      throw new AuthError('the passphrase key record has KDF parameters this system cannot use', { cause: error });
    }
    return unwrapKey(kek, wrapping.wrapped, AAD, this.description);
  }
}
