/**
 * Dropbox's `content_hash`, computed locally and streaming: the content is cut into blocks of 4 MiB (the
 * last one shorter), each block is hashed with SHA-256, and the hex SHA-256 of the concatenated block
 * digests is the hash. An empty file has no blocks, so its hash is the SHA-256 of nothing
 * (`e3b0c442...b855`, the value the Stone spec's `FileMetadata` example carries).
 *
 * The SDK has a hasher too, but does not export it from its entry point; this one works on any
 * `Uint8Array` stream, holds one block's hasher at a time (memory stays flat), and is what the upload
 * paths use to send `content_hash` so Dropbox refuses a body that was damaged on the way.
 * See https://www.dropbox.com/developers/reference/content-hash.
 */
import { createHash, type Hash } from 'node:crypto';
import type { ByteStream } from '@holdfast/engine';

/** The block size of Dropbox's content hash: 4 MiB. */
export const DROPBOX_HASH_BLOCK_SIZE = 4 * 1024 * 1024;

/** The algorithm name Holdfast records for Dropbox content hashes (`SourceItem.contentHash.algorithm`). */
export const DROPBOX_CONTENT_HASH_ALGORITHM = 'dropbox-content-hash';

/**
 * A streaming Dropbox content hasher.
 *
 * @example
 * ```ts
 * const hasher = new DropboxContentHasher();
 * for await (const chunk of stream) hasher.update(chunk);
 * const hex = hasher.digest(); // as FileMetadata.content_hash
 * ```
 */
export class DropboxContentHasher {
  readonly #overall: Hash = createHash('sha256');
  #block: Hash = createHash('sha256');
  #blockLength = 0;
  #length = 0;
  #done = false;

  /** Bytes hashed so far. */
  get length(): number {
    return this.#length;
  }

  /** Adds bytes; returns the hasher. Throws after {@link DropboxContentHasher.digest}. */
  update(bytes: Uint8Array): this {
    if (this.#done) throw new Error('DropboxContentHasher: update after digest');
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(DROPBOX_HASH_BLOCK_SIZE - this.#blockLength, bytes.length - offset);
      this.#block.update(bytes.subarray(offset, offset + take));
      this.#blockLength += take;
      offset += take;
      if (this.#blockLength === DROPBOX_HASH_BLOCK_SIZE) this.#finishBlock();
    }
    this.#length += bytes.length;
    return this;
  }

  /** The hash, lower-case hex (64 characters). The hasher cannot be used afterwards. */
  digest(): string {
    if (this.#done) throw new Error('DropboxContentHasher: digest called twice');
    if (this.#blockLength > 0) this.#finishBlock();
    this.#done = true;
    return this.#overall.digest('hex');
  }

  #finishBlock(): void {
    this.#overall.update(this.#block.digest());
    this.#block = createHash('sha256');
    this.#blockLength = 0;
  }
}

/** The Dropbox content hash of `bytes`, lower-case hex. */
export function dropboxContentHash(bytes: Uint8Array): string {
  return new DropboxContentHasher().update(bytes).digest();
}

/** The Dropbox content hash and length of a whole stream, read to its end. */
export async function dropboxContentHashOf(stream: ByteStream): Promise<{ hash: string; size: number }> {
  const hasher = new DropboxContentHasher();
  for await (const chunk of stream) hasher.update(chunk);
  const size = hasher.length;
  return { hash: hasher.digest(), size };
}
