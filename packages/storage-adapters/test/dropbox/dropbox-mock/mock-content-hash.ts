/**
 * The mock's own Dropbox content hash, written independently of the adapter's streaming hasher (and
 * deliberately simple): the whole buffer in memory, cut into 4 MiB slices, each slice's SHA-256 digest
 * concatenated, and the SHA-256 of that concatenation in hex. If the two implementations disagreed, the
 * adapter's tests that compare hashes would fail.
 */
import { createHash } from 'node:crypto';

const BLOCK = 4 * 1024 * 1024;

/** Dropbox `content_hash` of `bytes` (https://www.dropbox.com/developers/reference/content-hash). */
export function mockContentHash(bytes: Uint8Array): string {
  const digests: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += BLOCK) {
    digests.push(
      createHash('sha256')
        .update(bytes.slice(start, start + BLOCK))
        .digest(),
    );
  }
  return createHash('sha256').update(Buffer.concat(digests)).digest('hex');
}
