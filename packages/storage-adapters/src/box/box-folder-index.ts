/**
 * Paths to Box ids for writing: Box addresses items by id only, so a path is resolved name by name from a
 * root folder. Each folder's children are listed once (all pages) and kept by lower-cased name — Box
 * compares names without regard to case, so `Report.pdf` and `report.PDF` are the same name — and the
 * listing is updated with what this index itself creates, uploads and deletes. Listings and resolved
 * folder paths are kept for the most recently used `maxFolders` folders (default 256), so memory stays
 * bounded on large trees.
 *
 * Folder creation is idempotent under races: a `POST /folders` answered 409 `item_name_in_use` by a
 * folder is that folder; by a file, a `ConflictError`.
 */
import { ConflictError, isHoldfastError } from '@holdfast/engine';
import type { BoxActor, BoxApi } from './box-api.ts';
import { conflictOf } from './box-upload.ts';
import type { BoxItem } from './box-types.ts';

type Children = Map<string, BoxItem>;

/** What resolving a folder path found. */
export type FolderLookup =
  | { readonly kind: 'folder'; readonly id: string }
  | { readonly kind: 'missing' }
  /** A file or web link is in the way at `at` (a prefix of the path). */
  | { readonly kind: 'blocked'; readonly at: string };

/** See the module note. */
export class BoxFolderIndex {
  readonly #api: BoxApi;
  readonly #actor: BoxActor;
  readonly #max: number;
  readonly #children = new Map<string, Promise<Children>>();
  readonly #folders = new Map<string, string>();

  constructor(api: BoxApi, actor: BoxActor, options: { maxFolders?: number | undefined } = {}) {
    this.#api = api;
    this.#actor = actor;
    this.#max = options.maxFolders ?? 256;
  }

  /** The children of a folder, by lower-cased name. */
  async children(folderId: string, signal?: AbortSignal): Promise<ReadonlyMap<string, BoxItem>> {
    let children = this.#children.get(folderId);
    if (children === undefined) {
      children = this.#list(folderId, signal);
      this.#remember(this.#children, folderId, children);
      children.catch(() => this.#children.delete(folderId)).catch(() => undefined);
    } else {
      this.#touch(this.#children, folderId, children);
    }
    return children;
  }

  /** The item named `name` (in any case) in a folder, if any. */
  async child(folderId: string, name: string, signal?: AbortSignal): Promise<BoxItem | undefined> {
    return (await this.children(folderId, signal)).get(name.toLowerCase());
  }

  /** Records an item this index's user made or changed in a folder. */
  note(folderId: string, item: BoxItem): void {
    void this.#children.get(folderId)?.then((children) => children.set((item.name ?? '').toLowerCase(), item));
  }

  /**
   * Records that an item is gone from a folder; for a folder (at `folderPath` under `rootId`), forgets
   * every path resolved through it too.
   */
  forget(folderId: string, name: string, folder?: { readonly rootId: string; readonly path: string }): void {
    void this.#children.get(folderId)?.then((children) => children.delete(name.toLowerCase()));
    if (folder === undefined) return;
    const key = `${folder.rootId}:${folder.path.toLowerCase()}`;
    for (const path of [...this.#folders.keys()])
      if (path === key || path.startsWith(`${key}/`)) this.#folders.delete(path);
  }

  /**
   * The folder at `names` under `rootId` (whose path is `rootKey`). With `create`, missing folders are
   * made; a file in the way is `blocked` either way.
   */
  async folder(
    rootId: string,
    names: readonly string[],
    options: { create: boolean; signal?: AbortSignal | undefined },
  ): Promise<FolderLookup> {
    let id = rootId;
    let path = '';
    for (const name of names) {
      path = path === '' ? name : `${path}/${name}`;
      const key = `${rootId}:${path.toLowerCase()}`;
      const known = this.#folders.get(key);
      if (known !== undefined) {
        this.#touch(this.#folders, key, known);
        id = known;
        continue;
      }
      const existing = await this.child(id, name, options.signal);
      if (existing !== undefined && existing.type !== 'folder') return { kind: 'blocked', at: path };
      if (existing === undefined && !options.create) return { kind: 'missing' };
      const folderId = existing?.id ?? (await this.#create(id, name, options.signal));
      this.#remember(this.#folders, key, folderId);
      id = folderId;
    }
    return { kind: 'folder', id };
  }

  async #create(parentId: string, name: string, signal: AbortSignal | undefined): Promise<string> {
    try {
      const folder = await this.#api.createFolder(parentId, name, this.#actor, signal);
      this.note(parentId, folder);
      return folder.id;
    } catch (error) {
      const conflict = conflictOf(error);
      if (conflict?.type === 'folder') return conflict.id;
      if (isHoldfastError(error, 'CONFLICT')) {
        // Someone made the name meanwhile: look again.
        this.#children.delete(parentId);
        const existing = await this.child(parentId, name, signal);
        if (existing?.type === 'folder') return existing.id;
        throw new ConflictError(`Box: ${JSON.stringify(name)} in folder ${parentId} is not a folder`, { cause: error });
      }
      throw error;
    }
  }

  async #list(folderId: string, signal: AbortSignal | undefined): Promise<Children> {
    const children: Children = new Map();
    for await (const page of this.#api.folderPages(folderId, this.#actor, { signal })) {
      for (const item of page) children.set((item.name ?? '').toLowerCase(), item);
    }
    return children;
  }

  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    while (map.size > this.#max) {
      const oldest = map.keys().next();
      if (oldest.done === true) break;
      map.delete(oldest.value);
    }
  }

  #touch<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
  }
}
