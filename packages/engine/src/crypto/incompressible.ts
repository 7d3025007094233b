/**
 * A cheap guess at whether compressing is worth trying: zstd level 1 over the first 64 KiB. For random or
 * already-compressed data (media, archives) this costs about an eighth of a full level-3 attempt on a
 * 1 MiB chunk; for compressible data it adds that eighth. A separate function so the caller decides (it
 * can be wrong for data whose first 64 KiB is unlike the rest).
 */
import { zstdCompressSync, constants } from 'node:zlib';

/** The sample size {@link likelyIncompressible} compresses. */
export const INCOMPRESSIBILITY_SAMPLE = 64 * 1024;

const sampleOptions = {
  params: { [constants.ZSTD_c_compressionLevel]: 1, [constants.ZSTD_c_checksumFlag]: 0 },
};

/**
 * Whether `data` is probably not worth compressing: its first 64 KiB shrink by less than 1/64 under zstd
 * level 1. Always false for inputs under 128 KiB, where the check would cost as much as compressing.
 *
 * @example
 * ```ts
 * const packed = likelyIncompressible(chunk) ? undefined : await compressIfSmaller(chunk);
 * ```
 */
export function likelyIncompressible(data: Uint8Array): boolean {
  if (data.length < 2 * INCOMPRESSIBILITY_SAMPLE) return false;
  const sample = data.subarray(0, INCOMPRESSIBILITY_SAMPLE);
  const compressed = zstdCompressSync(sample, sampleOptions);
  return compressed.length > sample.length - sample.length / 64;
}
