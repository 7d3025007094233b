/**
 * The difference between two snapshots, walking both trees in step. Subtrees with the same id are equal
 * and skipped without being read, so a diff costs what changed.
 */
import type { RepositoryContext } from './repository-context.ts';
import type { TreeNode } from './tree.ts';
import { walkTree } from './tree-walk.ts';

export interface DiffEntry {
  readonly change: 'added' | 'removed' | 'modified';
  readonly path: string;
  readonly type: TreeNode['type'];
  /** Modified items: what differs (`content`, `type`, `mode`, `mtime`, `link`). */
  readonly fields?: readonly string[] | undefined;
}

export async function* diffTrees(
  context: RepositoryContext,
  from: string,
  to: string,
  path = '',
): AsyncGenerator<DiffEntry> {
  if (from === to) return;
  const [a, b] = await Promise.all([context.tree(from), context.tree(to)]);
  const before = new Map(a.nodes.map((node) => [node.name, node]));
  const names = [...new Set([...a.nodes.map((node) => node.name), ...b.nodes.map((node) => node.name)])].sort((x, y) =>
    x < y ? -1 : x > y ? 1 : 0,
  );
  const after = new Map(b.nodes.map((node) => [node.name, node]));
  for (const name of names) {
    const childPath = path === '' ? name : `${path}/${name}`;
    const old = before.get(name);
    const now = after.get(name);
    if (old === undefined && now !== undefined) yield* everything(context, 'added', now, childPath);
    else if (now === undefined && old !== undefined) yield* everything(context, 'removed', old, childPath);
    else if (old !== undefined && now !== undefined) {
      if (old.type !== now.type) {
        yield* everything(context, 'removed', old, childPath);
        yield* everything(context, 'added', now, childPath);
        continue;
      }
      const fields = changedFields(old, now);
      if (fields.length > 0) yield { change: 'modified', path: childPath, type: now.type, fields };
      if (old.subtree !== undefined && now.subtree !== undefined) {
        yield* diffTrees(context, old.subtree, now.subtree, childPath);
      }
    }
  }
}

async function* everything(
  context: RepositoryContext,
  change: 'added' | 'removed',
  node: TreeNode,
  path: string,
): AsyncGenerator<DiffEntry> {
  yield { change, path, type: node.type };
  if (node.type === 'folder' && node.subtree !== undefined) {
    for await (const entry of walkTree(context, node.subtree)) {
      yield { change, path: `${path}/${entry.path}`, type: entry.node.type };
    }
  }
}

function changedFields(a: TreeNode, b: TreeNode): string[] {
  const fields: string[] = [];
  if (a.type === 'file' && (a.size !== b.size || (a.content ?? []).join() !== (b.content ?? []).join())) {
    fields.push('content');
  }
  if (a.link !== b.link) fields.push('link');
  if (a.mode !== b.mode) fields.push('mode');
  if (a.mtime !== b.mtime) fields.push('mtime');
  return fields;
}
