/**
 * Password hashing: argon2id from `node:crypto` (no native addon), stored as a PHC string
 * (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, salt and hash in unpadded base64), so the parameters
 * travel with each hash and can be raised later without breaking old ones ({@link needsRehash}).
 *
 * Invariants: a hash is never compared with `===` (only {@link timingSafeEqual}); a malformed stored hash
 * verifies as false, never throws; and {@link PasswordHasher.verifyNobody} costs the same as a real
 * verification, so sign-in takes as long for an unknown address as for a wrong password (no user
 * enumeration by timing). The defaults are OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane);
 * tests configure cheaper ones.
 */
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

/** argon2id's cost parameters. */
export interface PasswordHashing {
  /** Memory in KiB (at least 8 × parallelism). */
  readonly memoryKiB: number;
  /** Iterations over the memory. */
  readonly passes: number;
  /** Lanes. */
  readonly parallelism: number;
}

/** OWASP's recommended minimum for argon2id (Password Storage Cheat Sheet). */
export const defaultPasswordHashing: PasswordHashing = { memoryKiB: 19_456, passes: 2, parallelism: 1 };

const saltBytes = 16;
const tagBytes = 32;
const phcPattern =
  /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,4}),p=(\d{1,3})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{16,})$/;

function derive(password: string, salt: Buffer, params: PasswordHashing, tagLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(
      'argon2id',
      {
        message: Buffer.from(password.normalize('NFC'), 'utf8'),
        nonce: salt,
        parallelism: params.parallelism,
        tagLength,
        memory: params.memoryKiB,
        passes: params.passes,
      },
      (error, key) => {
        if (error === null) resolve(key);
        else reject(error);
      },
    );
  });
}

const b64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

/**
 * Hashes a password into a PHC string.
 *
 * @example
 * ```ts
 * const stored = await hashPassword('correct horse battery staple', defaultPasswordHashing);
 * await verifyPassword('correct horse battery staple', stored); // true
 * ```
 */
export async function hashPassword(password: string, params: PasswordHashing): Promise<string> {
  const salt = randomBytes(saltBytes);
  const tag = await derive(password, salt, params, tagBytes);
  return `$argon2id$v=19$m=${params.memoryKiB},t=${params.passes},p=${params.parallelism}$${b64(salt)}$${b64(tag)}`;
}

interface ParsedHash {
  readonly params: PasswordHashing;
  readonly salt: Buffer;
  readonly tag: Buffer;
}

function parse(stored: string): ParsedHash | null {
  const match = phcPattern.exec(stored);
  if (match === null) return null;
  const [, m, t, p, salt = '', tag = ''] = match;
  return {
    params: { memoryKiB: Number(m), passes: Number(t), parallelism: Number(p) },
    salt: Buffer.from(salt, 'base64'),
    tag: Buffer.from(tag, 'base64'),
  };
}

/** Whether `password` matches the PHC string `stored`; false (never a throw) for a malformed one. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (parsed === null) return false;
  let tag: Buffer;
  try {
    tag = await derive(password, parsed.salt, parsed.params, parsed.tag.length);
  } catch {
    return false;
  }
  return timingSafeEqual(tag, parsed.tag);
}

/** Whether a stored hash was made with other parameters than `params` (rehash it at the next sign-in). */
export function needsRehash(stored: string, params: PasswordHashing): boolean {
  const parsed = parse(stored);
  if (parsed === null) return true;
  return (
    parsed.params.memoryKiB !== params.memoryKiB ||
    parsed.params.passes !== params.passes ||
    parsed.params.parallelism !== params.parallelism
  );
}

/** Hashing with the configured parameters, and a verification that costs the same when there is no user. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Whether `password` matches `stored`. */
  verify(password: string, stored: string): Promise<boolean>;
  /** Does the work of a verification against a dummy hash and answers false (unknown address). */
  verifyNobody(password: string): Promise<false>;
  needsRehash(stored: string): boolean;
}

export function createPasswordHasher(params: PasswordHashing = defaultPasswordHashing): PasswordHasher {
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => hashPassword(password, params),
    verify: verifyPassword,
    async verifyNobody(password) {
      dummy ??= hashPassword(randomBytes(32).toString('base64url'), params);
      await verifyPassword(password, await dummy);
      return false;
    },
    needsRehash: (stored) => needsRehash(stored, params),
  };
}
