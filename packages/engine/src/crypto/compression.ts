/**
 * zstd through node:zlib. A blob is stored compressed only when that makes it smaller (random and
 * already-compressed content is stored raw). Decompression is bounded by the recorded size, so a
 * malicious blob cannot expand without limit, and must produce exactly that size.
 */
import { promisify } from 'node:util';
import { constants, zstdCompress, zstdCompressSync, zstdDecompress, zstdDecompressSync } from 'node:zlib';
import { IntegrityError } from '../errors/index.ts';

const compressAsync = promisify(zstdCompress);
const decompressAsync = promisify(zstdDecompress);

export interface CompressOptions {
  /** zstd level. Default 3. */
  readonly level?: number | undefined;
}

function params(level: number): { params: Record<number, number> } {
  return { params: { [constants.ZSTD_c_compressionLevel]: level, [constants.ZSTD_c_checksumFlag]: 0 } };
}

function smaller(input: Uint8Array, output: Buffer): Uint8Array | undefined {
  return output.length < input.length ? new Uint8Array(output.buffer, output.byteOffset, output.byteLength) : undefined;
}

/** Compresses in libuv's threadpool; `undefined` when the result would not be smaller. */
export async function compressIfSmaller(
  data: Uint8Array,
  options: CompressOptions = {},
): Promise<Uint8Array | undefined> {
  return smaller(data, await compressAsync(data, params(options.level ?? 3)));
}

/** {@link compressIfSmaller} on the calling thread (cheaper for small inputs). */
export function compressIfSmallerSync(data: Uint8Array, options: CompressOptions = {}): Uint8Array | undefined {
  return smaller(data, zstdCompressSync(data, params(options.level ?? 3)));
}

function checked(output: Buffer, expectedSize: number): Uint8Array {
  if (output.length !== expectedSize) {
    throw new IntegrityError(`decompressed to ${String(output.length)} bytes, expected ${String(expectedSize)}`);
  }
  return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
}

/** Decompresses in the threadpool; `IntegrityError` unless the result is exactly `expectedSize` bytes. */
export async function decompress(data: Uint8Array, expectedSize: number): Promise<Uint8Array> {
  try {
    return checked(await decompressAsync(data, { maxOutputLength: Math.max(1, expectedSize) }), expectedSize);
  } catch (error) {
    if (error instanceof IntegrityError) throw error;
    throw new IntegrityError('compressed data is damaged', { cause: error });
  }
}

/** {@link decompress} on the calling thread. */
export function decompressSync(data: Uint8Array, expectedSize: number): Uint8Array {
  try {
    return checked(zstdDecompressSync(data, { maxOutputLength: Math.max(1, expectedSize) }), expectedSize);
  } catch (error) {
    if (error instanceof IntegrityError) throw error;
    throw new IntegrityError('compressed data is damaged', { cause: error });
  }
}
