/**
 * Rewriting a snapshot's trees without some items: the folders on the way to an erased item get new tree
 * blobs, every other subtree keeps its id (so it stays shared with the other snapshots).
 */
import { bytesToHex } from '../../repository/hex.ts';
import type { BlobWriter } from '../../repository/blob-writer.ts';
import type { RepositoryContext } from '../../repository/repository-context.ts';
import { encodeTree, folderTotals, totalsFields, type FolderTotals, type TreeNode } from '../../repository/tree.ts';

/** Chooses the items to erase: a path within the entity, or the source's item id. */
export type EraseItem = { readonly path: string } | { readonly id: string };

/** What rewriting trees found and replaced. */
/** A rewritten tree: its id and what it holds. */
export interface RewrittenTree {
  readonly id: string;
  readonly totals: FolderTotals;
}

export interface RewriteCollector {
  /** Paths erased (with their folder's contents, for a folder). */
  readonly erasedPaths: string[];
  /** Data blob ids the erased items used (hex). */
  readonly erasedContent: Set<string>;
  /** Tree blob ids (hex) that held an erased item or its name: replaced, or erased with a folder. */
  readonly replacedTrees: Set<string>;
}

export class TreeRewriter {
  readonly #context: RepositoryContext;
  readonly #writer: BlobWriter | undefined;
  readonly #paths: ReadonlySet<string>;
  readonly #ids: ReadonlySet<string>;
  readonly #signal: AbortSignal | undefined;
  /** Results by tree id and path (a path-based choice depends on where the tree sits). */
  readonly #done = new Map<string, RewrittenTree | undefined>();

  /** With no writer (a dry run) trees are not written; ids of rewritten trees are then placeholders. */
  constructor(
    context: RepositoryContext,
    writer: BlobWriter | undefined,
    items: readonly EraseItem[],
    signal?: AbortSignal,
  ) {
    this.#context = context;
    this.#writer = writer;
    this.#paths = new Set(items.flatMap((item) => ('path' in item ? [item.path] : [])));
    this.#ids = new Set(items.flatMap((item) => ('id' in item ? [item.id] : [])));
    this.#signal = signal;
  }

  /**
   * The tree `treeId` at `path` without the chosen items: `undefined` when nothing in it is erased,
   * otherwise the new tree's id and item count.
   */
  async rewrite(treeId: string, path: string, found: RewriteCollector): Promise<RewrittenTree | undefined> {
    const key = `${treeId}\0${path}`;
    if (this.#done.has(key)) {
      const known = this.#done.get(key);
      // Already rewritten in an earlier snapshot: what it erased is recorded; count the paths again.
      if (known !== undefined) await this.#collectPaths(treeId, path, found);
      return known;
    }
    const tree = await this.#context.tree(treeId, this.#signal);
    const nodes: TreeNode[] = [];
    let changed = false;
    for (const node of tree.nodes) {
      const childPath = path === '' ? node.name : `${path}/${node.name}`;
      if (this.#matches(node, childPath)) {
        changed = true;
        await this.#collectErased(node, childPath, found);
        continue;
      }
      if (node.type === 'folder' && node.subtree !== undefined) {
        const rewritten = await this.rewrite(node.subtree, childPath, found);
        if (rewritten !== undefined) {
          changed = true;
          nodes.push({ ...withoutTotals(node), subtree: rewritten.id, ...totalsFields(rewritten.totals) });
          continue;
        }
      }
      nodes.push(node);
    }
    let result: RewrittenTree | undefined;
    if (changed) {
      found.replacedTrees.add(treeId);
      const bytes = encodeTree(nodes);
      const id =
        this.#writer === undefined ? `dry-run:${key}` : bytesToHex((await this.#writer.save('tree', bytes)).id);
      result = { id, totals: folderTotals(nodes) };
    }
    this.#done.set(key, result);
    return result;
  }

  #matches(node: TreeNode, path: string): boolean {
    return this.#paths.has(path) || (node.id !== undefined && this.#ids.has(node.id));
  }

  async #collectErased(node: TreeNode, path: string, found: RewriteCollector): Promise<void> {
    found.erasedPaths.push(path);
    for (const blob of node.content ?? []) found.erasedContent.add(blob);
    if (node.subtree !== undefined) {
      found.replacedTrees.add(node.subtree);
      const tree = await this.#context.tree(node.subtree, this.#signal);
      for (const child of tree.nodes) await this.#collectErased(child, `${path}/${child.name}`, found);
    }
  }

  /** For a tree already rewritten: records the erased paths under it again (the report is per snapshot). */
  async #collectPaths(treeId: string, path: string, found: RewriteCollector): Promise<void> {
    const tree = await this.#context.tree(treeId, this.#signal);
    for (const node of tree.nodes) {
      const childPath = path === '' ? node.name : `${path}/${node.name}`;
      if (this.#matches(node, childPath)) await this.#collectErased(node, childPath, found);
      else if (node.type === 'folder' && node.subtree !== undefined) {
        const key = `${node.subtree}\0${childPath}`;
        if (this.#done.get(key) !== undefined) await this.#collectPaths(node.subtree, childPath, found);
      }
    }
  }
}

/** A folder node without its totals (they are recomputed). */
function withoutTotals(node: TreeNode): TreeNode {
  const copy: { -readonly [K in keyof TreeNode]: TreeNode[K] } = { ...node };
  delete copy.count;
  delete copy.files;
  delete copy.bytes;
  return copy;
}
