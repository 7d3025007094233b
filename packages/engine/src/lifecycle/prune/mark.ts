/**
 * The mark phase of prune: every blob some snapshot needs, found by walking every snapshot's trees once
 * (a subtree shared by many snapshots is walked once).
 *
 * Anything that cannot be read stops prune with an IntegrityError: deleting data on the strength of a
 * walk that skipped a damaged tree could delete what that tree references. `check` says what is wrong.
 */
import { CanceledError, IntegrityError } from '../../errors/index.ts';
import type { BlobIndex } from '../../repository/blob-index.ts';
import { hexToBytes } from '../../repository/hex.ts';
import { IdSet } from '../../repository/id-set.ts';
import type { RepositoryContext } from '../../repository/repository-context.ts';
import type { Snapshot } from '../../repository/snapshot-record.ts';

/** The ids of every tree and data blob the snapshots reference. */
export async function markUsedBlobs(
  context: RepositoryContext,
  index: BlobIndex,
  snapshots: readonly Snapshot[],
  signal?: AbortSignal,
): Promise<IdSet> {
  const used = new IdSet();
  const pending: { id: string; snapshot: Snapshot; path: string }[] = snapshots.map((snapshot) => ({
    id: snapshot.tree,
    snapshot,
    path: '/',
  }));
  const need = (hex: string, snapshot: Snapshot, path: string): Uint8Array => {
    const id = hexToBytes(hex);
    if (!index.has(id)) {
      throw new IntegrityError(
        `snapshot ${snapshot.id.slice(0, 8)} needs blob ${hex.slice(0, 16)} (${path}) that no index lists: ` +
          'prune stops rather than risk deleting data; run check',
      );
    }
    return id;
  };
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (signal?.aborted === true) throw new CanceledError('prune canceled', { cause: signal.reason });
    const treeId = need(next.id, next.snapshot, next.path);
    if (used.has(treeId)) continue;
    used.add(treeId);
    let tree;
    try {
      tree = await context.tree(next.id, signal);
    } catch (error) {
      throw new IntegrityError(
        `snapshot ${next.snapshot.id.slice(0, 8)}: folder ${next.path} cannot be read, so prune cannot tell what ` +
          'it needs; run check',
        { cause: error },
      );
    }
    for (const node of tree.nodes) {
      const path = next.path === '/' ? `/${node.name}` : `${next.path}/${node.name}`;
      if (node.subtree !== undefined) pending.push({ id: node.subtree, snapshot: next.snapshot, path });
      for (const blob of node.content ?? []) used.add(need(blob, next.snapshot, path));
    }
  }
  return used;
}
