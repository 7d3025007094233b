/**
 * Puts a recursive Dropbox listing into the order the engine needs for a full walk: depth first, a folder
 * before its contents and every subtree contiguous. Dropbox lists in no such order (a file often comes
 * before its folder, and siblings are spread over pages), so the listing's metadata is buffered first and
 * ordered afterwards. Only metadata is held (a {@link DropboxEntry}: ids, names, sizes, revs, hashes,
 * about 300-500 bytes an item), never content: a member with a million items costs a few hundred MB
 * while the walk is being ordered. That is the bound; `docs/connectors/dropbox.md` says so.
 *
 * Display paths are built from each folder's own `name`, never from `path_display` (whose casing Dropbox
 * does not guarantee beyond its last component): an item's path is its parent's built path plus its own
 * name. A listed item whose folder the listing lacks (Dropbox should not do that; a folder without access
 * could) gets that folder made up from the casing `path_display` gives, with the id `path:<path_lower>`,
 * so nothing listed is lost.
 */
import type { SourceItem } from '@holdfast/engine';
import { itemOf, type DropboxEntry } from './dropbox-metadata.ts';
import { joinPath, parentOf } from './dropbox-paths.ts';

interface Node {
  readonly entry: DropboxEntry;
  readonly children: string[];
}

/** A buffered listing, keyed by lower-case relative path. */
export class DepthFirstListing {
  readonly #nodes = new Map<string, Node>();
  readonly #top: string[] = [];

  /** Entries buffered. */
  get size(): number {
    return this.#nodes.size;
  }

  /** Adds an entry at its lower-case path relative to the walk's root. A later entry for a path replaces it. */
  add(entry: DropboxEntry, relLower: string): void {
    const existing = this.#nodes.get(relLower);
    this.#nodes.set(relLower, { entry, children: existing?.children ?? [] });
  }

  /** The items, depth first (see the module note). Call once, after every entry was added. */
  *items(signal?: AbortSignal): Generator<SourceItem, void, undefined> {
    this.#link();
    const stack: [string, string][] = [];
    const push = (children: readonly string[], parentPath: string): void => {
      const sorted = [...children].sort((a, b) => {
        const left = this.#nodes.get(a)?.entry.name ?? a;
        const right = this.#nodes.get(b)?.entry.name ?? b;
        return left < right ? 1 : left > right ? -1 : 0;
      });
      for (const rel of sorted) stack.push([rel, joinPath(parentPath, this.#nodes.get(rel)?.entry.name ?? rel)]);
    };
    push(this.#top, '');
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (signal?.aborted === true) throw signal.reason;
      const [rel, path] = next;
      const node = this.#nodes.get(rel);
      if (node === undefined) continue;
      yield itemOf(node.entry, path);
      if (node.entry.tag === 'folder') push(node.children, path);
    }
  }

  /** Links every node to its parent, making up missing folders. */
  #link(): void {
    for (const rel of [...this.#nodes.keys()]) this.#attach(rel);
  }

  #attach(rel: string): void {
    const parent = parentOf(rel);
    if (parent === '') {
      this.#top.push(rel);
      return;
    }
    let node = this.#nodes.get(parent);
    if (node?.entry.tag !== 'folder') {
      if (node !== undefined) return; // a file as a folder: Dropbox cannot hold that; drop the child
      node = { entry: this.#madeUpFolder(parent, rel), children: [] };
      this.#nodes.set(parent, node);
      this.#attach(parent);
    }
    node.children.push(rel);
  }

  /** A folder the listing lacks, named as the child's `path_display` names it. */
  #madeUpFolder(relLower: string, childRel: string): DropboxEntry {
    const child = this.#nodes.get(childRel)?.entry;
    const depth = relLower.split('/').length;
    const displayNames = child?.pathDisplay?.split('/').filter((name) => name !== '') ?? [];
    const childDepth = childRel.split('/').length;
    // The display path may include the walk's root folder: take the names counted from the end.
    const name =
      displayNames[displayNames.length - childDepth + depth - 1] ?? relLower.slice(relLower.lastIndexOf('/') + 1);
    const pathLower =
      child === undefined
        ? relLower
        : child.pathLower.slice(0, child.pathLower.length - (childRel.length - relLower.length));
    return { tag: 'folder', id: `path:${pathLower}`, name, pathLower, pathDisplay: undefined };
  }
}
