/** The engine's cryptographic and compression primitives (internal). */
export { open, seal, SEAL_OVERHEAD } from './aead.ts';
export {
  compressIfSmaller,
  compressIfSmallerSync,
  decompress,
  decompressSync,
  type CompressOptions,
} from './compression.ts';
export { createKeyedHasher, deriveSubkey, randomId, sha256Hex, type KeyedHasher } from './hashing.ts';
