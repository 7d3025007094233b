import { describe, expect, it } from 'vitest';
import { IdSet } from '../../repository/id-set.ts';
import type { InventoryBlob, PackInventory } from './pack-inventory.ts';
import { planPrune } from './prune-plan.ts';

const id = (n: number): Uint8Array => new Uint8Array(32).fill(n);

/** Packs as `{ pack: [[blob, bytes], ...] }`; sizes are the blob bytes plus 100 of header. */
function inventory(
  packs: Record<string, [number, number][]>,
  options: { unindexed?: string[]; missing?: Record<string, [number, number][]> } = {},
): PackInventory {
  const blobs = new Map<string, InventoryBlob[]>();
  const packSizes = new Map<string, number>();
  const add = (packId: string, list: [number, number][], present: boolean): void => {
    let offset = 0;
    blobs.set(
      packId,
      list.map(([blob, length]) => {
        const entry = { id: id(blob), location: { type: 'data' as const, packId, offset, length, rawLength: 0 } };
        offset += length;
        return entry;
      }),
    );
    if (present) packSizes.set(packId, offset + 100);
  };
  for (const [packId, list] of Object.entries(packs)) add(packId, list, true);
  for (const [packId, list] of Object.entries(options.missing ?? {})) add(packId, list, false);
  for (const packId of options.unindexed ?? []) packSizes.set(packId, 5000);
  return { indexIds: ['i1'], packSizes, blobs, packsByIndex: new Map() };
}

function usedSet(...blobs: number[]): IdSet {
  const set = new IdSet();
  for (const blob of blobs) set.add(id(blob));
  return set;
}

const actions = (plan: ReturnType<typeof planPrune>): Record<string, string> =>
  Object.fromEntries(plan.packs.map((pack) => [pack.packId, pack.action]));

describe('planPrune', () => {
  it('keeps used packs, deletes unused and unindexed ones, repacks past the threshold', () => {
    const plan = planPrune(
      inventory(
        {
          a: [
            [1, 100],
            [2, 100],
          ],
          b: [[3, 100]],
          c: [
            [4, 100],
            [5, 300],
          ],
          d: [
            [6, 300],
            [7, 100],
          ],
        },
        { unindexed: ['z'] },
      ),
      usedSet(1, 2, 4, 6),
      { repackThreshold: 0.5 },
    );
    expect(actions(plan)).toEqual({ a: 'keep', b: 'delete', c: 'repack', d: 'keep', z: 'delete-unindexed' });
    expect(plan.copy.map((blob) => blob.id[0])).toEqual([4]);
    expect(plan.keptEntries.map((blob) => blob.id[0])).toEqual([1, 2, 6, 7]);
    expect(plan.removedBlobs).toBe(2); // 3 and 5 go; 7 stays in a kept pack
    expect(plan.rewriteIndex).toBe(true);
  });

  it('repacks at exactly the threshold, never at 1 unless all is unused, and any unused blob at 0', () => {
    const packs = {
      half: [
        [1, 100],
        [2, 100],
      ] as [number, number][],
      little: [
        [3, 900],
        [4, 100],
      ] as [number, number][],
    };
    expect(actions(planPrune(inventory(packs), usedSet(1, 3), { repackThreshold: 0.5 }))).toEqual({
      half: 'repack',
      little: 'keep',
    });
    expect(actions(planPrune(inventory(packs), usedSet(1, 3), { repackThreshold: 1 }))).toEqual({
      half: 'keep',
      little: 'keep',
    });
    expect(actions(planPrune(inventory(packs), usedSet(1, 3), { repackThreshold: 0 }))).toEqual({
      half: 'repack',
      little: 'repack',
    });
  });

  it('copies a blob once, and not at all when a kept pack holds it too', () => {
    const plan = planPrune(
      inventory({
        keep: [
          [1, 100],
          [2, 100],
        ],
        r1: [
          [1, 10],
          [3, 10],
          [9, 500],
        ],
        r2: [
          [3, 10],
          [9, 500],
        ],
      }),
      usedSet(1, 2, 3),
      { repackThreshold: 0.5 },
    );
    expect(actions(plan)).toEqual({ keep: 'keep', r1: 'repack', r2: 'repack' });
    expect(plan.copy.map((blob) => blob.id[0])).toEqual([3]);
  });

  it('repacks a pack holding a blob that must not survive, however little of it is unused', () => {
    const plan = planPrune(
      inventory({
        p: [
          [1, 1000],
          [2, 10],
        ],
      }),
      usedSet(1),
      { repackThreshold: 0.9, mustRemove: usedSet(2) },
    );
    expect(actions(plan)).toEqual({ p: 'repack' });
    expect(plan.copy.map((blob) => blob.id[0])).toEqual([1]);
  });

  it('changes no index when only unindexed packs go', () => {
    const plan = planPrune(inventory({ a: [[1, 100]] }, { unindexed: ['x'] }), usedSet(1), { repackThreshold: 0.5 });
    expect(actions(plan)).toEqual({ a: 'keep', x: 'delete-unindexed' });
    expect(plan.rewriteIndex).toBe(false);
  });

  it('drops index entries of a missing pack nothing needs, and stops when a snapshot needs one', () => {
    const unneeded = planPrune(inventory({ a: [[1, 100]] }, { missing: { gone: [[5, 100]] } }), usedSet(1), {
      repackThreshold: 0.5,
    });
    expect(unneeded.rewriteIndex).toBe(true);
    expect(unneeded.keptEntries.map((blob) => blob.id[0])).toEqual([1]);

    const heldElsewhere = planPrune(inventory({ a: [[1, 100]] }, { missing: { gone: [[1, 100]] } }), usedSet(1), {
      repackThreshold: 0.5,
    });
    expect(heldElsewhere.rewriteIndex).toBe(true);

    expect(() =>
      planPrune(inventory({ a: [[1, 100]] }, { missing: { gone: [[5, 100]] } }), usedSet(1, 5), {
        repackThreshold: 0.5,
      }),
    ).toThrow(/pack gone is missing but holds blob 0505.* that a snapshot needs/);
  });
});
