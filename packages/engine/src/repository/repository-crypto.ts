/**
 * The keys a repository derives from its master secret, and sealing of its JSON objects.
 *
 * One secret, several purposes: an encryption key (AES-256-GCM for every blob and object), an id key
 * (HMAC-SHA-256 for blob ids, so an id reveals nothing about content to someone without the key) and a
 * chunker secret (FastCDC's gear table, so chunk boundaries do not fingerprint content). Each comes out
 * of HKDF with its own label, so no key serves two purposes.
 */
import { createHash } from 'node:crypto';
import { deriveChunkerParams, type ChunkerParams } from '../chunker/index.ts';
import { createKeyedHasher, deriveSubkey, open, seal } from '../crypto/index.ts';
import { IntegrityError } from '../errors/index.ts';

export interface ChunkerSizes {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
  readonly normalization: number;
}

export class RepositoryCrypto {
  readonly encryptionKey: Uint8Array;
  readonly chunker: ChunkerParams;
  readonly #hasher: { digest(data: Uint8Array): Uint8Array };

  constructor(masterSecret: Uint8Array, sizes: ChunkerSizes) {
    this.encryptionKey = deriveSubkey(masterSecret, 'holdfast encryption');
    this.#hasher = createKeyedHasher(deriveSubkey(masterSecret, 'holdfast blob id'));
    this.chunker = deriveChunkerParams(deriveSubkey(masterSecret, 'holdfast chunker'), sizes);
  }

  /** The id of a blob: HMAC-SHA-256 of its plaintext under the repository's id key. */
  blobId(plaintext: Uint8Array): Uint8Array {
    return this.#hasher.digest(plaintext);
  }

  /** Seals a JSON object of a kind (`config`, `snapshot`, `lock`...) with the kind as associated data. */
  sealJson(kind: string, value: unknown): Uint8Array {
    return this.sealBytes(kind, new TextEncoder().encode(JSON.stringify(value)));
  }

  sealBytes(kind: string, plaintext: Uint8Array): Uint8Array {
    return seal(this.encryptionKey, plaintext, aadOf(kind));
  }

  /** Opens what {@link sealJson} sealed; `IntegrityError` if it was altered or is of another kind. */
  openJson(kind: string, sealed: Uint8Array): unknown {
    const plain = this.openBytes(kind, sealed);
    try {
      return JSON.parse(new TextDecoder().decode(plain));
    } catch (error) {
      throw new IntegrityError(`a ${kind} object decrypted but is not valid JSON`, { cause: error });
    }
  }

  openBytes(kind: string, sealed: Uint8Array): Uint8Array {
    return open(this.encryptionKey, sealed, aadOf(kind));
  }
}

function aadOf(kind: string): Uint8Array {
  return new TextEncoder().encode(`holdfast:${kind}`);
}

/** SHA-256 hex of stored bytes: the name of content-addressed objects. */
export function storageId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
