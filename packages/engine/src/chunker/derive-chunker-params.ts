/**
 * Holdfast's production chunker: FastCDC 2020 with a GEAR table derived from a per-repository secret.
 *
 * Why keyed: with a public GEAR table, chunk boundaries (and so the sizes of stored blobs) are a
 * function of content alone, and an observer of blob sizes could test whether a repository holds a
 * known file (a fingerprinting attack; restic likewise picks a random Rabin polynomial per
 * repository). A secret table makes boundaries unpredictable without the key, while deduplication
 * within the repository is unchanged.
 *
 * Derivation (a format commitment: changing it changes every boundary): GEAR entry `4k + j`, for
 * `k = 0 ... 63` and `j = 0 ... 3`, is bytes `8j ... 8j+7` (big-endian) of
 * `HMAC-SHA-256(secret, "holdfast-gear" ‖ uint32be(k))`. Masks are FastCDC's for the average size.
 */
import { createHmac } from 'node:crypto';
import { ValidationError } from '../errors/index.ts';
import { createChunkerParams, type ChunkerParams, type ChunkerSizes } from './chunker-params.ts';

/** Holdfast's default chunk sizes: restic-scale chunks, which suit backups better than FastCDC's 16 KiB. */
export const defaultChunkerSizes = {
  minSize: 512 * 1024,
  avgSize: 1024 * 1024,
  maxSize: 8 * 1024 * 1024,
  normalization: 1,
} as const;

/** The shortest secret {@link deriveChunkerParams} accepts, in bytes. */
export const minimumChunkerSecretLength = 16;

const gearLabel = new TextEncoder().encode('holdfast-gear');

/**
 * Derives the repository's chunker parameters from its chunker secret. Deterministic: the same secret
 * and sizes always give the same boundaries; different secrets give unrelated ones.
 *
 * @param secret - The repository's chunker secret (at least 16 bytes, e.g. a subkey of the data key).
 * @param sizes - Overrides of {@link defaultChunkerSizes}.
 * @throws ValidationError when the secret is too short or a size is out of range.
 * @example
 * ```ts
 * const params = deriveChunkerParams(deriveSubkey(dataKey, 'chunker'));
 * for await (const chunk of chunkStream(source, params)) await saveBlob(chunk);
 * ```
 */
export function deriveChunkerParams(secret: Uint8Array, sizes: ChunkerSizes = {}): ChunkerParams {
  if (!(secret instanceof Uint8Array) || secret.length < minimumChunkerSecretLength) {
    throw new ValidationError(`the chunker secret must be at least ${minimumChunkerSecretLength} bytes`);
  }
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  const message = new Uint8Array(gearLabel.length + 4);
  message.set(gearLabel);
  const counter = new DataView(message.buffer, gearLabel.length, 4);
  for (let block = 0; block < 64; block++) {
    counter.setUint32(0, block);
    const digest = createHmac('sha256', secret).update(message).digest();
    for (let entry = 0; entry < 4; entry++) {
      hi[block * 4 + entry] = digest.readUInt32BE(entry * 8);
      lo[block * 4 + entry] = digest.readUInt32BE(entry * 8 + 4);
    }
  }
  return createChunkerParams({
    minSize: sizes.minSize ?? defaultChunkerSizes.minSize,
    avgSize: sizes.avgSize ?? defaultChunkerSizes.avgSize,
    maxSize: sizes.maxSize ?? defaultChunkerSizes.maxSize,
    normalization: sizes.normalization ?? defaultChunkerSizes.normalization,
    gear: { hi, lo },
  });
}
