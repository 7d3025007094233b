/**
 * `prune`: deletes the data no snapshot references, under the exclusive lock.
 *
 * Order of writes (each step leaves a repository that `check` passes if the run stops there):
 * 1. copy the used blobs of packs to repack into new packs, and index the new packs;
 * 2. write index objects for the packs that stay;
 * 3. delete the index objects read at the start (the new ones cover everything still needed);
 * 4. delete the packs that go (unused, repacked, and unindexed leftovers).
 * A crash after 1 or 2 leaves duplicates that the next prune removes; during 3 or 4 it leaves packs that
 * no index lists, which `check` reports as warnings and the next prune deletes.
 *
 * A backup cannot run meanwhile: it needs a shared lock, which the exclusive lock refuses (with the
 * holder's name), and prune cannot start while a backup holds one. Backups hold their lock from before
 * they read the index until their snapshot is written, so no backup ever deduplicates against a blob
 * prune is deleting.
 */
import { CanceledError, IntegrityError, isHoldfastError, ValidationError } from '../../errors/index.ts';
import type { ObjectStore } from '../../ports/index.ts';
import { BlobIndex, type BlobLocation } from '../../repository/blob-index.ts';
import { BlobReader } from '../../repository/blob-reader.ts';
import { BlobWriter } from '../../repository/blob-writer.ts';
import type { IdSet } from '../../repository/id-set.ts';
import { IndexBuilder } from '../../repository/index-format.ts';
import { objectKey } from '../../repository/layout.ts';
import { acquireLock, type LockOptions } from '../../repository/locks.ts';
import { RepositoryContext } from '../../repository/repository-context.ts';
import { storageId } from '../../repository/repository-crypto.ts';
import { retrying } from '../../repository/retry.ts';
import { loadSnapshots } from '../../repository/snapshot-store.ts';
import { RequestCountingObjectStore, type ObjectStoreCallCounts } from '../../stores/request-counting-object-store.ts';
import { markUsedBlobs } from './mark.ts';
import { readPackInventory } from './pack-inventory.ts';
import { planPrune, type PackDecision } from './prune-plan.ts';

/** Index entries per rewritten index object. */
const INDEX_ENTRIES_PER_OBJECT = 100_000;

export interface PruneOptions {
  /** Plan and report, change nothing (no lock is taken). */
  readonly dryRun?: boolean | undefined;
  /**
   * Repack a pack once this share (0–1) of its bytes is unused: its used blobs are copied to new packs
   * and it is deleted. Default 0.5. 0 repacks every pack with any unused blob; 1 never repacks.
   */
  readonly repackThreshold?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly lock?: LockOptions | undefined;
  readonly onProgress?: ((progress: PruneProgress) => void) | undefined;
  /**
   * Treat these snapshots as already gone (a dry run of forget followed by prune). Only with `dryRun`:
   * a real prune always keeps what every existing snapshot needs.
   */
  readonly assumeForgotten?: ReadonlySet<string> | undefined;
  /** @internal Blobs that must not survive (erase). */
  readonly mustRemove?: IdSet | undefined;
  /** @internal The caller holds the exclusive lock already (erase). */
  readonly lockHeld?: boolean | undefined;
}

export interface PruneProgress {
  readonly phase: 'marking' | 'planning' | 'repacking' | 'indexing' | 'deleting' | 'done';
  /** Units done and total in this phase (blobs while repacking, objects while deleting). */
  readonly done: number;
  readonly total: number;
}

/** What prune did (or, on a dry run, would do). */
export interface PruneReport {
  readonly dryRun: boolean;
  readonly snapshots: number;
  readonly blobs: {
    /** Blobs some snapshot needs. */
    readonly used: number;
    /** Unused blobs removed with their packs. */
    readonly removed: number;
    /** Used blobs copied out of repacked packs. */
    readonly repacked: number;
  };
  readonly packs: {
    readonly before: number;
    readonly deleted: number;
    readonly repacked: number;
    readonly unindexed: number;
    readonly written: number;
    readonly after: number;
  };
  readonly bytes: {
    /** Pack bytes before. */
    readonly before: number;
    /** Pack bytes deleted. */
    readonly deleted: number;
    /** Bytes written by repacking: new packs and their index (on a dry run: the sealed blobs to copy). */
    readonly written: number;
    /** `deleted - written`: what the repository shrank by. */
    readonly reclaimed: number;
    readonly after: number;
  };
  readonly indexObjects: { readonly before: number; readonly written: number; readonly deleted: number };
  /**
   * Deletes the store refused because the object is still under retention (Object Lock: `ConflictError`),
   * and packs kept because a refused index object still lists them. A later prune removes them.
   */
  readonly locked: { readonly objects: number; readonly packsKept: number };
  /** Store requests the run made, by kind. */
  readonly requests: ObjectStoreCallCounts;
  /** Every pack and what was done with it. */
  readonly decisions: readonly PackDecision[];
}

export async function runPrune(outer: RepositoryContext, options: PruneOptions = {}): Promise<PruneReport> {
  const { signal } = options;
  const dryRun = options.dryRun === true;
  const repackThreshold = options.repackThreshold ?? 0.5;
  if (!(repackThreshold >= 0 && repackThreshold <= 1)) {
    throw new ValidationError(`repackThreshold must be between 0 and 1, not ${String(repackThreshold)}`);
  }
  const store = new RequestCountingObjectStore(outer.store);
  const context = new RepositoryContext(store, outer.crypto, outer.config);
  const progress = (phase: PruneProgress['phase'], done = 0, total = 0): void => {
    options.onProgress?.({ phase, done, total });
  };
  const lock =
    dryRun || options.lockHeld === true
      ? undefined
      : await acquireLock(store, context.crypto, 'exclusive', 'prune', options.lock);
  let report: PruneReport;
  try {
    progress('marking');
    if (options.assumeForgotten !== undefined && !dryRun) {
      throw new ValidationError('assumeForgotten is only for a dry run');
    }
    const loaded = await loadSnapshots(store, context.crypto, signal);
    const { damaged } = loaded;
    const snapshots = loaded.snapshots.filter((snapshot) => options.assumeForgotten?.has(snapshot.id) !== true);
    if (damaged.length > 0) {
      throw new IntegrityError(
        `${String(damaged.length)} snapshot record(s) cannot be read, so prune cannot tell what they need; run check`,
      );
    }
    const inventory = await readPackInventory(context, signal);
    const index = new BlobIndex();
    for (const blobs of inventory.blobs.values()) for (const blob of blobs) index.add(blob.id, blob.location);
    const used = await markUsedBlobs(context, index, snapshots, signal);
    progress('planning');
    const plan = planPrune(inventory, used, { repackThreshold, mustRemove: options.mustRemove });

    const going = plan.packs.filter((pack) => pack.action !== 'keep');
    const bytesBefore = sum(plan.packs.map((pack) => pack.size));
    let bytesDeleted = sum(going.map((pack) => pack.size));
    /** Objects the store refused to delete yet (Object Lock retention): left for a later prune. */
    const lockedKeys: string[] = [];
    const protectedPacks = new Set<string>();
    let lockedPacks = 0;
    const deleteUnlessLocked = async (key: string): Promise<boolean> => {
      try {
        await retrying(() => store.delete(key, { signal }), { signal });
        return true;
      } catch (error) {
        if (!isHoldfastError(error, 'CONFLICT')) throw error;
        lockedKeys.push(key);
        return false;
      }
    };
    let bytesWritten = sum(plan.copy.map((blob) => blob.location.length));
    let packsWritten = 0;
    let indexWritten = 0;
    let indexDeleted = 0;

    if (!dryRun) {
      // 1. Copy what repacked packs still hold for some snapshot.
      if (plan.copy.length > 0) {
        const reader = new BlobReader(store, context.crypto, index);
        const writer = new BlobWriter(store, context.crypto, new BlobIndex(), {
          packSize: context.config.packSize,
          compressionLevel: context.config.compressionLevel,
          signal,
        });
        let done = 0;
        for (const blob of plan.copy) {
          throwIfAborted(signal);
          const plain = await reader.read(blob.id, blob.location.type, { signal });
          await writer.save(blob.location.type, plain, blob.id);
          progress('repacking', ++done, plan.copy.length);
        }
        await writer.writeIndex();
        indexWritten += writer.indexObjectsWritten;
        packsWritten = writer.packsWritten;
        bytesWritten = writer.bytesWritten;
      }
      if (plan.rewriteIndex) {
        // 2. Index the packs that stay; 3. drop the old index objects.
        progress('indexing');
        indexWritten += await writeIndexObjects(store, context, plan.keptEntries, signal);
        let done = 0;
        for (const id of inventory.indexIds) {
          throwIfAborted(signal);
          if (await deleteUnlessLocked(objectKey('index', id))) indexDeleted++;
          else for (const pack of inventory.packsByIndex.get(id) ?? []) protectedPacks.add(pack);
          progress('deleting', ++done, inventory.indexIds.length + going.length);
        }
      }
      // 4. Delete the packs that go, except those an index object that had to stay still lists.
      let done = indexDeleted;
      for (const pack of going) {
        throwIfAborted(signal);
        if (protectedPacks.has(pack.packId) || !(await deleteUnlessLocked(objectKey('data', pack.packId)))) {
          lockedPacks++;
          bytesDeleted -= pack.size;
        }
        progress('deleting', ++done, indexDeleted + going.length);
      }
      outer.invalidate();
    }
    progress('done');
    report = {
      dryRun,
      snapshots: snapshots.length,
      blobs: { used: used.size, removed: plan.removedBlobs, repacked: plan.copy.length },
      packs: {
        before: plan.packs.length,
        deleted: going.filter((pack) => pack.action === 'delete').length,
        repacked: going.filter((pack) => pack.action === 'repack').length,
        unindexed: going.filter((pack) => pack.action === 'delete-unindexed').length,
        written: packsWritten,
        after: plan.packs.length - going.length + lockedPacks + packsWritten,
      },
      bytes: {
        before: bytesBefore,
        deleted: bytesDeleted,
        written: bytesWritten,
        reclaimed: bytesDeleted - bytesWritten,
        after: bytesBefore - bytesDeleted + bytesWritten,
      },
      indexObjects: { before: inventory.indexIds.length, written: indexWritten, deleted: indexDeleted },
      locked: { objects: lockedKeys.length, packsKept: lockedPacks },
      requests: { ...store.counts },
      decisions: plan.packs,
    };
  } finally {
    await lock?.release();
  }
  // Counted after the lock is released, so the requests include the lock's own.
  return { ...report, requests: { ...store.counts } };
}

async function writeIndexObjects(
  store: ObjectStore,
  context: RepositoryContext,
  entries: readonly { id: Uint8Array; location: BlobLocation }[],
  signal: AbortSignal | undefined,
): Promise<number> {
  let written = 0;
  for (let start = 0; start < entries.length; start += INDEX_ENTRIES_PER_OBJECT) {
    throwIfAborted(signal);
    const builder = new IndexBuilder();
    for (const entry of entries.slice(start, start + INDEX_ENTRIES_PER_OBJECT)) builder.add(entry.id, entry.location);
    const sealed = context.crypto.sealBytes('index', builder.finish());
    const id = storageId(sealed);
    await retrying(() => store.put(objectKey('index', id), sealed, { signal }), { signal });
    written++;
  }
  return written;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new CanceledError('prune canceled', { cause: signal.reason });
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
