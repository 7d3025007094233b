/** Keyed hashing (blob ids), HKDF sub-keys, and plain SHA-256. */
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** HMAC-SHA-256 under a fixed key: ids that reveal nothing about content without the key. */
export interface KeyedHasher {
  /** 32-byte HMAC-SHA-256 of `data`. */
  digest(data: Uint8Array): Uint8Array;
}

export function createKeyedHasher(key: Uint8Array): KeyedHasher {
  const secret = Buffer.from(key);
  return {
    digest(data) {
      const mac = createHmac('sha256', secret).update(data).digest();
      return new Uint8Array(mac.buffer, mac.byteOffset, mac.byteLength);
    },
  };
}

/** A sub-key for one purpose, from HKDF-SHA-256 with the fixed salt `holdfast v1`. */
export function deriveSubkey(master: Uint8Array, purpose: string, length = 32): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', master, 'holdfast v1', purpose, length));
}

/** SHA-256 of some bytes, hex. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Random bytes as hex. */
export function randomId(bytes = 32): string {
  return randomBytes(bytes).toString('hex');
}
