/**
 * What the repository holds, pack by pack: every pack object with its size, and for the indexed ones
 * every blob the index objects list in them (duplicates included: the same blob stored in two packs is
 * listed under both). Read from the index objects only, never from pack headers.
 *
 * A damaged or unreadable index object stops prune: the packs it covered would look unreferenced.
 */
import { IntegrityError, isHoldfastError } from '../../errors/index.ts';
import type { BlobLocation } from '../../repository/blob-index.ts';
import { decodeIndex } from '../../repository/index-format.ts';
import { idOfKey, kindPrefix, objectKey } from '../../repository/layout.ts';
import { storageId } from '../../repository/repository-crypto.ts';
import type { RepositoryContext } from '../../repository/repository-context.ts';
import { retrying } from '../../repository/retry.ts';
import { readAll } from '../../repository/streams.ts';

/** One blob of a pack, as an index object lists it. */
export interface InventoryBlob {
  readonly id: Uint8Array;
  readonly location: BlobLocation;
}

export interface PackInventory {
  /** Index objects read, by id. */
  readonly indexIds: readonly string[];
  /** Every pack object in the store, with its size in bytes. */
  readonly packSizes: ReadonlyMap<string, number>;
  /** The blobs the index objects list, per pack (a pack may be listed by no index object). */
  readonly blobs: ReadonlyMap<string, readonly InventoryBlob[]>;
  /** The packs each index object lists. */
  readonly packsByIndex: ReadonlyMap<string, ReadonlySet<string>>;
}

export async function readPackInventory(context: RepositoryContext, signal?: AbortSignal): Promise<PackInventory> {
  const { store, crypto } = context;
  const packSizes = new Map<string, number>();
  for await (const info of store.list(kindPrefix('data'), { signal })) {
    const id = idOfKey('data', info.key);
    if (id !== undefined) packSizes.set(id, info.size);
  }
  const indexIds: string[] = [];
  for await (const info of store.list(kindPrefix('index'), { signal })) {
    const id = idOfKey('index', info.key);
    if (id !== undefined) indexIds.push(id);
  }
  const blobs = new Map<string, InventoryBlob[]>();
  const packsByIndex = new Map<string, Set<string>>();
  for (const id of indexIds) {
    let entries;
    try {
      const sealed = await retrying(async () => readAll(await store.get(objectKey('index', id), { signal })), {
        signal,
      });
      if (storageId(sealed) !== id) throw new IntegrityError(`index object ${id.slice(0, 16)} does not match its name`);
      entries = [...decodeIndex(crypto.openBytes('index', sealed))];
    } catch (error) {
      if (isHoldfastError(error, 'INTEGRITY') || isHoldfastError(error, 'NOT_FOUND')) {
        throw new IntegrityError(
          `index object ${id.slice(0, 16)} cannot be read, so prune cannot tell which packs are in use; run check`,
          { cause: error },
        );
      }
      throw error;
    }
    const packs = new Set<string>();
    packsByIndex.set(id, packs);
    for (const entry of entries) {
      packs.add(entry.location.packId);
      let list = blobs.get(entry.location.packId);
      if (list === undefined) {
        list = [];
        blobs.set(entry.location.packId, list);
      }
      list.push(entry);
    }
  }
  return { indexIds, packSizes, blobs, packsByIndex };
}
