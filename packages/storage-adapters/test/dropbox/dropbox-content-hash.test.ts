/**
 * The Dropbox content hash: the published facts (the empty file's hash, the value the Stone spec's own
 * `FileMetadata` example carries), the block structure at the 4 MiB boundary, streaming in any chunking,
 * and agreement with two independent implementations: the mock's whole-buffer one and the hasher inside
 * the Dropbox SDK (not exported from its entry point, and broken in its CommonJS build, which reads
 * `crypto.default`; loaded here from its ES build).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunkedStream, testBytes } from '@holdfast/engine/testing';
import {
  DROPBOX_HASH_BLOCK_SIZE,
  DropboxContentHasher,
  dropboxContentHash,
  dropboxContentHashOf,
} from '../../src/dropbox/index.ts';
import { mockContentHash } from './dropbox-mock/index.ts';

const MIB = 1024 * 1024;
const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

interface SdkHasher {
  contentHash(data: Uint8Array): string;
}
const sdkHasherModule = 'dropbox/es/src/content-hasher.js';
const sdk = (await import(sdkHasherModule)) as SdkHasher;

describe('the Dropbox content hash', () => {
  it('of an empty file is the SHA-256 of nothing, as in the Stone spec example', () => {
    expect(DROPBOX_HASH_BLOCK_SIZE).toBe(4 * MIB);
    expect(dropboxContentHash(new Uint8Array(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('is the SHA-256 of the blocks SHA-256 digests: one block at 4 MiB, two at 4 MiB + 1', () => {
    const block = testBytes(4 * MIB, 7);
    expect(dropboxContentHash(block)).toBe(sha256(sha256(block)).toString('hex'));
    const plusOne = testBytes(4 * MIB + 1, 7);
    expect(dropboxContentHash(plusOne)).toBe(
      sha256(sha256(plusOne.subarray(0, 4 * MIB)), sha256(plusOne.subarray(4 * MIB))).toString('hex'),
    );
    const small = testBytes(10, 1);
    expect(dropboxContentHash(small)).toBe(sha256(sha256(small)).toString('hex'));
    expect(dropboxContentHash(small)).not.toBe(sha256(small).toString('hex'));
  });

  it('streams: any chunking gives the same hash, equal to the mock and the SDK', async () => {
    for (const size of [0, 1, 4 * MIB - 1, 4 * MIB, 4 * MIB + 1, 9 * MIB + 7]) {
      const bytes = testBytes(size, size % 13);
      const expected = mockContentHash(bytes);
      expect(dropboxContentHash(bytes), `whole ${String(size)}`).toBe(expected);
      expect(sdk.contentHash(bytes), `SDK ${String(size)}`).toBe(expected);
      const streamed = await dropboxContentHashOf(chunkedStream(bytes));
      expect(streamed, `streamed ${String(size)}`).toEqual({ hash: expected, size });
    }
  });

  it('refuses to be used after digest', () => {
    const hasher = new DropboxContentHasher().update(new Uint8Array([1]));
    hasher.digest();
    expect(() => hasher.update(new Uint8Array([2]))).toThrow(/after digest/);
    expect(() => hasher.digest()).toThrow(/twice/);
  });
});
