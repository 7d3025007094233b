/**
 * One member's Dropbox in the mock: a tree of folders and files (files with `rev`, `content_hash`,
 * `server_modified`, `client_modified`, optional `symlink_info`), looked up without regard to case as
 * Dropbox does, and a change log that `list_folder/continue` cursors point into.
 *
 * Shaped from `files.stone` (FileMetadata, FolderMetadata, DeletedMetadata, WriteMode, WriteConflictError)
 * and the list_folder route's documented semantics:
 * - every change appends records to the log; a folder moved or copied logs the folder and every item
 *   under it at its new path (as Dropbox's listings do), a move also a `deleted` record for the old path;
 *   a deleted folder logs one `deleted` record (clients remove its children with it);
 * - "changes to only the casing of paths won't be returned by list_folder/continue": a case-only rename
 *   changes the name and logs nothing;
 * - `path_display` is reliable only in its last component (files.stone); with `displayCasing:
 *   'last-component'` (the default) the mock lowercases the ancestors in it, so an adapter that builds
 *   paths from `path_display` alone gets the casing wrong, as it would against Dropbox.
 */
import { mockContentHash } from './mock-content-hash.ts';

/** Metadata as Dropbox sends it (a `files.Metadata` with its `.tag`). */
export type MockMetadata = Record<string, unknown>;

export interface MockFolder {
  readonly kind: 'folder';
  readonly id: string;
  name: string;
  parent: MockFolder | undefined;
  readonly children: Map<string, MockItem>;
}

export interface MockFile {
  readonly kind: 'file';
  readonly id: string;
  name: string;
  parent: MockFolder | undefined;
  content: Uint8Array;
  rev: string;
  contentHash: string;
  serverModified: string;
  clientModified: string;
  symlinkTarget?: string | undefined;
  /** A file Dropbox cannot download (a Paper doc, a cloud doc): exported as this format instead. */
  exportAs?: string | undefined;
}

export type MockItem = MockFolder | MockFile;

/** One record of the change log. */
export interface MockLogRecord {
  readonly seq: number;
  readonly pathLower: string;
  /** The item's id (absent for `deleted`). */
  readonly id?: string | undefined;
  /** The metadata at the time of the change. */
  readonly meta: MockMetadata;
}

/** A refused write: the tags under the route's `path` error (`['conflict', 'file']`, `['not_found']`). */
export class MockPathError extends Error {
  readonly tags: readonly string[];
  constructor(tags: readonly string[]) {
    super(tags.join('/'));
    this.tags = tags;
  }
}

/** What a namespace needs from the mock around it. */
export interface MockNamespaceContext {
  readonly newId: () => string;
  readonly newRev: () => string;
  /** The mock clock, `%Y-%m-%dT%H:%M:%SZ`; every change advances it. */
  readonly tick: () => string;
  readonly displayCasing: 'exact' | 'last-component';
}

/** Options of a file write. */
export interface MockWrite {
  readonly mode: 'add' | 'overwrite';
  readonly clientModified?: string | undefined;
  readonly symlinkTarget?: string | undefined;
  readonly exportAs?: string | undefined;
  /** `strict_conflict`: in `add` mode, a file with the same content is a conflict too. */
  readonly strict?: boolean | undefined;
}

export class MockNamespace {
  readonly root: MockFolder;
  readonly log: MockLogRecord[] = [];
  readonly byId = new Map<string, MockItem>();
  /** Cursors minted before the current epoch answer `reset`. */
  epoch = 0;
  readonly #context: MockNamespaceContext;

  constructor(context: MockNamespaceContext) {
    this.#context = context;
    this.root = { kind: 'folder', id: context.newId(), name: '', parent: undefined, children: new Map() };
  }

  /** The log position after the last change. */
  get seq(): number {
    return this.log.length;
  }

  /** The item at `path` (`''` the root, `/a/b` without regard to case, or `id:…`), if any. */
  resolve(path: string): MockItem | undefined {
    if (path.startsWith('id:')) return this.byId.get(path);
    let node: MockItem = this.root;
    for (const name of segments(path)) {
      if (node.kind !== 'folder') return undefined;
      const child = node.children.get(name.toLowerCase());
      if (child === undefined) return undefined;
      node = child;
    }
    return node;
  }

  /** `/Exact/Casing/name` of an item (`''` for the root). */
  displayPath(item: MockItem): string {
    const names: string[] = [];
    for (let node: MockItem | undefined = item; node !== undefined && node !== this.root; node = node.parent) {
      names.unshift(node.name);
    }
    return names.length === 0 ? '' : `/${names.join('/')}`;
  }

  /** Dropbox metadata of an item as it is now. */
  metadata(item: MockItem): MockMetadata {
    const exact = this.displayPath(item);
    const lower = exact.toLowerCase();
    const display =
      this.#context.displayCasing === 'exact' ? exact : `${lower.slice(0, lower.lastIndexOf('/'))}/${item.name}`;
    const common = { name: item.name, path_lower: lower, path_display: display, id: item.id };
    if (item.kind === 'folder') return { '.tag': 'folder', ...common };
    return {
      '.tag': 'file',
      ...common,
      client_modified: item.clientModified,
      server_modified: item.serverModified,
      rev: item.rev,
      size: item.content.length,
      ...(item.symlinkTarget === undefined ? {} : { symlink_info: { target: item.symlinkTarget } }),
      is_downloadable: item.exportAs === undefined,
      ...(item.exportAs === undefined ? {} : { export_info: { export_as: item.exportAs } }),
      content_hash: item.contentHash,
    };
  }

  /**
   * Metadata without `.tag`: routes whose result is `FileMetadata` or `FolderMetadata` (not the
   * polymorphic `Metadata`) send no tag.
   */
  untagged(item: MockItem): MockMetadata {
    const { '.tag': _tag, ...rest } = this.metadata(item);
    return rest;
  }

  /** Creates the folder at `path` (and missing parents). Conflict if anything is there. */
  createFolder(path: string): MockFolder {
    const names = segments(path);
    if (names.length === 0) throw new MockPathError(['malformed_path']);
    const existing = this.resolve(path);
    if (existing !== undefined) throw new MockPathError(['conflict', existing.kind]);
    const parent = this.#folderFor(names.slice(0, -1));
    return this.#addFolder(parent, names.at(-1) ?? '');
  }

  /** Writes a file per `files.WriteMode` (add / overwrite; identical content writes nothing). */
  writeFile(path: string, content: Uint8Array, write: MockWrite): MockFile {
    const names = segments(path);
    if (names.length === 0) throw new MockPathError(['malformed_path']);
    const existing = this.resolve(path);
    const contentHash = mockContentHash(content);
    if (existing?.kind === 'folder') throw new MockPathError(['conflict', 'folder']);
    if (existing?.kind === 'file') {
      const identical = existing.contentHash === contentHash && existing.symlinkTarget === write.symlinkTarget;
      if (identical && !(write.strict === true && write.mode === 'add')) return existing;
      if (write.mode === 'add') throw new MockPathError(['conflict', 'file']);
      const now = this.#context.tick();
      Object.assign(existing, {
        content: content.slice(),
        contentHash,
        rev: this.#context.newRev(),
        serverModified: now,
        clientModified: write.clientModified ?? now,
      });
      this.#record(existing);
      return existing;
    }
    const parent = this.#folderFor(names.slice(0, -1));
    const now = this.#context.tick();
    const file: MockFile = {
      kind: 'file',
      id: this.#context.newId(),
      name: names.at(-1) ?? '',
      parent,
      content: content.slice(),
      rev: this.#context.newRev(),
      contentHash,
      serverModified: now,
      clientModified: write.clientModified ?? now,
      symlinkTarget: write.symlinkTarget,
      exportAs: write.exportAs,
    };
    this.#attach(parent, file);
    return file;
  }

  /** Deletes the item at `path` (a folder with everything in it); logs one `deleted` record. */
  remove(path: string): MockItem {
    const item = this.resolve(path);
    if (item === undefined || item === this.root) throw new MockPathError(['not_found']);
    this.#context.tick();
    const meta = this.metadata(item);
    item.parent?.children.delete(item.name.toLowerCase());
    this.#forget(item);
    const deleted = {
      '.tag': 'deleted',
      name: meta['name'],
      path_lower: meta['path_lower'],
      path_display: meta['path_display'],
    };
    this.log.push({ seq: this.log.length + 1, pathLower: String(meta['path_lower']), meta: deleted });
    return item;
  }

  /**
   * Moves or renames `from` to `to` (ids kept). A case-only rename logs nothing (Dropbox does not report
   * it to list_folder/continue); any other move logs `deleted` for the old path and the item, with
   * everything under it, at the new one.
   */
  move(from: string, to: string): MockItem {
    const item = this.resolve(from);
    if (item === undefined || item === this.root) throw new MockPathError(['not_found']);
    const names = segments(to);
    if (from.toLowerCase() === to.toLowerCase()) {
      const name = names.at(-1) ?? item.name;
      item.parent?.children.delete(item.name.toLowerCase());
      item.name = name;
      item.parent?.children.set(name.toLowerCase(), item);
      return item;
    }
    const existing = this.resolve(to);
    if (existing !== undefined) throw new MockPathError(['conflict', existing.kind]);
    const parent = this.#folderFor(names.slice(0, -1));
    const oldMeta = this.metadata(item);
    this.#context.tick();
    item.parent?.children.delete(item.name.toLowerCase());
    this.log.push({
      seq: this.log.length + 1,
      pathLower: String(oldMeta['path_lower']),
      meta: {
        '.tag': 'deleted',
        name: oldMeta['name'],
        path_lower: oldMeta['path_lower'],
        path_display: oldMeta['path_display'],
      },
    });
    item.name = names.at(-1) ?? item.name;
    item.parent = parent;
    parent.children.set(item.name.toLowerCase(), item);
    this.#recordTree(item);
    return item;
  }

  /** Copies `from` to `to` with new ids; logs the copy and everything under it. */
  copy(from: string, to: string): MockItem {
    const item = this.resolve(from);
    if (item === undefined || item === this.root) throw new MockPathError(['not_found']);
    if (this.resolve(to) !== undefined) throw new MockPathError(['conflict', 'file']);
    const names = segments(to);
    const parent = this.#folderFor(names.slice(0, -1));
    const clone = (source: MockItem, into: MockFolder, name: string): MockItem => {
      if (source.kind === 'file') {
        const copy: MockFile = {
          ...source,
          id: this.#context.newId(),
          name,
          parent: into,
          rev: this.#context.newRev(),
        };
        this.#attach(into, copy);
        return copy;
      }
      const folder = this.#addFolder(into, name);
      for (const child of source.children.values()) clone(child, folder, child.name);
      return folder;
    };
    this.#context.tick();
    return clone(item, parent, names.at(-1) ?? item.name);
  }

  /** Every item under `folder` (not the folder), parents before children. */
  descendants(folder: MockFolder): MockItem[] {
    const out: MockItem[] = [];
    const visit = (node: MockFolder): void => {
      for (const child of node.children.values()) {
        out.push(child);
        if (child.kind === 'folder') visit(child);
      }
    };
    visit(folder);
    return out;
  }

  /**
   * The log records after `seq` under `pathLower` (`''`: everything), coalesced as Dropbox does: an
   * item's record is dropped when a later record names the same id or path.
   */
  changesSince(seq: number, pathLower: string, recursive: boolean): MockLogRecord[] {
    const records = this.log.slice(seq).filter((record) => within(record.pathLower, pathLower, recursive));
    const lastById = new Map<string, number>();
    const lastByPath = new Map<string, number>();
    for (const record of records) {
      if (record.id !== undefined) lastById.set(record.id, record.seq);
      lastByPath.set(record.pathLower, record.seq);
    }
    return records.filter(
      (record) =>
        record.id === undefined ||
        (lastById.get(record.id) === record.seq && (lastByPath.get(record.pathLower) ?? 0) <= record.seq),
    );
  }

  #folderFor(names: readonly string[]): MockFolder {
    let folder = this.root;
    for (const name of names) {
      const child = folder.children.get(name.toLowerCase());
      if (child?.kind === 'file') throw new MockPathError(['conflict', 'file_ancestor']);
      folder = child ?? this.#addFolder(folder, name);
    }
    return folder;
  }

  #addFolder(parent: MockFolder, name: string): MockFolder {
    this.#context.tick();
    const folder: MockFolder = { kind: 'folder', id: this.#context.newId(), name, parent, children: new Map() };
    this.#attach(parent, folder);
    return folder;
  }

  #attach(parent: MockFolder, item: MockItem): void {
    parent.children.set(item.name.toLowerCase(), item);
    this.byId.set(item.id, item);
    this.#record(item);
  }

  #record(item: MockItem): void {
    const meta = this.metadata(item);
    this.log.push({ seq: this.log.length + 1, pathLower: String(meta['path_lower']), id: item.id, meta });
  }

  #recordTree(item: MockItem): void {
    this.#record(item);
    if (item.kind === 'folder') for (const child of this.descendants(item)) this.#record(child);
  }

  #forget(item: MockItem): void {
    this.byId.delete(item.id);
    if (item.kind === 'folder') for (const child of this.descendants(item)) this.byId.delete(child.id);
  }
}

/** The names of `/a/b` (`''` has none). Throws `malformed_path` for anything else. */
export function segments(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/') || path.endsWith('/')) throw new MockPathError(['malformed_path']);
  const names = path.slice(1).split('/');
  if (names.some((name) => name === '' || name === '.' || name === '..')) throw new MockPathError(['malformed_path']);
  return names;
}

function within(pathLower: string, root: string, recursive: boolean): boolean {
  if (!recursive) return pathLower.slice(0, pathLower.lastIndexOf('/')) === root;
  return root === '' || pathLower === root || pathLower.startsWith(`${root}/`);
}
