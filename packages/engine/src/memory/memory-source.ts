/**
 * MemorySource: a {@link Source} over in-memory entities with a change feed, for tests and for partners
 * who want to see how the engine treats a SaaS service's changes before writing a connector.
 *
 * Each entity is a tree of folders and files with stable ids; `write`, `mkdir`, `move`, `copy` and
 * `remove` change it and append to the entity's change log. A walk with `since` (a position in that log)
 * yields, in order of their last change, the current state of every item changed since — or a `deleted`
 * entry for an item that is gone — as a well-behaved connector does:
 * - `deletions: 'id'` (default, like Box's events) names deleted items by id;
 * - `deletions: 'path'` (like Dropbox's list_folder) names them by path only, and a moved folder shows
 *   as the deletion of its old path followed by the folder and everything in it at the new path.
 *
 * Versions are a per-item counter; content hashes are SHA-256. `expireCursors` makes every earlier
 * cursor too old, so the next walk is full (a rejected stream position, a Dropbox `reset`).
 */
import { createHash } from 'node:crypto';
import { CanceledError, ConflictError, NotFoundError, ValidationError } from '../errors/index.ts';
import type {
  ByteStream,
  CallOptions,
  Source,
  SourceCapabilities,
  SourceEntity,
  SourceItem,
  Walk,
  WalkEntry,
  WalkOptions,
} from '../ports/index.ts';

/** Options of {@link MemorySource}. */
export interface MemorySourceOptions {
  /** `name` of the source. Default: `memory`. */
  readonly name?: string | undefined;
  /** How the change feed names deleted items. Default: `id`. */
  readonly deletions?: 'id' | 'path' | undefined;
  /** Names differ only in case name the same item (`capabilities.pathsCaseInsensitive`). Default: false. */
  readonly caseInsensitive?: boolean | undefined;
  /** The clock for modification times. Default: the system clock. */
  readonly now?: (() => Date) | undefined;
}

interface Node {
  readonly id: string;
  readonly type: 'file' | 'folder';
  name: string;
  parent: Node | undefined;
  content: Uint8Array;
  version: number;
  modifiedAt: string;
  readonly children: Map<string, Node>;
}

type LogEntry = { readonly id: string } | { readonly deletedPath: string };

interface Entity {
  readonly info: SourceEntity;
  readonly root: Node;
  readonly byId: Map<string, Node>;
  readonly log: LogEntry[];
  /** Bumped by `expireCursors`: a cursor of an earlier epoch is too old. */
  epoch: number;
}

export class MemorySource implements Source {
  readonly name: string;
  readonly capabilities: SourceCapabilities;
  readonly #options: MemorySourceOptions;
  readonly #entities = new Map<string, Entity>();
  #nextId = 1;
  /** `openContent` calls so far, for tests that count downloads. */
  contentReads = 0;

  constructor(options: MemorySourceOptions = {}) {
    this.#options = options;
    this.name = options.name ?? 'memory';
    this.capabilities = {
      changeFeed: true,
      contentHashAlgorithm: 'sha256',
      pathsCaseInsensitive: options.caseInsensitive === true,
    };
  }

  /** Adds an entity (a user) with an empty root folder. */
  addEntity(id: string, name = id): void {
    if (this.#entities.has(id)) throw new ConflictError(`entity ${id} exists`);
    const root = this.#node('folder', '', undefined);
    this.#entities.set(id, { info: { id, name }, root, byId: new Map(), log: [], epoch: 0 });
  }

  /** Creates the folder at `path` and missing parents. Returns its id. */
  mkdir(entityId: string, path: string): string {
    const entity = this.#entity(entityId);
    let folder = entity.root;
    for (const name of segments(path)) {
      const existing = this.#child(folder, name);
      if (existing !== undefined) {
        if (existing.type !== 'folder') throw new ConflictError(`${path}: a file is in the way`);
        folder = existing;
        continue;
      }
      folder = this.#attach(entity, this.#node('folder', name, undefined), folder);
    }
    return folder.id;
  }

  /** Creates or replaces the file at `path` (parents are created). Returns its id. */
  write(entityId: string, path: string, content: Uint8Array | string): string {
    const entity = this.#entity(entityId);
    const names = segments(path);
    const name = names.pop() ?? '';
    const folder = names.length === 0 ? entity.root : this.#find(entity, this.mkdir(entityId, names.join('/')));
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : Uint8Array.from(content);
    const existing = this.#child(folder, name);
    if (existing !== undefined) {
      if (existing.type !== 'file') throw new ConflictError(`${path}: a folder is in the way`);
      existing.content = bytes;
      existing.version++;
      existing.modifiedAt = this.#now();
      entity.log.push({ id: existing.id });
      return existing.id;
    }
    return this.#attach(entity, this.#node('file', name, bytes), folder).id;
  }

  /** Moves or renames the item at `from` to `to` (whose folder must exist). */
  move(entityId: string, from: string, to: string): void {
    const entity = this.#entity(entityId);
    const node = this.#at(entity, from);
    const names = segments(to);
    const name = names.pop() ?? '';
    const folder = this.#at(entity, names.join('/'));
    const existing = this.#child(folder, name);
    if (existing !== undefined && existing !== node) throw new ConflictError(`${to} exists`);
    const oldPath = this.#path(node);
    node.parent?.children.delete(this.#key(node.name));
    node.name = name;
    node.parent = folder;
    folder.children.set(this.#key(name), node);
    if (this.#options.deletions === 'path') {
      entity.log.push({ deletedPath: oldPath });
      for (const moved of this.#subtree(node)) entity.log.push({ id: moved.id });
    } else {
      entity.log.push({ id: node.id });
    }
  }

  /** Copies the item at `from` to `to`: new ids for the copy and everything in it. */
  copy(entityId: string, from: string, to: string): void {
    const entity = this.#entity(entityId);
    const source = this.#at(entity, from);
    const names = segments(to);
    const name = names.pop() ?? '';
    const folder = this.#at(entity, names.join('/'));
    if (this.#child(folder, name) !== undefined) throw new ConflictError(`${to} exists`);
    const clone = (node: Node, into: Node, as: string): void => {
      const copy = this.#attach(entity, this.#node(node.type, as, node.content), into);
      for (const child of node.children.values()) clone(child, copy, child.name);
    };
    clone(source, folder, name);
  }

  /** Removes the item at `path` and everything under it. */
  remove(entityId: string, path: string): void {
    const entity = this.#entity(entityId);
    const node = this.#at(entity, path);
    const oldPath = this.#path(node);
    node.parent?.children.delete(this.#key(node.name));
    for (const gone of this.#subtree(node)) entity.byId.delete(gone.id);
    entity.log.push(this.#options.deletions === 'path' ? { deletedPath: oldPath } : { id: node.id });
  }

  /** Makes every cursor handed out so far too old: the next walk of each entity is full. */
  expireCursors(): void {
    for (const entity of this.#entities.values()) entity.epoch++;
  }

  /** Every file of an entity with its content, by path: what a restore should give back. */
  files(entityId: string): Map<string, Uint8Array> {
    const entity = this.#entity(entityId);
    const out = new Map<string, Uint8Array>();
    for (const node of this.#subtree(entity.root)) {
      if (node.type === 'file') out.set(this.#path(node), node.content);
    }
    return out;
  }

  async *listEntities(options: CallOptions = {}): AsyncGenerator<SourceEntity> {
    for (const entity of this.#entities.values()) {
      throwIfAborted(options.signal);
      await Promise.resolve();
      yield entity.info;
    }
  }

  async walk(entityId: string, options: WalkOptions = {}): Promise<Walk> {
    await Promise.resolve();
    throwIfAborted(options.signal);
    const entity = this.#entities.get(entityId);
    if (entity === undefined) throw new NotFoundError(`no entity ${entityId}`);
    const [epoch, at] = (options.since ?? '').split(':').map(Number);
    const position = epoch === entity.epoch && at !== undefined && Number.isSafeInteger(at) ? at : undefined;
    const incremental = position !== undefined && position <= entity.log.length;
    const end = entity.log.length;
    const entries = position !== undefined && incremental ? this.#changes(entity, position, end) : this.#all(entity);
    const signal = options.signal;
    return {
      mode: incremental ? 'incremental' : 'full',
      entries: (async function* () {
        for (const entry of entries) {
          throwIfAborted(signal);
          await Promise.resolve();
          yield entry;
        }
      })(),
      cursor: () => `${String(entity.epoch)}:${String(end)}`,
    };
  }

  async openContent(entityId: string, item: SourceItem, options: CallOptions = {}): Promise<ByteStream> {
    await Promise.resolve();
    throwIfAborted(options.signal);
    const node = this.#entities.get(entityId)?.byId.get(item.id);
    if (node?.type !== 'file') throw new NotFoundError(`${item.path} is gone`);
    this.contentReads++;
    const bytes = node.content;
    return (async function* () {
      await Promise.resolve();
      yield Uint8Array.from(bytes);
    })();
  }

  *#all(entity: Entity): Generator<WalkEntry> {
    for (const node of this.#subtree(entity.root)) {
      if (node !== entity.root) yield { kind: 'item', item: this.#item(node) };
    }
  }

  *#changes(entity: Entity, from: number, to: number): Generator<WalkEntry> {
    const last = new Map<string, number>();
    for (let at = from; at < to; at++) {
      const entry = entity.log[at];
      if (entry !== undefined && 'id' in entry) last.set(entry.id, at);
    }
    for (let at = from; at < to; at++) {
      const entry = entity.log[at];
      if (entry === undefined) continue;
      if ('deletedPath' in entry) {
        yield { kind: 'deleted', path: entry.deletedPath };
        continue;
      }
      if (last.get(entry.id) !== at) continue;
      const node = entity.byId.get(entry.id);
      if (node !== undefined) yield { kind: 'item', item: this.#item(node) };
      else if (this.#options.deletions !== 'path') yield { kind: 'deleted', id: entry.id };
    }
  }

  #item(node: Node): SourceItem {
    const base = { id: node.id, path: this.#path(node), modifiedAt: node.modifiedAt };
    if (node.type === 'folder') return { ...base, type: 'folder' };
    return {
      ...base,
      type: 'file',
      size: node.content.length,
      version: String(node.version),
      contentHash: { algorithm: 'sha256', value: createHash('sha256').update(node.content).digest('hex') },
    };
  }

  /** `node` and everything beneath it, depth first, a folder before its contents. */
  *#subtree(node: Node): Generator<Node> {
    yield node;
    for (const child of node.children.values()) yield* this.#subtree(child);
  }

  #node(type: 'file' | 'folder', name: string, content: Uint8Array | undefined): Node {
    return {
      id: `m${String(this.#nextId++)}`,
      type,
      name,
      parent: undefined,
      content: content ?? new Uint8Array(),
      version: 1,
      modifiedAt: this.#now(),
      children: new Map(),
    };
  }

  #attach(entity: Entity, node: Node, folder: Node): Node {
    node.parent = folder;
    folder.children.set(this.#key(node.name), node);
    entity.byId.set(node.id, node);
    entity.log.push({ id: node.id });
    return node;
  }

  #now(): string {
    return (this.#options.now?.() ?? new Date()).toISOString();
  }

  #key(name: string): string {
    return this.#options.caseInsensitive === true ? name.toLowerCase() : name;
  }

  #child(folder: Node, name: string): Node | undefined {
    return folder.children.get(this.#key(name));
  }

  #at(entity: Entity, path: string): Node {
    let node = entity.root;
    for (const name of segments(path)) {
      const next = this.#child(node, name);
      if (next === undefined) throw new NotFoundError(`${path} does not exist`);
      node = next;
    }
    return node;
  }

  #find(entity: Entity, id: string): Node {
    const node = entity.byId.get(id);
    if (node === undefined) throw new NotFoundError(`no item ${id}`);
    return node;
  }

  #path(node: Node): string {
    const names: string[] = [];
    for (let at = node; at.parent !== undefined; at = at.parent) names.unshift(at.name);
    return names.join('/');
  }

  #entity(id: string): Entity {
    const entity = this.#entities.get(id);
    if (entity === undefined) throw new NotFoundError(`no entity ${id}`);
    return entity;
  }
}

function segments(path: string): string[] {
  const names = path.split('/').filter((name) => name !== '');
  for (const name of names) {
    if (name === '.' || name === '..') throw new ValidationError(`unsafe path ${JSON.stringify(path)}`);
  }
  return names;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new CanceledError('the walk was cancelled', { cause: signal.reason });
}
