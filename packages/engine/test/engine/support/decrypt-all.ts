/**
 * Decrypts every object of a repository the way an attacker holding the key would: every blob of every
 * pack (read through the pack's own header, not the index), every index object, every snapshot record.
 * For tests that must prove something is gone from storage, not merely unreferenced.
 */
import { decompressSync, open } from '../../../src/crypto/index.ts';
import type { ObjectStore } from '../../../src/ports/index.ts';
import { bytesToHex } from '../../../src/repository/hex.ts';
import { decodeIndex } from '../../../src/repository/index-format.ts';
import { readPackHeader } from '../../../src/repository/index-loader.ts';
import { unlockMasterSecret } from '../../../src/repository/key-records.ts';
import { idOfKey } from '../../../src/repository/layout.ts';
import { blobAad } from '../../../src/repository/pack-format.ts';
import type { ChunkerSizes } from '../../../src/repository/repository-crypto.ts';
import { RepositoryCrypto } from '../../../src/repository/repository-crypto.ts';
import { readAll } from '../../../src/repository/streams.ts';
import { testKeys } from './repo.ts';

export interface DecryptedRepository {
  readonly crypto: RepositoryCrypto;
  /** Every blob found in a pack, with its id (hex) and plaintext. */
  readonly blobs: { readonly id: string; readonly type: 'data' | 'tree'; readonly plain: Uint8Array }[];
  /** Blob ids every index object lists. */
  readonly indexedIds: Set<string>;
  /** Every snapshot record's JSON text. */
  readonly snapshotTexts: string[];
}

export async function decryptAll(store: ObjectStore, chunker: ChunkerSizes): Promise<DecryptedRepository> {
  const { secret } = await unlockMasterSecret(store, testKeys());
  const crypto = new RepositoryCrypto(secret, chunker);
  const blobs: DecryptedRepository['blobs'] = [];
  for await (const info of store.list('data/')) {
    const packId = idOfKey('data', info.key) ?? '';
    const pack = await readAll(await store.get(info.key));
    for (const entry of await readPackHeader(store, crypto, packId, info.size)) {
      let plain = open(
        crypto.encryptionKey,
        pack.subarray(entry.offset, entry.offset + entry.length),
        blobAad(entry.type, entry.id),
      );
      if (entry.rawLength > 0) plain = decompressSync(plain, entry.rawLength);
      blobs.push({ id: bytesToHex(entry.id), type: entry.type, plain });
    }
  }
  const indexedIds = new Set<string>();
  for await (const info of store.list('index/')) {
    const plain = crypto.openBytes('index', await readAll(await store.get(info.key)));
    for (const entry of decodeIndex(plain)) indexedIds.add(bytesToHex(entry.id));
  }
  const snapshotTexts: string[] = [];
  for await (const info of store.list('snapshots/')) {
    snapshotTexts.push(JSON.stringify(crypto.openJson('snapshot', await readAll(await store.get(info.key)))));
  }
  return { crypto, blobs, indexedIds, snapshotTexts };
}

/** Whether `needle` occurs in `haystack`. */
export function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(Buffer.from(needle));
}
