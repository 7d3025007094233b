/**
 * Executing a {@link RestorePlan}: every planned item is done as planned and its outcome reported.
 *
 * The plan holds paths only; the items' content and metadata come from walking the snapshot again, in
 * the same order. Files are written up to `concurrency` at once, through the same verified, read-ahead
 * content streams as a plain restore. A run that failed or was cancelled can be resumed: give the
 * target paths already done (`completed`, e.g. from the previous report) and they are not redone.
 */
import { Semaphore } from '../backup/semaphore.ts';
import { CanceledError, ConflictError, isHoldfastError, PermanentError } from '../errors/index.ts';
import type { RestoreTarget } from '../ports/index.ts';
import { BlobReader } from '../repository/blob-reader.ts';
import type { RepositoryContext } from '../repository/repository-context.ts';
import type { Snapshot } from '../repository/snapshot-record.ts';
import { walkTree } from '../repository/tree-walk.ts';
import type { TreeNode } from '../repository/tree.ts';
import { contentStream } from './content-stream.ts';
import type { PlannedItem, RestorePlan } from './restore-plan.ts';

export interface ExecuteRestoreOptions {
  /** Target paths finished by an earlier run of the same plan: not done again. */
  readonly completed?: Iterable<string> | undefined;
  /** Files written at once. Default 8. */
  readonly concurrency?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Called after each item with its outcome. */
  readonly onItem?: ((outcome: RestoreItemOutcome) => void) | undefined;
}

export interface RestoreItemOutcome extends PlannedItem {
  /** `skipped`: planned as skip, or done by an earlier run (`resumed`). */
  readonly outcome: 'succeeded' | 'skipped' | 'failed';
  readonly resumed?: boolean | undefined;
  /** For a failed item: the error's code and message. */
  readonly code?: string | undefined;
  readonly message?: string | undefined;
}

export interface RestoreReport {
  readonly snapshot: string;
  readonly mode: RestorePlan['mode'];
  readonly restoreFolder?: string | undefined;
  readonly items: readonly RestoreItemOutcome[];
  /** Parts of the snapshot that could not be read, from the plan: counted as failed. */
  readonly problems: RestorePlan['problems'];
  readonly totals: {
    readonly succeeded: number;
    readonly skipped: number;
    readonly failed: number;
    readonly bytes: number;
  };
}

export async function executeRestore(
  context: RepositoryContext,
  snapshot: Snapshot,
  plan: RestorePlan,
  target: RestoreTarget,
  options: ExecuteRestoreOptions = {},
): Promise<RestoreReport> {
  const { signal } = options;
  if (plan.snapshot !== snapshot.id) {
    throw new ConflictError(`the plan is for snapshot ${plan.snapshot.slice(0, 8)}, not ${snapshot.id.slice(0, 8)}`);
  }
  const completed = new Set(options.completed ?? []);
  const planned = new Map(plan.items.map((item) => [item.path, item]));
  const outcomes = new Map<string, RestoreItemOutcome>();
  const totals = { succeeded: 0, skipped: 0, failed: 0, bytes: 0 };
  const record = (outcome: RestoreItemOutcome): void => {
    outcomes.set(outcome.path, outcome);
    totals[outcome.outcome]++;
    options.onItem?.(outcome);
  };
  const fail = (item: PlannedItem, error: unknown): void => {
    if (isHoldfastError(error, 'CANCELED') || signal?.aborted === true) throw error;
    record({
      ...item,
      outcome: 'failed',
      code: isHoldfastError(error) ? error.code : 'PERMANENT',
      message: (error as Error).message,
    });
  };

  const reader = new BlobReader(context.store, context.crypto, await context.index(signal), {
    readAhead: 4 * 1024 * 1024,
  });
  const files = new Semaphore(options.concurrency ?? 8);
  const writes = new Set<Promise<void>>();
  const folders = new Set<string>();
  let fatal: unknown;
  const ensureParent = async (path: string): Promise<void> => {
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    if (parent === '' || folders.has(parent)) return;
    await target.createFolder(parent, { signal });
    folders.add(parent);
  };

  const writeFile = async (item: PlannedItem, node: TreeNode): Promise<void> => {
    try {
      await ensureParent(item.targetPath);
      const content = contentStream(reader, node.content ?? [], node.size ?? 0, {
        signal,
        onBytes: (n) => {
          totals.bytes += n;
        },
      });
      await target.writeFile(item.targetPath, content, {
        size: node.size ?? 0,
        overwrite: item.action === 'overwrite',
        ...(node.mtime === undefined ? {} : { modifiedAt: node.mtime }),
        ...(node.mode === undefined ? {} : { mode: node.mode }),
        signal,
      });
      record({ ...item, outcome: 'succeeded' });
    } catch (error) {
      try {
        fail(item, error);
      } catch (cancel) {
        fatal ??= cancel;
      }
    }
  };

  const roots = rootsOf(plan);
  for (const root of roots) {
    // Trees that cannot be read were found by the plan (`plan.problems`); nothing under them is planned.
    const onError = (): void => undefined;
    for await (const { path, node } of walkTree(context, snapshot.tree, { path: root, signal, onError })) {
      if (fatal !== undefined) break;
      if (signal?.aborted === true) throw new CanceledError('the restore was cancelled', { cause: signal.reason });
      const item = planned.get(path);
      if (item === undefined || outcomes.has(path)) continue;
      if (item.action === 'skip') {
        record({ ...item, outcome: 'skipped' });
        continue;
      }
      if (completed.has(item.targetPath)) {
        if (item.type === 'folder') folders.add(item.targetPath);
        record({ ...item, outcome: 'skipped', resumed: true });
        continue;
      }
      try {
        if (node.type === 'folder') {
          await target.createFolder(item.targetPath, { signal });
          folders.add(item.targetPath);
          record({ ...item, outcome: 'succeeded' });
        } else if (node.type === 'file') {
          await files.acquire();
          const write = writeFile(item, node).finally(() => {
            files.release();
            writes.delete(write);
          });
          writes.add(write);
        } else if (node.type === 'symlink' && target.createSymlink !== undefined) {
          await ensureParent(item.targetPath);
          if (item.action === 'overwrite') await target.remove(item.targetPath, { signal });
          await target.createSymlink(item.targetPath, node.link ?? '', { signal });
          record({ ...item, outcome: 'succeeded' });
        } else {
          throw new PermanentError(`the target cannot hold a ${node.type}`);
        }
      } catch (error) {
        fail(item, error);
      }
    }
  }
  await Promise.all([...writes]);
  if (fatal !== undefined) throw fatal instanceof Error ? fatal : new CanceledError('the restore was cancelled');
  // Planned items the snapshot no longer yields (a plan made for another snapshot's tree, edited by hand).
  for (const item of plan.items) {
    if (!outcomes.has(item.path))
      fail(item, new PermanentError(`${item.path} is not in snapshot ${snapshot.id.slice(0, 8)}`));
  }
  return {
    snapshot: plan.snapshot,
    mode: plan.mode,
    ...(plan.restoreFolder === undefined ? {} : { restoreFolder: plan.restoreFolder }),
    items: plan.items.map((item) => outcomes.get(item.path) ?? { ...item, outcome: 'failed' as const }),
    problems: plan.problems,
    totals: { ...totals, failed: totals.failed + plan.problems.length },
  };
}

/** The smallest set of snapshot paths whose walks cover every planned item, in plan order. */
function rootsOf(plan: RestorePlan): string[] {
  const roots: string[] = [];
  for (const item of plan.items) {
    if (roots.some((root) => root === '' || item.path === root || item.path.startsWith(`${root}/`))) continue;
    roots.push(item.path);
  }
  return roots;
}
