/**
 * Loads every index object into a {@link BlobIndex}. An index object that is missing, altered or does not
 * decrypt is reported, not fatal: the packs no loaded index covers then have their own headers read, so
 * a damaged index costs some reads, never data.
 */
import pLimit from 'p-limit';
import { open } from '../crypto/index.ts';
import { IntegrityError, isHoldfastError, type HoldfastError } from '../errors/index.ts';
import type { ObjectStore } from '../ports/index.ts';
import { BlobIndex } from './blob-index.ts';
import { decodeIndex } from './index-format.ts';
import { idOfKey, kindPrefix, objectKey } from './layout.ts';
import { decodePackHeader, PACK_HEADER_AAD, PACK_TRAILER_BYTES, type PackBlob } from './pack-format.ts';
import { storageId, type RepositoryCrypto } from './repository-crypto.ts';
import { retrying } from './retry.ts';
import { readAll } from './streams.ts';

/** An object that could not be used, and why. */
export interface DamagedObject {
  readonly key: string;
  readonly error: HoldfastError;
}

export interface LoadedIndex {
  readonly index: BlobIndex;
  /** Index objects loaded. */
  readonly indexIds: readonly string[];
  /** Index objects that could not be used. */
  readonly damaged: readonly DamagedObject[];
  /** Packs whose headers were read because no usable index covered them. */
  readonly recoveredPacks: readonly string[];
  /**
   * Every pack some index object (or recovered header) lists, including packs whose blobs all have
   * another copy: `index` keeps one location per blob.
   */
  readonly listedPacks: ReadonlySet<string>;
}

export interface LoadIndexOptions {
  readonly signal?: AbortSignal | undefined;
  /** Read the headers of packs no index covers even when no index object is damaged. Default false. */
  readonly scanUnindexedPacks?: boolean | undefined;
}

export async function loadIndex(
  store: ObjectStore,
  crypto: RepositoryCrypto,
  options: LoadIndexOptions = {},
): Promise<LoadedIndex> {
  const { signal } = options;
  const index = new BlobIndex();
  const ids: string[] = [];
  for await (const info of store.list(kindPrefix('index'), { signal })) {
    const id = idOfKey('index', info.key);
    if (id !== undefined) ids.push(id);
  }
  const limit = pLimit(8);
  const damaged: DamagedObject[] = [];
  const loaded: string[] = [];
  const listedPacks = new Set<string>();
  await Promise.all(
    ids.map((id) =>
      limit(async () => {
        const key = objectKey('index', id);
        try {
          const sealed = await retrying(async () => readAll(await store.get(key, { signal })), { signal });
          if (storageId(sealed) !== id)
            throw new IntegrityError(`index object ${id.slice(0, 16)} does not match its name`);
          for (const entry of decodeIndex(crypto.openBytes('index', sealed))) {
            index.add(entry.id, entry.location);
            listedPacks.add(entry.location.packId);
          }
          loaded.push(id);
        } catch (error) {
          if (!isHoldfastError(error) || error.code === 'CANCELED') throw error;
          if (error.code !== 'INTEGRITY' && error.code !== 'NOT_FOUND') throw error;
          damaged.push({ key, error });
        }
      }),
    ),
  );
  const recoveredPacks: string[] = [];
  if (damaged.length > 0 || options.scanUnindexedPacks === true) {
    const known = new Set(index.packIds());
    for await (const info of store.list(kindPrefix('data'), { signal })) {
      const packId = idOfKey('data', info.key);
      if (packId === undefined || known.has(packId)) continue;
      try {
        for (const entry of await readPackHeader(store, crypto, packId, info.size, signal)) {
          index.add(entry.id, { ...entry, packId });
        }
        recoveredPacks.push(packId);
        listedPacks.add(packId);
      } catch (error) {
        if (!isHoldfastError(error, 'INTEGRITY')) throw error;
        damaged.push({ key: info.key, error });
      }
    }
  }
  return { index, indexIds: loaded, damaged, recoveredPacks, listedPacks };
}

/** Reads and decrypts a pack's header: two small ranged reads. */
export async function readPackHeader(
  store: ObjectStore,
  crypto: RepositoryCrypto,
  packId: string,
  packSize: number,
  signal?: AbortSignal,
): Promise<PackBlob[]> {
  const key = objectKey('data', packId);
  if (packSize < PACK_TRAILER_BYTES) throw new IntegrityError(`pack ${packId.slice(0, 16)} is truncated`);
  const trailer = await readAll(await store.get(key, { range: { offset: packSize - PACK_TRAILER_BYTES }, signal }));
  const headerLength = new DataView(trailer.buffer, trailer.byteOffset, trailer.byteLength).getUint32(0, true);
  const headerOffset = packSize - PACK_TRAILER_BYTES - headerLength;
  if (trailer.length !== PACK_TRAILER_BYTES || headerOffset < 0) {
    throw new IntegrityError(`pack ${packId.slice(0, 16)} has a malformed trailer`);
  }
  const sealed = await readAll(await store.get(key, { range: { offset: headerOffset, length: headerLength }, signal }));
  return parsePackHeader(crypto, packId, sealed, headerOffset);
}

/** Decrypts a sealed pack header and checks that its blobs fill the pack up to the header. */
export function parsePackHeader(
  crypto: RepositoryCrypto,
  packId: string,
  sealedHeader: Uint8Array,
  headerOffset: number,
): PackBlob[] {
  let entries: PackBlob[];
  try {
    entries = decodePackHeader(open(crypto.encryptionKey, sealedHeader, PACK_HEADER_AAD));
  } catch (error) {
    throw new IntegrityError(`the header of pack ${packId.slice(0, 16)} is damaged`, { cause: error });
  }
  const last = entries.at(-1);
  if ((last === undefined ? 0 : last.offset + last.length) !== headerOffset) {
    throw new IntegrityError(`the header of pack ${packId.slice(0, 16)} does not match its size`);
  }
  return entries;
}
