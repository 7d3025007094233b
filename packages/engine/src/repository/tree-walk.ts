/**
 * Walking a snapshot's trees depth first, a folder before its contents, one tree in memory per level.
 */
import { isHoldfastError, NotFoundError, type HoldfastError } from '../errors/index.ts';
import type { RepositoryContext } from './repository-context.ts';
import type { TreeNode } from './tree.ts';

/** One item of a snapshot with its path. */
export interface TreeEntry {
  /** `/`-separated path from the snapshot's root. */
  readonly path: string;
  readonly node: TreeNode;
}

export interface WalkTreeOptions {
  /** Only this path (an item, or a folder and everything beneath it). Default: the whole snapshot. */
  readonly path?: string | undefined;
  /** Do not descend below this many levels under the start (1: a folder's direct items). Default: no limit. */
  readonly depth?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /**
   * Called for a tree that cannot be read; its items are skipped and the walk goes on. Without it, the
   * walk rejects.
   */
  readonly onError?: ((path: string, error: HoldfastError) => void) | undefined;
}

export async function* walkTree(
  context: RepositoryContext,
  rootTree: string,
  options: WalkTreeOptions = {},
): AsyncGenerator<TreeEntry> {
  const path = normalise(options.path ?? '');
  const depth = options.depth ?? Number.POSITIVE_INFINITY;
  if (path === '') {
    yield* walkFolder(context, rootTree, '', depth, options);
    return;
  }
  const entry = await findEntry(context, rootTree, path, options.signal);
  yield entry;
  if (entry.node.type === 'folder' && entry.node.subtree !== undefined && depth > 0) {
    yield* walkFolder(context, entry.node.subtree, entry.path, depth, options);
  }
}

/** The entry at a path; `NotFoundError` if the snapshot has none. */
export async function findEntry(
  context: RepositoryContext,
  rootTree: string,
  path: string,
  signal?: AbortSignal,
): Promise<TreeEntry> {
  const names = normalise(path).split('/');
  let treeId = rootTree;
  let found: TreeEntry | undefined;
  for (const [i, name] of names.entries()) {
    const tree = await context.tree(treeId, signal);
    const node = tree.nodes.find((candidate) => candidate.name === name);
    const soFar = names.slice(0, i + 1).join('/');
    if (node === undefined) throw new NotFoundError(`the snapshot has no ${soFar}`);
    found = { path: soFar, node };
    if (i < names.length - 1) {
      if (node.type !== 'folder' || node.subtree === undefined) throw new NotFoundError(`the snapshot has no ${path}`);
      treeId = node.subtree;
    }
  }
  if (found === undefined) throw new NotFoundError(`the snapshot has no ${path}`);
  return found;
}

async function* walkFolder(
  context: RepositoryContext,
  treeId: string,
  path: string,
  depth: number,
  options: WalkTreeOptions,
): AsyncGenerator<TreeEntry> {
  let nodes: readonly TreeNode[];
  try {
    nodes = (await context.tree(treeId, options.signal)).nodes;
  } catch (error) {
    if (options.onError === undefined || !isHoldfastError(error) || error.code === 'CANCELED') throw error;
    options.onError(path === '' ? '/' : path, error);
    return;
  }
  for (const node of nodes) {
    const childPath = path === '' ? node.name : `${path}/${node.name}`;
    yield { path: childPath, node };
    if (node.type === 'folder' && node.subtree !== undefined && depth > 1) {
      yield* walkFolder(context, node.subtree, childPath, depth - 1, options);
    }
  }
}

function normalise(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
