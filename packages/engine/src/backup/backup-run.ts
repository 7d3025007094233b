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
import type { Source } from '../ports/index.ts';
import { packageName, packageVersion } from '../package-info.ts';
import { BlobWriter } from '../repository/blob-writer.ts';
import { acquireLock } from '../repository/locks.ts';
import { RequestCountingObjectStore } from '../stores/request-counting-object-store.ts';
import type { RepositoryContext } from '../repository/repository-context.ts';
import type { Snapshot } from '../repository/snapshot-record.ts';
import { loadSnapshots, resolveSnapshot, writeSnapshot } from '../repository/snapshot-store.ts';
import { BackupCounters } from './backup-counters.ts';
import type { BackupOptions } from './backup-options.ts';
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
    const walk = await source.walk(entityId, {
      signal,
      ...(source.capabilities.changeFeed && parent?.cursor !== undefined ? { since: parent.cursor } : {}),
    });
    if (walk.mode !== 'full') {
      throw new PermanentError(
        `${source.name} answered with an incremental walk, which this engine does not apply yet`,
      );
    }
    const counters = new BackupCounters(parent?.stats.totalBytes);
    const writer = new BlobWriter(context.store, context.crypto, index, {
      packSize: context.config.packSize,
      compressionLevel: context.config.compressionLevel,
      signal,
    });
    const builder = await TreeBuilder.create({
      context,
      index,
      writer,
      source,
      entityId,
      counters,
      concurrency: options.concurrency ?? 4,
      signal,
      parentTree: parent?.tree,
      parentTime: parent?.time,
    });
    const report = progressReporter(counters, writer, options);
    try {
      for await (const entry of walk.entries) {
        throwIfAborted(signal);
        if (entry.kind === 'item') await builder.add(entry.item);
        else if (entry.kind === 'error') builder.recordError(entry.path, entry.error);
        else throw new PermanentError(`${source.name} yielded a deletion in a full walk`);
        report('walking');
      }
      const tree = await builder.finish();
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
