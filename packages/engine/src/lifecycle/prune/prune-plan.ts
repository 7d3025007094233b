/**
 * Deciding what prune does, as a pure function of the inventory and the used blobs, so every rule is
 * unit-tested without a store.
 *
 * Rules, per pack object:
 * - listed by no index object: left over by an interrupted backup (a snapshot is written only after the
 *   index that covers its packs), so nothing references it: delete;
 * - no used blob: delete;
 * - holds a blob that must not survive (GDPR erase), or its unused bytes are at least `repackThreshold` of
 *   its blob bytes: repack (copy its used blobs to new packs, then delete it);
 * - otherwise keep, unused blobs and all.
 * A blob stored in several packs counts as used in each, so no pack holding a needed copy is deleted on a
 * guess; a repacked pack's blobs already held by a kept pack are not copied again.
 */
import { IntegrityError } from '../../errors/index.ts';
import { bytesToHex } from '../../repository/hex.ts';
import { IdSet } from '../../repository/id-set.ts';
import type { InventoryBlob, PackInventory } from './pack-inventory.ts';

export type PackAction = 'keep' | 'delete' | 'repack' | 'delete-unindexed';

export interface PackDecision {
  readonly packId: string;
  readonly size: number;
  readonly action: PackAction;
  readonly usedBlobs: number;
  readonly unusedBlobs: number;
  readonly usedBytes: number;
  readonly unusedBytes: number;
}

export interface PrunePlan {
  readonly packs: readonly PackDecision[];
  /** Used blobs to copy out of repacked packs, each once. */
  readonly copy: readonly InventoryBlob[];
  /** Index entries of the packs that stay, for the rewritten index. */
  readonly keptEntries: readonly InventoryBlob[];
  /** Whether the index objects must be rewritten (a pack they list goes, or they list a missing pack). */
  readonly rewriteIndex: boolean;
  /** Unused blobs that go with the deleted and repacked packs. */
  readonly removedBlobs: number;
}

export interface PrunePlanOptions {
  /** Repack a pack once this share (0–1) of its blob bytes is unused. */
  readonly repackThreshold: number;
  /** Blobs that must not survive anywhere (erase): packs holding them are repacked without them. */
  readonly mustRemove?: IdSet | undefined;
}

export function planPrune(inventory: PackInventory, used: IdSet, options: PrunePlanOptions): PrunePlan {
  const decisions: PackDecision[] = [];
  let rewriteIndex = false;
  for (const [packId, blobs] of inventory.blobs) {
    if (inventory.packSizes.has(packId)) continue;
    // The index lists a pack the store does not hold: fatal if a snapshot needs one of its blobs.
    const needed = blobs.find((blob) => used.has(blob.id));
    if (needed !== undefined && !heldElsewhere(inventory, packId, needed.id)) {
      throw new IntegrityError(
        `pack ${packId.slice(0, 16)} is missing but holds blob ${bytesToHex(needed.id).slice(0, 16)} that a ` +
          'snapshot needs; prune stops, run check',
      );
    }
    rewriteIndex = true;
  }
  for (const [packId, size] of [...inventory.packSizes].sort(([a], [b]) => a.localeCompare(b))) {
    const blobs = inventory.blobs.get(packId);
    if (blobs === undefined) {
      decisions.push({
        packId,
        size,
        action: 'delete-unindexed',
        usedBlobs: 0,
        unusedBlobs: 0,
        usedBytes: 0,
        unusedBytes: 0,
      });
      continue;
    }
    let usedBlobs = 0;
    let usedBytes = 0;
    let unusedBytes = 0;
    let forced = false;
    for (const blob of blobs) {
      if (used.has(blob.id)) {
        usedBlobs++;
        usedBytes += blob.location.length;
      } else {
        unusedBytes += blob.location.length;
        if (options.mustRemove?.has(blob.id) === true) forced = true;
      }
    }
    const total = usedBytes + unusedBytes;
    const action: PackAction =
      usedBlobs === 0
        ? 'delete'
        : forced || (unusedBytes > 0 && unusedBytes >= options.repackThreshold * total)
          ? 'repack'
          : 'keep';
    if (action !== 'keep') rewriteIndex = true;
    decisions.push({ packId, size, action, usedBlobs, unusedBlobs: blobs.length - usedBlobs, usedBytes, unusedBytes });
  }
  const kept = new IdSet();
  const keptEntries: InventoryBlob[] = [];
  for (const decision of decisions) {
    if (decision.action !== 'keep') continue;
    for (const blob of inventory.blobs.get(decision.packId) ?? []) {
      kept.add(blob.id);
      keptEntries.push(blob);
    }
  }
  const copy: InventoryBlob[] = [];
  let removedBlobs = 0;
  for (const decision of decisions) {
    if (decision.action === 'keep') continue;
    for (const blob of inventory.blobs.get(decision.packId) ?? []) {
      if (!used.has(blob.id)) removedBlobs++;
      else if (!kept.has(blob.id)) {
        kept.add(blob.id);
        copy.push(blob);
      }
    }
  }
  return { packs: decisions, copy, keptEntries, rewriteIndex, removedBlobs };
}

function heldElsewhere(inventory: PackInventory, missingPack: string, id: Uint8Array): boolean {
  for (const [packId, blobs] of inventory.blobs) {
    if (packId === missingPack || !inventory.packSizes.has(packId)) continue;
    if (blobs.some((blob) => equal(blob.id, id))) return true;
  }
  return false;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
