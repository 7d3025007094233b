/**
 * Planning a restore: for every item chosen from a snapshot, what to do at the target, decided from what
 * the target holds now and the restore mode, before anything is written.
 *
 * Modes (PRODUCT R3):
 * - `non-destructive` (default): nothing at the target is touched. Into an empty or missing location the
 *   items are created in place (there is nothing live to protect); otherwise every item goes into a new
 *   folder `Holdfast Restore <UTC timestamp>` at the location.
 * - `replace`: missing items are created, existing ones overwritten with the snapshot's version, identical
 *   ones skipped.
 * - `bypass`: missing items are created, existing ones left alone.
 * An item whose place holds something of another kind (a folder where the snapshot has a file, a file
 * where it has a folder), or a name that differs only in case on a target that ignores case, is never
 * forced: it goes into the `Holdfast Restore` folder in every mode, so no live folder is deleted to make
 * room and no data is left unrestored.
 */
import { ValidationError, type HoldfastError } from '../errors/index.ts';
import { assertSafeRelativePath } from '../paths/index.ts';
import type { RestoreTarget, TargetEntry } from '../ports/index.ts';
import type { RepositoryContext } from '../repository/repository-context.ts';
import type { Snapshot } from '../repository/snapshot-record.ts';
import { findEntry, walkTree } from '../repository/tree-walk.ts';
import type { TreeNode } from '../repository/tree.ts';

export type RestoreMode = 'non-destructive' | 'replace' | 'bypass';

export const RESTORE_MODES: readonly RestoreMode[] = ['non-destructive', 'replace', 'bypass'];

/** What the plan does with one item. */
export type RestoreAction =
  /** Write it where it was (nothing is there). */
  | 'create'
  /** Replace what is there with the snapshot's version. */
  | 'overwrite'
  /** Leave the target alone (identical already, or bypass mode, or an existing folder). */
  | 'skip'
  /** Write it under the `Holdfast Restore <timestamp>/` folder. */
  | 'restore-folder';

/** Why the plan chose an action. */
export type RestoreReason =
  | 'missing'
  | 'identical'
  | 'different'
  | 'exists'
  | 'folder-exists'
  | 'type-conflict'
  | 'case-conflict'
  | 'non-destructive'
  | 'empty-location'
  | 'unsupported';

export interface PlannedItem {
  /** The item's path in the snapshot. */
  readonly path: string;
  /** Where it is written at the target (for `skip`: where it is). */
  readonly targetPath: string;
  readonly type: TreeNode['type'];
  readonly action: RestoreAction;
  readonly reason: RestoreReason;
  /** Bytes of content (files). */
  readonly size: number;
}

export interface RestorePlanOptions {
  readonly mode?: RestoreMode | undefined;
  /** Snapshot paths to restore (files or folders, with everything beneath). Default: everything. */
  readonly include?: readonly string[] | undefined;
  /** Where at the target to restore, `/`-separated (another folder). Default: the target's root. */
  readonly to?: string | undefined;
  /** The time that names the `Holdfast Restore` folder. Default: now. */
  readonly now?: Date | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** A plan: serialisable, so it can be shown (dry run), stored, and executed or resumed later. */
export interface RestorePlan {
  readonly snapshot: string;
  readonly mode: RestoreMode;
  /** The location items are restored to (`''`: the target's root). */
  readonly to: string;
  /** The `Holdfast Restore <timestamp>` folder's path at the target, when some item goes there. */
  readonly restoreFolder?: string | undefined;
  readonly items: readonly PlannedItem[];
  /** Parts of the snapshot that could not be read (a damaged or missing tree): nothing under them is planned. */
  readonly problems: readonly { readonly path: string; readonly code: string; readonly message: string }[];
  readonly counts: Readonly<Record<RestoreAction, number>>;
  /** Bytes of the files the plan writes. */
  readonly bytes: number;
}

/** `Holdfast Restore 2026-11-23 14-05-09 UTC`: a folder name every target accepts (no colons). */
export function restoreFolderName(now: Date): string {
  const iso = now.toISOString();
  return `Holdfast Restore ${iso.slice(0, 10)} ${iso.slice(11, 19).replaceAll(':', '-')} UTC`;
}

export async function planRestore(
  context: RepositoryContext,
  snapshot: Snapshot,
  target: RestoreTarget,
  options: RestorePlanOptions = {},
): Promise<RestorePlan> {
  const { signal } = options;
  const mode = options.mode ?? 'non-destructive';
  if (!RESTORE_MODES.includes(mode)) throw new ValidationError(`unknown restore mode ${JSON.stringify(mode)}`);
  const to = normalise(options.to ?? '', 'restore location');
  for (const path of options.include ?? []) normalise(path, 'include path');
  const join = (...parts: string[]): string => parts.filter((part) => part !== '').join('/');

  // The location: the target's root, or a folder in it. Missing counts as empty (a dry run into a new folder).
  const location = await target.stat(to, { signal });
  if (location !== undefined && location.type !== 'folder') {
    throw new ValidationError(`the restore location ${to} is a ${location.type} at the target, not a folder`);
  }
  const emptyLocation = location === undefined || (await isEmptyFolder(target, to, signal));
  let restoreFolder: string | undefined;
  const inRestoreFolder = async (path: string): Promise<string> => {
    restoreFolder ??= await freeName(target, join(to, restoreFolderName(options.now ?? new Date())), signal);
    return join(restoreFolder, path);
  };

  const items: PlannedItem[] = [];
  const problems: { path: string; code: string; message: string }[] = [];
  const onError = (path: string, error: HoldfastError): void => {
    if (error.code === 'CANCELED') throw error;
    problems.push({ path: path === '' ? '/' : path, code: error.code, message: error.message });
  };
  /** Folders whose contents all go under the restore folder (a type or case conflict on the folder). */
  const displaced: string[] = [];
  const under = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);
  for (const root of options.include ?? ['']) {
    if (root !== '') await findEntry(context, snapshot.tree, normalise(root, 'include path'), signal);
    const walk = walkTree(context, snapshot.tree, { path: normalise(root, 'include path'), signal, onError });
    for await (const { path, node } of walk) {
      assertSafeRelativePath(path, 'snapshot path');
      const size = node.type === 'file' ? (node.size ?? 0) : 0;
      const item = (action: RestoreAction, reason: RestoreReason, targetPath: string): void => {
        items.push({ path, targetPath, type: node.type, action, reason, size });
      };
      if (
        node.type !== 'file' &&
        node.type !== 'folder' &&
        !(node.type === 'symlink' && target.capabilities.symlinks)
      ) {
        item('skip', 'unsupported', join(to, path));
        continue;
      }
      if (displaced.some((folder) => under(path, folder))) {
        item('restore-folder', 'type-conflict', await inRestoreFolder(path));
        continue;
      }
      if (mode === 'non-destructive') {
        if (emptyLocation) item('create', 'empty-location', join(to, path));
        else item('restore-folder', 'non-destructive', await inRestoreFolder(path));
        continue;
      }
      const targetPath = join(to, path);
      const existing = await target.stat(targetPath, { signal });
      if (existing === undefined) {
        item('create', 'missing', targetPath);
        continue;
      }
      if (!target.capabilities.caseSensitive && !(await holdsExactName(target, targetPath, signal))) {
        if (node.type === 'folder') displaced.push(path);
        item('restore-folder', 'case-conflict', await inRestoreFolder(path));
        continue;
      }
      if (kindOf(existing) !== kindOf(node)) {
        if (node.type === 'folder') displaced.push(path);
        item('restore-folder', 'type-conflict', await inRestoreFolder(path));
        continue;
      }
      if (node.type === 'folder') {
        item('skip', 'folder-exists', targetPath);
        continue;
      }
      if (isIdentical(node, existing)) item('skip', 'identical', targetPath);
      else if (mode === 'replace') item('overwrite', 'different', targetPath);
      else item('skip', 'exists', targetPath);
    }
  }
  const counts: Record<RestoreAction, number> = { create: 0, overwrite: 0, skip: 0, 'restore-folder': 0 };
  let bytes = 0;
  for (const item of items) {
    counts[item.action]++;
    if (item.action !== 'skip') bytes += item.size;
  }
  return {
    snapshot: snapshot.id,
    mode,
    to,
    ...(restoreFolder === undefined ? {} : { restoreFolder }),
    items,
    problems,
    counts,
    bytes,
  };
}

/**
 * The same content, as far as the target can tell cheaply: the same content hash when both have one of
 * the same algorithm; otherwise the same size and modification time (to the second), the test rsync uses.
 */
function isIdentical(node: TreeNode, existing: TargetEntry): boolean {
  if (node.type === 'symlink') return false;
  if (existing.size !== undefined && node.size !== undefined && existing.size !== node.size) return false;
  if (node.hash !== undefined && existing.contentHash?.algorithm === node.hash.algorithm) {
    return existing.contentHash.value === node.hash.value;
  }
  if (existing.size === undefined || node.mtime === undefined || existing.modifiedAt === undefined) return false;
  return Math.floor(Date.parse(node.mtime) / 1000) === Math.floor(Date.parse(existing.modifiedAt) / 1000);
}

function kindOf(item: { readonly type: string }): 'folder' | 'file' | 'symlink' | 'other' {
  return item.type === 'folder' || item.type === 'file' || item.type === 'symlink' ? item.type : 'other';
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * On a target that ignores case, whether the item found at `path` has exactly that name (and not the
 * same name in other case): read from its folder's listing, since `stat` answers for either.
 */
async function holdsExactName(target: RestoreTarget, path: string, signal: AbortSignal | undefined): Promise<boolean> {
  const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const name = lastSegment(path);
  for await (const entry of target.list(parent, { signal })) if (lastSegment(entry.path) === name) return true;
  return false;
}

function normalise(path: string, what: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed !== '') assertSafeRelativePath(trimmed, what);
  return trimmed;
}

async function isEmptyFolder(target: RestoreTarget, path: string, signal: AbortSignal | undefined): Promise<boolean> {
  for await (const _ of target.list(path, { signal })) return false;
  return true;
}

/** `path`, or `path (2)`, `path (3)`... whichever the target does not hold yet. */
async function freeName(target: RestoreTarget, path: string, signal: AbortSignal | undefined): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? path : `${path} (${String(n)})`;
    if ((await target.stat(candidate, { signal })) === undefined) return candidate;
  }
}
