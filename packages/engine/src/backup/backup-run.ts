/**
 * One backup run of one entity of a source: lock, walk, diff and save, then index and snapshot.
 *
 * Order of writes (what makes a crash harmless): packs first; an index object only after the packs it
 * lists are durable; the snapshot record only after every index object it needs. A run that fails or is
 * cancelled writes an index of the packs already durable (so the next run reuses them) and no snapshot;
 * packs written after that are unreferenced until prune removes them. `check` passes at every point.
 */
import { hostname, userInfo } from 'node:os';
import { CanceledError, isHoldfastError, PermanentError } from '../errors/index.ts';
import type { Source, Walk } from '../ports/index.ts';
import type { BlobIndex } from '../repository/blob-index.ts';
import { packageName, packageVersion } from '../package-info.ts';
import { BlobWriter } from '../repository/blob-writer.ts';
import { acquireLock } from '../repository/locks.ts';
import { RequestCountingObjectStore } from '../stores/request-counting-object-store.ts';
import type { RepositoryContext } from '../repository/repository-context.ts';
import type { Snapshot } from '../repository/snapshot-record.ts';
import { loadSnapshots, resolveSnapshot, writeSnapshot } from '../repository/snapshot-store.ts';
import { BackupCounters } from './backup-counters.ts';
import type { BackupOptions } from './backup-options.ts';
import { collectChanges, type PathKey } from './change-set.ts';
import { InconsistentChangesError, mergeIncremental } from './incremental-merge.ts';
import { TreeBuilder } from './tree-builder.ts';

export async function runBackup(
  context: RepositoryContext,
  source: Source,
  entityId: string,
  options: BackupOptions = {},
): Promise<Snapshot> {
  const { signal } = options;
  throwIfAborted(signal);
  const started = new Date();
  // The repository counts every store call; this run's are the difference (+1 PUT: the record itself).
  const counting = context.store instanceof RequestCountingObjectStore ? context.store : undefined;
  const before = counting === undefined ? undefined : { ...counting.counts };
  const lock = await acquireLock(context.store, context.crypto, 'shared', 'backup', options.lock);
  try {
    const index = await context.index(signal);
    const parent = await findParent(context, source, entityId, options);
    const since = source.capabilities.changeFeed && parent?.cursor !== undefined ? parent.cursor : undefined;
    let walk = await source.walk(entityId, { signal, ...(since === undefined ? {} : { since }) });
    const writer = new BlobWriter(context.store, context.crypto, index, {
      packSize: context.config.packSize,
      compressionLevel: context.config.compressionLevel,
      signal,
    });
    const key: PathKey =
      source.capabilities.pathsCaseInsensitive === true ? (path) => path.toLowerCase() : (path) => path;
    const build = async (incremental: boolean): Promise<Built> => {
      const counters = new BackupCounters(parent?.stats.totalBytes);
      const builder = await TreeBuilder.create({
        context,
        index,
        writer,
        source,
        entityId,
        counters,
        concurrency: options.concurrency ?? 4,
        signal,
        parentTree: incremental ? undefined : parent?.tree,
        parentTime: parent?.time,
      });
      return { counters, builder, report: progressReporter(counters, writer, options) };
    };
    let built: Built | undefined;
    try {
      if (walk.mode === 'incremental') {
        if (parent === undefined) {
          throw new PermanentError(`${source.name} answered with an incremental walk although no cursor was given`);
        }
        built = await build(true);
        try {
          await applyIncremental(walk, parent.tree, built, key, context, index, signal);
        } catch (error) {
          if (!(error instanceof InconsistentChangesError)) throw error;
          // The feed contradicted the previous snapshot: read everything, as if there were no cursor.
          walk = await source.walk(entityId, { signal });
          built = await build(false);
          await applyFull(walk, built, source, signal);
        }
      } else {
        built = await build(false);
        await applyFull(walk, built, source, signal);
      }
      const { counters, builder, report } = built;
      const { id: tree } = await builder.finish();
      report('finishing', true);
      await writer.writeIndex();
      counters.bytesAdded = writer.bytesWritten;
      const cursor = walk.cursor();
      const snapshot = await writeSnapshot(
        context.store,
        context.crypto,
        {
          version: 1,
          time: started.toISOString(),
          endTime: new Date().toISOString(),
          source: source.name,
          entity: { id: entityId, ...(options.entityName === undefined ? {} : { name: options.entityName }) },
          tree,
          ...(parent === undefined ? {} : { parent: parent.id }),
          ...(cursor === undefined ? {} : { cursor }),
          tags: [...(options.tags ?? [])],
          status: counters.failedItems > 0 ? 'partial' : 'complete',
          stats: {
            ...counters.stats(),
            walk: walk.mode,
            ...(counting === undefined || before === undefined
              ? {}
              : {
                  requests: {
                    put: counting.counts.put - before.put + 1,
                    get: counting.counts.get - before.get,
                    head: counting.counts.head - before.head,
                    list: counting.counts.list - before.list,
                    delete: counting.counts.delete - before.delete,
                  },
                }),
          },
          errors: builder.errors,
          hostname: hostname(),
          username: currentUser(),
          tool: { name: packageName, version: packageVersion },
        },
        signal,
      );
      report('done', true);
      return snapshot;
    } catch (error) {
      // Keep what is durable usable by the next run; never write a snapshot of a failed run.
      await writer.writeDurableIndex().catch(() => undefined);
      if (signal?.aborted === true && !isHoldfastError(error, 'CANCELED')) {
        throw new CanceledError('the backup was cancelled', { cause: error });
      }
      throw error;
    }
  } finally {
    await lock.release().catch(() => undefined);
  }
}

interface Built {
  readonly counters: BackupCounters;
  readonly builder: TreeBuilder;
  readonly report: (phase: 'walking' | 'finishing' | 'done', force?: boolean) => void;
}

/** Feeds a full walk to the builder. */
async function applyFull(walk: Walk, built: Built, source: Source, signal: AbortSignal | undefined): Promise<void> {
  const { builder, report } = built;
  for await (const entry of walk.entries) {
    throwIfAborted(signal);
    if (entry.kind === 'item') await builder.add(entry.item);
    else if (entry.kind === 'error') builder.recordError(entry.path, entry.error);
    else throw new PermanentError(`${source.name} yielded a deletion in a full walk`);
    report('walking');
  }
}

/** Lays an incremental walk's changes over the parent's tree. */
async function applyIncremental(
  walk: Walk,
  parentTree: string,
  built: Built,
  key: PathKey,
  context: RepositoryContext,
  index: BlobIndex,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { builder, counters, report } = built;
  const changes = await collectChanges(walk.entries, key, () => {
    throwIfAborted(signal);
    report('walking');
  });
  for (const { path, error } of changes.errors) builder.recordError(path, error);
  await mergeIncremental({ context, index, builder, counters, changes, key, parentTree, signal });
}

async function findParent(
  context: RepositoryContext,
  source: Source,
  entityId: string,
  options: BackupOptions,
): Promise<Snapshot | undefined> {
  if (options.parent === null) return undefined;
  const { snapshots } = await loadSnapshots(context.store, context.crypto, options.signal);
  if (options.parent !== undefined) return resolveSnapshot(snapshots, options.parent);
  return snapshots.filter((snapshot) => snapshot.source === source.name && snapshot.entity.id === entityId).at(-1);
}

function progressReporter(
  counters: BackupCounters,
  writer: BlobWriter,
  options: BackupOptions,
): (phase: 'walking' | 'finishing' | 'done', force?: boolean) => void {
  const { onProgress } = options;
  const interval = options.progressInterval ?? 250;
  let last = 0;
  return (phase, force = false) => {
    if (onProgress === undefined) return;
    const now = Date.now();
    if (!force && now - last < interval) return;
    last = now;
    counters.bytesAdded = writer.bytesWritten;
    onProgress(counters.progress(phase));
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new CanceledError('the backup was cancelled', { cause: signal.reason });
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
