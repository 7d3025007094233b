/**
 * Applies an incremental walk's changes to the parent snapshot, feeding the new snapshot to a
 * {@link TreeBuilder} in the depth-first order it needs.
 *
 * Design note: the new tree is the parent's tree with the changes laid over it. Only folders on the way
 * to a change are opened: any other folder of the parent is reused whole (its subtree id and totals),
 * so an incremental run reads and writes O(changes × depth) trees, not the whole snapshot. A folder is
 * "on the way" when a changed or deleted item is beneath its new path, or an item that moved away or was
 * deleted by id was beneath its old path. To know where an id was, the change's own path is tried
 * first (most changes are edits in place); ids not found there are looked for in one walk of the
 * parent's trees, which reads trees from the repository and makes no call to the source.
 *
 * Moves: a folder yielded at a new path keeps the parent's contents of the same id unless they are
 * deleted or yielded elsewhere; a moved file keeps its content when its version and hash are unchanged.
 * Every yielded item must land in a folder of the new tree; when one does not, the feed was
 * inconsistent and {@link InconsistentChangesError} asks the caller for a full walk.
 */
import { IntegrityError, isHoldfastError } from '../errors/index.ts';
import type { SourceItem } from '../ports/index.ts';
import type { BlobIndex } from '../repository/blob-index.ts';
import { hexToBytes } from '../repository/hex.ts';
import type { RepositoryContext } from '../repository/repository-context.ts';
import type { TreeNode } from '../repository/tree.ts';
import { walkTree } from '../repository/tree-walk.ts';
import type { BackupCounters } from './backup-counters.ts';
import { folderKeys, type ChangeSet, type PathKey } from './change-set.ts';
import type { TreeBuilder } from './tree-builder.ts';

/** The change feed named items whose folders the new tree does not have: walk in full instead. */
export class InconsistentChangesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InconsistentChangesError';
  }
}

/** Where an id was in the parent snapshot. */
interface OldPlace {
  readonly path: string;
  readonly node: TreeNode;
}

export interface IncrementalMergeOptions {
  readonly context: RepositoryContext;
  readonly index: BlobIndex;
  readonly builder: TreeBuilder;
  readonly counters: BackupCounters;
  readonly changes: ChangeSet;
  readonly key: PathKey;
  /** The parent snapshot's root tree. */
  readonly parentTree: string;
  readonly signal?: AbortSignal | undefined;
}

/** Lays the changes over the parent's tree, adding the result to the builder. */
export async function mergeIncremental(options: IncrementalMergeOptions): Promise<void> {
  const { changes, key } = options;
  const oldPlaces = await locateOldPlaces(options);
  const touchedNew = new Set<string>();
  for (const item of changes.items.values()) for (const folder of folderKeys(key(item.path))) touchedNew.add(folder);
  for (const path of changes.deletedPaths) for (const folder of folderKeys(path)) touchedNew.add(folder);
  const touchedOld = new Set<string>();
  for (const { path } of oldPlaces.values()) for (const folder of folderKeys(path)) touchedOld.add(folder);

  const placed = new Set<string>();
  const merge = new Merge(options, oldPlaces, touchedNew, touchedOld, placed);
  await merge.folder('', '', options.parentTree);
  if (placed.size !== changes.items.size) {
    const lost = [...changes.items.values()].filter((item) => !placed.has(item.id)).map((item) => item.path);
    throw new InconsistentChangesError(
      `the change feed named ${String(lost.length)} item(s) outside any folder of the new snapshot ` +
        `(${lost.slice(0, 3).join(', ')}${lost.length > 3 ? ', …' : ''})`,
    );
  }
}

class Merge {
  readonly options: IncrementalMergeOptions;
  readonly oldPlaces: ReadonlyMap<string, OldPlace>;
  readonly touchedNew: ReadonlySet<string>;
  readonly touchedOld: ReadonlySet<string>;
  readonly placed: Set<string>;

  constructor(
    options: IncrementalMergeOptions,
    oldPlaces: ReadonlyMap<string, OldPlace>,
    touchedNew: ReadonlySet<string>,
    touchedOld: ReadonlySet<string>,
    placed: Set<string>,
  ) {
    this.options = options;
    this.oldPlaces = oldPlaces;
    this.touchedNew = touchedNew;
    this.touchedOld = touchedOld;
    this.placed = placed;
  }

  /** Adds the contents of the folder now at `newPath`, whose parent-snapshot tree (if any) is `treeId`. */
  async folder(newPath: string, oldPath: string | undefined, treeId: string | undefined): Promise<void> {
    const { changes, key, builder, counters, context, signal } = this.options;
    type Child =
      | { readonly name: string; readonly old: TreeNode; readonly oldPath: string }
      | { readonly name: string; readonly item: SourceItem };
    const children = new Map<string, Child>();
    if (treeId !== undefined) {
      for (const node of (await context.tree(treeId, signal)).nodes) {
        const childNew = join(newPath, node.name);
        if (node.id !== undefined && changes.items.has(node.id)) continue; // placed where the feed says
        if ((node.id !== undefined && changes.deletedIds.has(node.id)) || changes.deletedPaths.has(key(childNew))) {
          counters.deletedItems += 1 + (node.count ?? 0);
          continue;
        }
        children.set(key(node.name), { name: node.name, old: node, oldPath: join(oldPath ?? '', node.name) });
      }
    }
    for (const item of changes.itemsByFolder.get(key(newPath)) ?? []) {
      const name = item.path.slice(item.path.lastIndexOf('/') + 1);
      const replaced = children.get(key(name));
      if (replaced !== undefined && 'old' in replaced) counters.deletedItems += 1 + (replaced.old.count ?? 0);
      children.set(key(name), { name, item });
      this.placed.add(item.id);
    }
    for (const child of children.values()) {
      const path = join(newPath, child.name);
      if ('item' in child) {
        const previous = this.oldPlaces.get(child.item.id);
        await builder.add({ ...child.item, path }, previous?.node ?? null);
        if (child.item.type === 'folder') {
          const subtree = previous?.node.type === 'folder' ? previous.node.subtree : undefined;
          await this.folder(path, previous?.path, subtree);
        }
      } else if (child.old.type === 'folder' && this.#mustOpen(path, child.oldPath, child.old)) {
        await builder.addFolder(path, child.old);
        await this.folder(path, child.oldPath, child.old.subtree);
      } else if (child.old.type === 'file' && !this.#indexed(child.old.content)) {
        // Damaged repository: the content is gone from the index; read the file again.
        if (child.old.id === undefined) {
          builder.recordError(path, new IntegrityError('the content is missing and the item has no id to read it by'));
        } else {
          await builder.add(itemOf(path, child.old, child.old.id), null);
        }
      } else {
        await builder.addNode(path, child.old);
      }
    }
  }

  #mustOpen(newPath: string, oldPath: string, node: TreeNode): boolean {
    return (
      this.touchedNew.has(this.options.key(newPath)) ||
      this.touchedOld.has(oldPath) ||
      node.files === undefined ||
      node.bytes === undefined ||
      node.subtree === undefined ||
      !this.options.index.has(hexToBytes(node.subtree))
    );
  }

  #indexed(content: readonly string[] | undefined): boolean {
    const { index } = this.options;
    return content?.every((id) => index.has(hexToBytes(id))) === true;
  }
}

/**
 * Where each changed or deleted id was in the parent snapshot: first at the change's own path, then,
 * for the rest, by one walk of the parent's trees.
 */
async function locateOldPlaces(options: IncrementalMergeOptions): Promise<Map<string, OldPlace>> {
  const { changes, context, parentTree, signal, key } = options;
  const wanted = new Map<string, string | undefined>();
  for (const [id, item] of changes.items) wanted.set(id, item.path);
  for (const id of changes.deletedIds) wanted.set(id, changes.deletedIdHints.get(id));
  const found = new Map<string, OldPlace>();
  for (const [id, hint] of wanted) {
    if (hint === undefined) continue;
    const place = await lookup(context, parentTree, hint, key, signal);
    if (place?.node.id === id) found.set(id, place);
  }
  if (found.size === wanted.size) return found;
  for await (const entry of walkTree(context, parentTree, { signal })) {
    const { id } = entry.node;
    if (id !== undefined && wanted.has(id) && !found.has(id)) {
      found.set(id, entry);
      if (found.size === wanted.size) break;
    }
  }
  return found;
}

/** The parent snapshot's node at `path` (matched through `key`), if any. */
async function lookup(
  context: RepositoryContext,
  rootTree: string,
  path: string,
  key: PathKey,
  signal: AbortSignal | undefined,
): Promise<OldPlace | undefined> {
  let treeId: string | undefined = rootTree;
  let node: TreeNode | undefined;
  const names: string[] = [];
  for (const name of path.split('/')) {
    if (treeId === undefined) return undefined;
    try {
      const tree = await context.tree(treeId, signal);
      node = tree.nodes.find((candidate) => key(candidate.name) === key(name));
    } catch (error) {
      if (isHoldfastError(error, 'NOT_FOUND') || isHoldfastError(error, 'INTEGRITY')) return undefined;
      throw error;
    }
    if (node === undefined) return undefined;
    names.push(node.name);
    treeId = node.type === 'folder' ? node.subtree : undefined;
  }
  return node === undefined ? undefined : { path: names.join('/'), node };
}

function join(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** A parent-snapshot file as a source item, to be read again. */
function itemOf(path: string, node: TreeNode, id: string): SourceItem {
  return {
    id,
    path,
    type: node.type,
    ...(node.size === undefined ? {} : { size: node.size }),
    ...(node.version === undefined ? {} : { version: node.version }),
    ...(node.hash === undefined ? {} : { contentHash: node.hash }),
    ...(node.mtime === undefined ? {} : { modifiedAt: node.mtime }),
    ...(node.ctime === undefined ? {} : { createdAt: node.ctime }),
    ...(node.mode === undefined ? {} : { mode: node.mode }),
    ...(node.meta === undefined ? {} : { metadata: node.meta }),
  };
}
