/**
 * The engine's cryptographic and compression primitives: AES-256-GCM sealing, keyed blob ids
 * (HMAC-SHA-256), HKDF sub-keys, SHA-256 and random ids, and zstd with a size-checked, bomb-proof
 * decompression. All on node:crypto and node:zlib; no native addons.
 */
export { open, seal, SEAL_OVERHEAD } from './aead.ts';
export {
  compressIfSmaller,
  compressIfSmallerSync,
  decompress,
  decompressSync,
  DEFAULT_COMPRESSION_LEVEL,
  MINIMUM_COMPRESSION_SAVING,
  type CompressOptions,
} from './compression.ts';
export { randomId, sha256, sha256Hex } from './digests.ts';
export { INCOMPRESSIBILITY_SAMPLE, likelyIncompressible } from './incompressible.ts';
export { createKeyedHasher, type KeyedHasher } from './keyed-hasher.ts';
export { deriveSubkey, SUBKEY_SALT } from './subkeys.ts';
