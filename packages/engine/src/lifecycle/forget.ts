/**
 * `forget`: applies a retention policy to every entity's snapshots and removes the snapshot records it does
 * not keep. Only records go: the data they referenced stays until `prune` finds nothing else uses it.
 *
 * Design note: snapshots are grouped by source and entity, so a policy of "keep 7 daily" keeps seven days
 * of every user, not seven days of whoever was backed up last. Removing records takes the exclusive lock
 * (a backup running meanwhile may be reading its parent snapshot's trees); a dry run takes no lock and
 * writes nothing. Snapshots that cannot be read are never removed: `check` reports them. A record the
 * store refuses to delete because it is still under retention (S3 Object Lock) is left and reported as
 * `locked`; the rest go.
 */
import { CanceledError, isHoldfastError } from '../errors/index.ts';
import { objectKey } from '../repository/layout.ts';
import { acquireLock, type LockOptions } from '../repository/locks.ts';
import type { RepositoryContext } from '../repository/repository-context.ts';
import { retrying } from '../repository/retry.ts';
import type { Snapshot } from '../repository/snapshot-record.ts';
import { loadSnapshots, matches, type SnapshotFilter } from '../repository/snapshot-store.ts';
import { applyRetention, type RetentionDecision, type RetentionPolicy } from './retention.ts';

/** Options of `Repository.forget`. */
export interface ForgetOptions {
  /** Only snapshots matching this (source, entity, tags) are considered; the others are kept untouched. */
  readonly filter?: SnapshotFilter | undefined;
  /** Decide and report, remove nothing (and take no lock). */
  readonly dryRun?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly lock?: LockOptions | undefined;
}

/** The decisions for one entity's snapshots, newest first. */
export interface ForgetGroup {
  readonly source: string;
  readonly entity: Snapshot['entity'];
  readonly decisions: readonly RetentionDecision<Snapshot>[];
}

/** What `forget` decided and did. */
export interface ForgetResult {
  readonly dryRun: boolean;
  readonly groups: readonly ForgetGroup[];
  /** Snapshots kept and forgotten, over every group. */
  readonly kept: number;
  readonly forgotten: number;
  /** Ids of the snapshot records removed (empty on a dry run). */
  readonly removed: readonly string[];
  /**
   * Ids of records the policy does not keep that the store refused to delete yet (Object Lock
   * retention): they stay, and a later forget removes them once their retention ends.
   */
  readonly locked: readonly string[];
}

export async function runForget(
  context: RepositoryContext,
  policy: RetentionPolicy,
  options: ForgetOptions = {},
): Promise<ForgetResult> {
  const { signal } = options;
  const dryRun = options.dryRun === true;
  // Validate before taking the lock, so a bad policy never blocks anyone.
  applyRetention([], policy);
  const lock = dryRun
    ? undefined
    : await acquireLock(context.store, context.crypto, 'exclusive', 'forget', options.lock);
  try {
    const { snapshots } = await loadSnapshots(context.store, context.crypto, signal);
    const groups = groupByEntity(snapshots.filter((snapshot) => matches(snapshot, options.filter ?? {}))).map(
      (group): ForgetGroup => ({ ...group, decisions: applyRetention(group.snapshots, policy) }),
    );
    const doomed = groups.flatMap((group) => group.decisions.filter((d) => !d.keep).map((d) => d.snapshot.id));
    const removed: string[] = [];
    const locked: string[] = [];
    if (!dryRun) {
      for (const id of doomed) {
        if (signal?.aborted === true) throw new CanceledError('forget canceled', { cause: signal.reason });
        try {
          await retrying(() => context.store.delete(objectKey('snapshots', id), { signal }), { signal });
          removed.push(id);
        } catch (error) {
          if (!isHoldfastError(error, 'CONFLICT')) throw error;
          locked.push(id);
        }
      }
    }
    const forgotten = dryRun ? doomed.length : removed.length;
    return { dryRun, groups, kept: snapshots.length - forgotten, forgotten, removed, locked };
  } finally {
    await lock?.release();
  }
}

function groupByEntity(
  snapshots: readonly Snapshot[],
): { source: string; entity: Snapshot['entity']; snapshots: Snapshot[] }[] {
  const groups = new Map<string, { source: string; entity: Snapshot['entity']; snapshots: Snapshot[] }>();
  for (const snapshot of snapshots) {
    const key = JSON.stringify([snapshot.source, snapshot.entity.id]);
    let group = groups.get(key);
    if (group === undefined) {
      group = { source: snapshot.source, entity: snapshot.entity, snapshots: [] };
      groups.set(key, group);
    }
    group.snapshots.push(snapshot);
  }
  return [...groups.values()].sort(
    (a, b) => a.source.localeCompare(b.source) || a.entity.id.localeCompare(b.entity.id),
  );
}
