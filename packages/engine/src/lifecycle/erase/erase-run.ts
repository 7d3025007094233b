/**
 * GDPR erase: removes chosen items from every snapshot of an entity, then prunes, so that no stored
 * object keeps a chunk only those items used, nor their names.
 *
 * Under one exclusive lock:
 * 1. every snapshot that holds a chosen item gets new trees without it (folders on the way only) and a
 *    new record with the same time, stats and everything else, marked `rewritten: {from, at, reason}`;
 * 2. once the new records are durable, the old ones are deleted;
 * 3. prune runs, forcing a repack of every pack that still holds a blob the erased items used or a tree
 *    that named them, so those bytes leave the store whatever the repack threshold.
 * Chunks shared with items that stay are kept (they are those items' data too): the report counts them.
 * A crash before 2 leaves old and new records side by side; running erase again deletes the old ones
 * (it recognises them by `rewritten.from`) and carries on. Erase cannot stop an item that still exists
 * at the source from being backed up again.
 */
import { ValidationError } from '../../errors/index.ts';
import { BlobWriter } from '../../repository/blob-writer.ts';
import { hexToBytes } from '../../repository/hex.ts';
import { IdSet } from '../../repository/id-set.ts';
import { objectKey } from '../../repository/layout.ts';
import { acquireLock, type LockOptions } from '../../repository/locks.ts';
import type { RepositoryContext } from '../../repository/repository-context.ts';
import { retrying } from '../../repository/retry.ts';
import type { Snapshot } from '../../repository/snapshot-record.ts';
import { loadSnapshots, matches, writeSnapshot } from '../../repository/snapshot-store.ts';
import { runPrune, type PruneReport } from '../prune/prune-run.ts';
import { TreeRewriter, type EraseItem, type RewriteCollector } from './tree-rewrite.ts';

export type { EraseItem } from './tree-rewrite.ts';

/** What to erase: items of one entity (or of every entity the filter matches). */
export interface EraseRequest {
  /** The source the items belong to (`fs:/home/ana`, `box:enterprise 42`). Default: every source. */
  readonly source?: string | undefined;
  /** The entity. Default: every entity of the source. */
  readonly entityId?: string | undefined;
  /** Items by path within the entity (`/`-separated, no leading slash) or by the source's item id. */
  readonly items: readonly EraseItem[];
}

export interface EraseOptions {
  /** Find and report, change nothing (no lock). */
  readonly dryRun?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly lock?: LockOptions | undefined;
}

/** What erase did: fit for an audit log. */
export interface EraseReport {
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly request: EraseRequest;
  /** Every snapshot that held a chosen item, with the paths erased from it and its new id. */
  readonly snapshots: readonly {
    readonly id: string;
    readonly time: string;
    readonly source: string;
    readonly entityId: string;
    readonly paths: readonly string[];
    /** The rewritten record's id (undefined on a dry run). */
    readonly newId?: string | undefined;
  }[];
  /** Items erased, counted once per distinct path. */
  readonly items: number;
  readonly snapshotsRewritten: number;
  /** Data chunks the erased items used, and how many of those stay because other items use them too. */
  readonly chunks: { readonly erased: number; readonly keptShared: number };
  /** Bytes the repository shrank by (the prune's reclaimed bytes); on a dry run, 0. */
  readonly bytesRemoved: number;
  /** The prune that removed the bytes (undefined on a dry run). */
  readonly prune?: PruneReport | undefined;
}

export async function runErase(
  context: RepositoryContext,
  request: EraseRequest,
  options: EraseOptions = {},
): Promise<EraseReport> {
  const startedAt = new Date().toISOString();
  const { signal } = options;
  const dryRun = options.dryRun === true;
  const items = validateItems(request.items);
  const lock = dryRun
    ? undefined
    : await acquireLock(context.store, context.crypto, 'exclusive', 'erase', options.lock);
  try {
    const { snapshots } = await loadSnapshots(context.store, context.crypto, signal);
    // A crash between writing new records and deleting old ones leaves both: finish that first.
    const replaced = new Set(snapshots.flatMap((s) => (s.rewritten === undefined ? [] : [s.rewritten.from])));
    const leftovers = snapshots.filter((snapshot) => replaced.has(snapshot.id));
    const scope = snapshots.filter(
      (snapshot) =>
        !replaced.has(snapshot.id) && matches(snapshot, { source: request.source, entityId: request.entityId }),
    );

    const writer = dryRun
      ? undefined
      : new BlobWriter(context.store, context.crypto, await context.index(signal), {
          packSize: context.config.packSize,
          compressionLevel: context.config.compressionLevel,
          signal,
        });
    const rewriter = new TreeRewriter(context, writer, items, signal);
    const found: RewriteCollector = { erasedPaths: [], erasedContent: new Set(), replacedTrees: new Set() };
    const rewrites: { snapshot: Snapshot; tree: string; paths: string[] }[] = [];
    for (const snapshot of scope) {
      const before = found.erasedPaths.length;
      const rewritten = await rewriter.rewrite(snapshot.tree, '', found);
      if (rewritten === undefined) continue;
      rewrites.push({ snapshot, tree: rewritten.id, paths: found.erasedPaths.slice(before) });
    }

    const reported: EraseReport['snapshots'][number][] = [];
    let prune: PruneReport | undefined;
    if (dryRun || writer === undefined) {
      for (const { snapshot, paths } of rewrites) reported.push(describe(snapshot, paths, undefined));
    } else {
      await writer.writeIndex();
      const newIds = new Map<string, string>();
      for (const { snapshot, tree, paths } of rewrites) {
        const { id: _old, ...record } = snapshot;
        const erasedSet = new Set(paths);
        const next = await writeSnapshot(
          context.store,
          context.crypto,
          {
            ...record,
            tree,
            ...(record.parent === undefined ? {} : { parent: newIds.get(record.parent) ?? record.parent }),
            errors: record.errors.filter((error) => !erasedSet.has(error.path)),
            rewritten: { from: snapshot.id, at: startedAt, reason: 'erase' },
          },
          signal,
        );
        newIds.set(snapshot.id, next.id);
        reported.push(describe(snapshot, paths, next.id));
      }
      for (const old of [...leftovers, ...rewrites.map((r) => r.snapshot)]) {
        await retrying(() => context.store.delete(objectKey('snapshots', old.id), { signal }), { signal });
      }
      const mustRemove = new IdSet();
      for (const id of [...found.erasedContent, ...found.replacedTrees]) mustRemove.add(hexToBytes(id));
      context.invalidate();
      prune = await runPrune(context, { signal, mustRemove, lockHeld: true, repackThreshold: 0.5 });
    }

    let keptShared = 0;
    if (!dryRun) {
      const index = await context.index(signal);
      for (const id of found.erasedContent) if (index.has(hexToBytes(id))) keptShared++;
    }
    return {
      dryRun,
      startedAt,
      finishedAt: new Date().toISOString(),
      request: { ...request, items },
      snapshots: reported,
      items: new Set(found.erasedPaths).size,
      snapshotsRewritten: rewrites.length,
      chunks: { erased: found.erasedContent.size - keptShared, keptShared },
      bytesRemoved: prune?.bytes.reclaimed ?? 0,
      prune,
    };
  } finally {
    await lock?.release();
  }
}

function describe(
  snapshot: Snapshot,
  paths: readonly string[],
  newId: string | undefined,
): EraseReport['snapshots'][number] {
  return {
    id: snapshot.id,
    time: snapshot.time,
    source: snapshot.source,
    entityId: snapshot.entity.id,
    paths: [...paths],
    ...(newId === undefined ? {} : { newId }),
  };
}

/** Normalised items; refuses an empty list, an empty or unsafe path, an empty id. */
function validateItems(items: readonly EraseItem[]): EraseItem[] {
  if (items.length === 0) throw new ValidationError('erase: name at least one item (by path or id)');
  return items.map((item) => {
    if ('path' in item) {
      const path = item.path.replace(/^\/+|\/+$/g, '');
      const segments = path.split('/');
      if (path === '' || segments.some((s) => s === '' || s === '.' || s === '..')) {
        throw new ValidationError(
          `erase: ${JSON.stringify(item.path)} is not an item path (a/b/c within the entity; use forget for everything)`,
        );
      }
      return { path };
    }
    if (typeof item.id !== 'string' || item.id === '') throw new ValidationError('erase: an item id is empty');
    return { id: item.id };
  });
}
