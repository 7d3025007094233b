/**
 * Trees: one folder's listing, stored as a blob (type `tree`) so an unchanged folder serialises to the
 * same bytes, gets the same id and costs nothing in the next snapshot.
 *
 * A tree is JSON `{"nodes":[…]}` with nodes sorted by name (UTF-16 code unit order) and no duplicate
 * names. Decoding validates every field: a tree comes from storage and is never trusted (a node name is
 * one path segment: never empty, `.`, `..`, or containing `/` or NUL).
 */
import type { ContentHash, SourceItemType } from '../ports/index.ts';
import { IntegrityError } from '../errors/index.ts';
import { isHexId } from './hex.ts';

/** One item of a folder as a snapshot keeps it. */
export interface TreeNode {
  readonly name: string;
  readonly type: SourceItemType;
  /** The item's stable id in its source. */
  readonly id?: string | undefined;
  /** The source's version of the item. */
  readonly version?: string | undefined;
  /** The source's content hash. */
  readonly hash?: ContentHash | undefined;
  /** Bytes of content (files). */
  readonly size?: number | undefined;
  /** Modification time, ISO 8601. */
  readonly mtime?: string | undefined;
  /** Creation time, ISO 8601. */
  readonly ctime?: string | undefined;
  /** POSIX permission bits. */
  readonly mode?: number | undefined;
  /** A symlink's target. */
  readonly link?: string | undefined;
  /** A file's content: data blob ids (hex), in order. */
  readonly content?: readonly string[] | undefined;
  /** A folder's tree blob id (hex). */
  readonly subtree?: string | undefined;
  /** A folder's number of items beneath it, at any depth. */
  readonly count?: number | undefined;
  /** A folder's number of files beneath it, at any depth (trees written before 0.1 lack it). */
  readonly files?: number | undefined;
  /** A folder's bytes of file content beneath it, at any depth (trees written before 0.1 lack it). */
  readonly bytes?: number | undefined;
  /** Source-specific metadata. */
  readonly meta?: Readonly<Record<string, string | number | boolean | null>> | undefined;
}

export interface Tree {
  readonly nodes: readonly TreeNode[];
}

/** Serialises a tree; sorts the nodes and refuses duplicate names. */
export function encodeTree(nodes: TreeNode[]): Uint8Array {
  nodes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < nodes.length; i++) {
    if (nodes[i]?.name === nodes[i - 1]?.name) {
      throw new IntegrityError(`two items named ${JSON.stringify(nodes[i]?.name)} in one folder`);
    }
  }
  return new TextEncoder().encode(JSON.stringify({ nodes }));
}

/** What a folder holds beneath it, at any depth. */
export interface FolderTotals {
  /** Items. */
  readonly count: number;
  /** Files, when every subfolder's node records it. */
  readonly files: number | undefined;
  /** Bytes of file content, when every subfolder's node records it. */
  readonly bytes: number | undefined;
}

/** The totals of a folder whose tree holds `nodes`. */
export function folderTotals(nodes: readonly TreeNode[]): FolderTotals {
  let count = 0;
  let files: number | undefined = 0;
  let bytes: number | undefined = 0;
  for (const node of nodes) {
    count += 1 + (node.count ?? 0);
    if (node.type === 'file') {
      if (files !== undefined) files += 1;
      if (bytes !== undefined) bytes += node.size ?? 0;
    } else if (node.type === 'folder') {
      files = files === undefined || node.files === undefined ? undefined : files + node.files;
      bytes = bytes === undefined || node.bytes === undefined ? undefined : bytes + node.bytes;
    }
  }
  return { count, files, bytes };
}

/** The fields a folder's node carries for `totals`. */
export function totalsFields(totals: FolderTotals): Pick<TreeNode, 'count' | 'files' | 'bytes'> {
  return {
    count: totals.count,
    ...(totals.files === undefined ? {} : { files: totals.files }),
    ...(totals.bytes === undefined ? {} : { bytes: totals.bytes }),
  };
}

const TYPES = new Set(['file', 'folder', 'symlink', 'other']);

/** Whether `name` is one safe path segment. */
export function isSafeName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name !== '' &&
    name !== '.' &&
    name !== '..' &&
    !name.includes('/') &&
    !name.includes('\0')
  );
}

/** Parses and validates a tree blob's plaintext. */
export function decodeTree(plain: Uint8Array, what = 'tree'): Tree {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
  } catch (error) {
    throw new IntegrityError(`${what} is not valid JSON`, { cause: error });
  }
  const nodes = (value as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) throw new IntegrityError(`${what} has no node list`);
  let previous: string | undefined;
  for (const node of nodes as unknown[]) {
    const problem = nodeProblem(node);
    if (problem !== undefined) throw new IntegrityError(`${what}: ${problem}`);
    const name = (node as TreeNode).name;
    if (previous !== undefined && !(previous < name)) throw new IntegrityError(`${what} is not sorted by name`);
    previous = name;
  }
  return { nodes: nodes as TreeNode[] };
}

function nodeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'a node is not an object';
  const node = value as Partial<Record<keyof TreeNode, unknown>>;
  if (!isSafeName(node.name)) return `unsafe item name ${JSON.stringify(node.name)}`;
  if (typeof node.type !== 'string' || !TYPES.has(node.type)) return `item ${node.name} has an unknown type`;
  if (node.type === 'folder' && !isHexId(node.subtree)) return `folder ${node.name} has no valid subtree id`;
  if (node.type === 'file') {
    if (!Array.isArray(node.content) || !node.content.every(isHexId)) return `file ${node.name} has no valid content`;
    if (!isSize(node.size)) return `file ${node.name} has no valid size`;
  }
  if (node.type === 'symlink' && typeof node.link !== 'string') return `symlink ${node.name} has no target`;
  if (node.mode !== undefined && !isSize(node.mode)) return `item ${node.name} has an invalid mode`;
  for (const field of ['count', 'files', 'bytes'] as const) {
    if (node[field] !== undefined && !isSize(node[field])) return `folder ${node.name} has an invalid ${field}`;
  }
  return undefined;
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
