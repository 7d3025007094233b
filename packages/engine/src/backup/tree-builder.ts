/**
 * Turns a depth-first walk into trees, bottom up, diffing each folder against the same folder of the
 * parent snapshot.
 *
 * Design note: the walk yields a folder before its contents and a folder's whole subtree before anything
 * outside it, so the folders from the root to the current item form a stack. An item whose parent is not
 * the top of the stack closes folders until it is: a closed folder's nodes (some still being saved) are
 * awaited, encoded, saved as a tree blob, and become a node of the folder below. Memory holds only the
 * open folders and the files in flight, never the whole snapshot.
 *
 * A file whose id, version and (when given) content hash match its node in the parent's same folder, and
 * whose content blobs are all still indexed, reuses that node's content without being read.
 */
import { PermanentError, isHoldfastError, type HoldfastError } from '../errors/index.ts';
import type { Source, SourceItem } from '../ports/index.ts';
import { bytesToHex, hexToBytes } from '../repository/hex.ts';
import type { BlobIndex } from '../repository/blob-index.ts';
import type { BlobWriter } from '../repository/blob-writer.ts';
import type { RepositoryContext } from '../repository/repository-context.ts';
import { retrying } from '../repository/retry.ts';
import type { SnapshotError } from '../repository/snapshot-record.ts';
import {
  encodeTree,
  folderTotals,
  isSafeName,
  totalsFields,
  type FolderTotals,
  type TreeNode,
} from '../repository/tree.ts';
import { chunkStream } from '../chunker/index.ts';
import type { BackupCounters } from './backup-counters.ts';
import { Semaphore } from './semaphore.ts';

interface OpenFolder {
  readonly path: string;
  /** The folder as the source yielded it; or `base`, its node from the parent snapshot. */
  readonly item: SourceItem | undefined;
  readonly base?: TreeNode | undefined;
  readonly old: ReadonlyMap<string, TreeNode> | undefined;
  readonly nodes: Promise<TreeNode | undefined>[];
}

export interface TreeBuilderOptions {
  readonly context: RepositoryContext;
  readonly index: BlobIndex;
  readonly writer: BlobWriter;
  readonly source: Source;
  readonly entityId: string;
  readonly counters: BackupCounters;
  readonly concurrency: number;
  readonly signal?: AbortSignal | undefined;
  /** The parent snapshot's root tree. */
  readonly parentTree?: string | undefined;
  /** When the parent snapshot's run started (ISO 8601). */
  readonly parentTime?: string | undefined;
}

/** Files modified less than this long before the parent run started are read again. */
const RACY_WINDOW_MS = 2000;

/** At most this many item errors are kept in the snapshot record. */
const KEPT_ERRORS = 100;

export class TreeBuilder {
  readonly #options: TreeBuilderOptions;
  readonly #stack: OpenFolder[] = [];
  readonly #files: Semaphore;
  readonly errors: SnapshotError[] = [];
  #fatal: unknown;

  private constructor(options: TreeBuilderOptions) {
    this.#options = options;
    this.#files = new Semaphore(options.concurrency);
  }

  static async create(options: TreeBuilderOptions): Promise<TreeBuilder> {
    const builder = new TreeBuilder(options);
    builder.#stack.push({ path: '', item: undefined, old: await builder.#oldNodes(options.parentTree), nodes: [] });
    return builder;
  }

  /** Records an item the source could not list or read. */
  recordError(path: string, error: HoldfastError | Error): void {
    this.#options.counters.failedItems++;
    if (this.errors.length < KEPT_ERRORS) {
      this.errors.push({
        path,
        code: isHoldfastError(error) ? error.code : 'PERMANENT',
        message: error.message,
      });
    }
  }

  /**
   * Adds one walked item. `previous` is the item's node in the parent snapshot when the caller knows it
   * (an incremental run: the item may have moved); by default the node of the same name in the parent's
   * same folder.
   */
  async add(item: SourceItem, previous?: TreeNode | null): Promise<void> {
    const place = await this.#enter(item.path);
    if (place === undefined) return;
    const { top, name } = place;
    const counters = this.#options.counters;
    counters.items++;
    counters.currentPath = item.path;
    const old = previous === undefined ? top.old?.get(this.#key(name)) : (previous ?? undefined);
    if (item.type === 'folder') {
      this.#stack.push({
        path: item.path,
        item,
        old: await this.#oldNodes(old?.type === 'folder' ? old.subtree : undefined),
        nodes: [],
      });
      return;
    }
    if (item.type === 'file') {
      const reused = this.#reusable(item, old);
      if (reused !== undefined) {
        counters.unchangedFiles++;
        counters.totalBytes += reused.size ?? 0;
        top.nodes.push(Promise.resolve({ ...baseNode(item, name), size: reused.size, content: reused.content }));
        return;
      }
      if (old?.type === 'file') counters.changedFiles++;
      else counters.newFiles++;
      await this.#files.acquire();
      this.#throwIfFatal();
      top.nodes.push(
        this.#saveFile(item, name).finally(() => {
          this.#files.release();
        }),
      );
      return;
    }
    top.nodes.push(
      Promise.resolve({ ...baseNode(item, name), ...(item.linkTarget === undefined ? {} : { link: item.linkTarget }) }),
    );
  }

  /**
   * Adds a node of the parent snapshot as it is, without reading anything: an unchanged file, link, or
   * a whole unchanged folder with its subtree (an incremental run).
   */
  async addNode(path: string, node: TreeNode): Promise<void> {
    const place = await this.#enter(path);
    if (place === undefined) return;
    const counters = this.#options.counters;
    counters.items += 1 + (node.count ?? 0);
    counters.currentPath = path;
    if (node.type === 'file') {
      counters.unchangedFiles++;
      counters.totalBytes += node.size ?? 0;
    } else if (node.type === 'folder') {
      counters.unchangedFiles += node.files ?? 0;
      counters.totalBytes += node.bytes ?? 0;
    }
    place.top.nodes.push(Promise.resolve({ ...node, name: place.name }));
  }

  /**
   * Opens a folder of the parent snapshot whose contents the caller adds next (an incremental run): its
   * node's fields are kept, its subtree and totals are rebuilt.
   */
  async addFolder(path: string, node: TreeNode): Promise<void> {
    const place = await this.#enter(path);
    if (place === undefined) return;
    this.#options.counters.items++;
    this.#stack.push({
      path,
      item: undefined,
      base: { ...folderBase(node), name: place.name },
      old: undefined,
      nodes: [],
    });
  }

  /** Closes every open folder and returns the root tree's id and what it holds. */
  async finish(): Promise<{ id: string; totals: FolderTotals }> {
    while (this.#stack.length > 1) await this.#close();
    const root = this.#stack.pop();
    if (root === undefined) throw new PermanentError('the tree builder was finished twice');
    const saved = await this.#saveTree(root);
    this.#throwIfFatal();
    return saved;
  }

  /** Closes open folders until the parent of `path` is on top; `undefined` for an unsafe path. */
  async #enter(path: string): Promise<{ top: OpenFolder; name: string } | undefined> {
    this.#throwIfFatal();
    const slash = path.lastIndexOf('/');
    const parent = slash === -1 ? '' : path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (!isSafeName(name) || path.startsWith('/')) {
      this.recordError(path, new PermanentError(`unsafe item path ${JSON.stringify(path)}`));
      return undefined;
    }
    while (this.#top().path !== parent) {
      const open = this.#top().path;
      if (open === '' || parent.startsWith(`${open}/`)) {
        throw new PermanentError(`the source yielded ${path} before its folder ${parent} (walk order broken)`);
      }
      await this.#close();
    }
    return { top: this.#top(), name };
  }

  #top(): OpenFolder {
    const top = this.#stack.at(-1);
    if (top === undefined) throw new PermanentError('the walk closed the root folder');
    return top;
  }

  async #close(): Promise<void> {
    const folder = this.#stack.pop();
    if (folder === undefined || folder.path === '') throw new PermanentError('the walk closed the root folder');
    const { id, totals } = await this.#saveTree(folder);
    const name = folder.path.slice(folder.path.lastIndexOf('/') + 1);
    const base = folder.base ?? (folder.item === undefined ? undefined : baseNode(folder.item, name));
    if (base === undefined) throw new PermanentError(`the folder ${folder.path} has no node`);
    this.#top().nodes.push(Promise.resolve({ ...base, subtree: id, ...totalsFields(totals) }));
  }

  async #saveTree(folder: OpenFolder): Promise<{ id: string; totals: FolderTotals }> {
    const settled = await Promise.all(folder.nodes);
    this.#throwIfFatal();
    const names = new Set<string>();
    const nodes: TreeNode[] = [];
    for (const node of settled) {
      if (node === undefined) continue;
      if (names.has(node.name)) {
        this.recordError(joinPath(folder.path, node.name), new PermanentError('the source yielded this name twice'));
        continue;
      }
      names.add(node.name);
      nodes.push(node);
    }
    const kept = new Set([...names].map((name) => this.#key(name)));
    for (const [key, old] of folder.old ?? []) {
      if (!kept.has(key)) this.#options.counters.deletedItems += 1 + (old.count ?? 0);
    }
    const bytes = encodeTree(nodes);
    const saved = await this.#options.writer.save('tree', bytes);
    if (saved.added) this.#options.counters.blobsAdded++;
    return { id: bytesToHex(saved.id), totals: folderTotals(nodes) };
  }

  async #oldNodes(treeId: string | undefined): Promise<ReadonlyMap<string, TreeNode> | undefined> {
    if (treeId === undefined) return undefined;
    try {
      const tree = await this.#options.context.tree(treeId, this.#options.signal);
      return new Map(tree.nodes.map((node) => [this.#key(node.name), node]));
    } catch (error) {
      // A damaged parent tree only means its files are read again.
      if (isHoldfastError(error, 'INTEGRITY') || isHoldfastError(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
  }

  /** How the parent's nodes are matched by name: without regard to case for case-insensitive sources. */
  #key(name: string): string {
    return this.#options.source.capabilities.pathsCaseInsensitive === true ? name.toLowerCase() : name;
  }

  #reusable(item: SourceItem, old: TreeNode | undefined): TreeNode | undefined {
    if (old?.type !== 'file' || old.content === undefined) return undefined;
    if (item.version === undefined || old.id !== item.id || old.version !== item.version) return undefined;
    if (item.contentHash !== undefined) {
      if (old.hash?.algorithm !== item.contentHash.algorithm || old.hash.value !== item.contentHash.value)
        return undefined;
    }
    // "Racily clean": a file modified just before the parent run may have changed again within the same
    // timestamp tick after it was read, leaving the version unchanged. Read such files again.
    const parentTime = Date.parse(this.#options.parentTime ?? '');
    const modified = Date.parse(old.mtime ?? '');
    if (Number.isFinite(parentTime) && Number.isFinite(modified) && modified > parentTime - RACY_WINDOW_MS) {
      return undefined;
    }
    const index = this.#options.index;
    return old.content.every((id) => index.has(hexToBytes(id))) ? old : undefined;
  }

  async #saveFile(item: SourceItem, name: string): Promise<TreeNode | undefined> {
    const { source, entityId, signal, writer, context, counters } = this.#options;
    const content: string[] = [];
    let size = 0;
    try {
      const stream = await retrying(() => source.openContent(entityId, item, { signal }), { signal });
      for await (const chunk of chunkStream(stream, context.crypto.chunker)) {
        size += chunk.length;
        counters.bytesRead += chunk.length;
        counters.totalBytes += chunk.length;
        let saved;
        try {
          saved = await writer.save('data', chunk);
        } catch (error) {
          this.#fatal ??= error;
          return undefined;
        }
        if (saved.added) counters.blobsAdded++;
        content.push(bytesToHex(saved.id));
      }
    } catch (error) {
      if (isHoldfastError(error, 'CANCELED') || signal?.aborted === true) {
        this.#fatal ??= error;
      } else {
        counters.totalBytes -= size;
        this.recordError(item.path, error as Error);
      }
      return undefined;
    }
    return { ...baseNode(item, name), size, content };
  }

  #throwIfFatal(): void {
    if (this.#fatal !== undefined) throw asError(this.#fatal);
  }
}

function joinPath(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

function baseNode(item: SourceItem, name: string): TreeNode {
  return {
    name,
    type: item.type,
    id: item.id,
    ...(item.version === undefined ? {} : { version: item.version }),
    ...(item.contentHash === undefined ? {} : { hash: item.contentHash }),
    ...(item.modifiedAt === undefined ? {} : { mtime: item.modifiedAt }),
    ...(item.createdAt === undefined ? {} : { ctime: item.createdAt }),
    ...(item.mode === undefined ? {} : { mode: item.mode }),
    ...(item.metadata === undefined ? {} : { meta: item.metadata }),
  };
}

/** A folder node without what its contents decide. */
function folderBase(node: TreeNode): TreeNode {
  const base: { -readonly [K in keyof TreeNode]: TreeNode[K] } = { ...node };
  delete base.subtree;
  delete base.count;
  delete base.files;
  delete base.bytes;
  return base;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
