/** Plain SHA-256 (for content that is not secret, e.g. comparing with a service's checksum) and random ids. */
import { createHash, hash, randomBytes } from 'node:crypto';
import { ValidationError } from '../errors/index.ts';

/**
 * SHA-256 of some bytes, or of a sequence of byte arrays (a file read in pieces) as if concatenated.
 *
 * @example
 * ```ts
 * const digest = sha256(bytes);
 * const sameDigest = sha256([bytes.subarray(0, 10), bytes.subarray(10)]);
 * ```
 */
export function sha256(data: Uint8Array | Iterable<Uint8Array>): Uint8Array {
  if (data instanceof Uint8Array) {
    const digest = hash('sha256', data, 'buffer');
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  }
  const hasher = createHash('sha256');
  for (const piece of data) hasher.update(piece);
  const digest = hasher.digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/** SHA-256 of some bytes, as lowercase hex. */
export function sha256Hex(data: Uint8Array | Iterable<Uint8Array>): string {
  return Buffer.from(sha256(data)).toString('hex');
}

/**
 * `bytes` random bytes (CSPRNG) as lowercase hex: ids for snapshots, locks, packs.
 *
 * @throws ValidationError when `bytes` is not an integer from 1 to 1024.
 * @example
 * ```ts
 * const snapshotId = randomId(); // 64 hex digits
 * ```
 */
export function randomId(bytes = 32): string {
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > 1024) {
    throw new ValidationError(`randomId takes 1 to 1024 bytes, not ${String(bytes)}`);
  }
  return randomBytes(bytes).toString('hex');
}
