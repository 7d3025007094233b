/**
 * The state of the MOCK Box enterprise (test code, not Box): users, each user's tree under its own root
 * folder (`0` to that user), files with versions and SHA-1s, web links, the trash, and each user's event
 * stream. Shaped from Box's published API (box-openapi.json): ids are strings, files, folders and web
 * links are numbered separately (so a file and a folder can share an id, as Box allows), every change
 * raises the item's `sequence_id`, and every change to a tree appends an event to its owner's stream at
 * a 64-bit stream position above 2^53.
 *
 * Mutations are shared by the API handlers and by tests (the "Box web app" side: a user edits, moves,
 * renames, copies, trashes, restores). Time is a virtual clock that starts on 2025-06-01 and moves one
 * second per change, so content times are well in the past of any backup run.
 */
import { createHash, randomBytes } from 'node:crypto';

import {
  FIRST_STREAM_POSITION,
  keyOf,
  type MockEvent,
  type MockItem,
  type MockItemSnapshot,
  type MockItemType,
  type MockUser,
  type MockVersion,
} from './box-mock-types.ts';

export {
  FIRST_STREAM_POSITION,
  keyOf,
  type MockEvent,
  type MockItem,
  type MockItemSnapshot,
  type MockItemType,
  type MockUser,
  type MockVersion,
} from './box-mock-types.ts';

const START = Date.UTC(2025, 5, 1, 0, 0, 0);

/** The store; see the module note. */
export class MockStore {
  readonly enterpriseId = '424242';
  readonly users = new Map<string, MockUser>();
  readonly items = new Map<string, MockItem>();
  readonly events: MockEvent[] = [];
  /** Positions below this are no longer kept (reads from before it are refused). */
  minPosition = FIRST_STREAM_POSITION;
  #position = FIRST_STREAM_POSITION;
  #clock = START;
  readonly #ids = { file: 700_000, folder: 700_000, web_link: 700_000, user: 30_000, version: 900_000 };

  constructor() {
    this.addUser({
      name: 'Holdfast Service Account',
      login: 'AutomationUser_1_holdfast@boxdevedition.com',
      serviceAccount: true,
    });
  }

  /** The service account's user. */
  get serviceAccount(): MockUser {
    for (const user of this.users.values()) if (user.serviceAccount === true) return user;
    throw new Error('no service account');
  }

  /** The next stream position (what `stream_position=now` answers). */
  get head(): bigint {
    return this.#position;
  }

  now(): number {
    return this.#clock;
  }

  #tick(): number {
    this.#clock += 1000;
    return this.#clock;
  }

  addUser(options: { name: string; login?: string; status?: MockUser['status']; serviceAccount?: boolean }): MockUser {
    this.#ids.user += 1;
    const id = String(this.#ids.user);
    const user: MockUser = {
      id,
      name: options.name,
      login:
        options.login ??
        `${
          options.name
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, '.')
            .replace(/^\.+|\.+$/g, '') || 'user'
        }.${id}@example.com`,
      status: options.status ?? 'active',
      serviceAccount: options.serviceAccount,
    };
    this.users.set(id, user);
    const at = this.now();
    this.items.set(keyOf('folder', `root-${id}`), {
      type: 'folder',
      id: `root-${id}`,
      parentKey: undefined,
      name: 'All Files',
      ownerId: id,
      status: 'active',
      sequence: 0,
      createdAt: at,
      modifiedAt: at,
      contentCreatedAt: at,
      contentModifiedAt: at,
      createdBy: id,
      modifiedBy: id,
      versions: [],
      root: true,
    });
    return user;
  }

  rootKey(userId: string): string {
    return keyOf('folder', `root-${userId}`);
  }

  item(key: string): MockItem | undefined {
    return this.items.get(key);
  }

  /** Active, and every ancestor active. */
  isLive(item: MockItem): boolean {
    for (let current: MockItem | undefined = item; current !== undefined; current = this.parentOf(current)) {
      if (current.status !== 'active') return false;
      if (current.root === true) return true;
    }
    return false;
  }

  parentOf(item: MockItem): MockItem | undefined {
    return item.parentKey === undefined ? undefined : this.items.get(item.parentKey);
  }

  /** Live children of a folder, folders first, then by name (Box's default order). */
  children(folderKey: string): MockItem[] {
    const children = [...this.items.values()].filter(
      (item) => item.parentKey === folderKey && item.status === 'active',
    );
    const rank = (item: MockItem): number => (item.type === 'folder' ? 0 : item.type === 'file' ? 1 : 2);
    return children.sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The live child of a folder with this name, compared without case (Box's rule). */
  childNamed(folderKey: string, name: string): MockItem | undefined {
    const lower = name.toLowerCase();
    return this.children(folderKey).find((item) => item.name.toLowerCase() === lower);
  }

  /** Ancestors from the root (excluded) down to the parent. */
  ancestors(item: MockItem): MockItem[] {
    const chain: MockItem[] = [];
    for (
      let current = this.parentOf(item);
      current !== undefined && current.root !== true;
      current = this.parentOf(current)
    ) {
      chain.unshift(current);
    }
    return chain;
  }

  /** The live item at a `/`-separated path in a user's tree (`''`: the root). */
  at(userId: string, path: string): MockItem | undefined {
    let item = this.items.get(this.rootKey(userId));
    for (const name of path === '' ? [] : path.split('/')) {
      if (item?.type !== 'folder') return undefined;
      item = this.childNamed(keyOf('folder', item.id), name);
    }
    return item;
  }

  /** The item's path in its owner's tree. */
  pathOf(item: MockItem): string {
    return [...this.ancestors(item).map((folder) => folder.name), item.name].join('/');
  }

  // ---- mutations (each appends an event to the owner's stream) ----

  createFolder(actorId: string, parentKey: string, name: string): MockItem {
    const parent = this.#folderFor(parentKey);
    return this.#add('folder', parent, name, actorId, {});
  }

  createFile(
    actorId: string,
    parentKey: string,
    name: string,
    bytes: Uint8Array,
    times: { contentModifiedAt?: number | undefined; contentCreatedAt?: number | undefined } = {},
  ): MockItem {
    const parent = this.#folderFor(parentKey);
    return this.#add('file', parent, name, actorId, { bytes, ...times });
  }

  createWebLink(actorId: string, parentKey: string, name: string, url: string): MockItem {
    return this.#add('web_link', this.#folderFor(parentKey), name, actorId, { url });
  }

  newVersion(
    actorId: string,
    fileKey: string,
    bytes: Uint8Array,
    options: { contentModifiedAt?: number | undefined; name?: string | undefined } = {},
  ): MockItem {
    const file = this.#must(fileKey);
    const at = this.#tick();
    file.versions.push(this.#version(bytes));
    if (options.name !== undefined) file.name = options.name;
    file.modifiedAt = at;
    file.contentModifiedAt = options.contentModifiedAt ?? at;
    file.modifiedBy = actorId;
    this.#changed(file, 'ITEM_UPLOAD', actorId, at);
    return file;
  }

  rename(actorId: string, key: string, name: string): MockItem {
    const item = this.#must(key);
    const at = this.#tick();
    item.name = name;
    item.modifiedAt = at;
    item.modifiedBy = actorId;
    this.#changed(item, 'ITEM_RENAME', actorId, at);
    return item;
  }

  move(actorId: string, key: string, parentKey: string): MockItem {
    const item = this.#must(key);
    const at = this.#tick();
    item.parentKey = parentKey;
    item.modifiedAt = at;
    item.modifiedBy = actorId;
    this.#changed(item, 'ITEM_MOVE', actorId, at);
    return item;
  }

  /** Copies an item (a folder with everything in it) into a folder; one ITEM_COPY event, for the copy. */
  copy(actorId: string, key: string, parentKey: string, name?: string): MockItem {
    const source = this.#must(key);
    const copy = this.#copyTree(actorId, source, this.#folderFor(parentKey), name ?? source.name);
    this.#changed(copy, 'ITEM_COPY', actorId, this.now(), false);
    return copy;
  }

  trash(actorId: string, key: string): MockItem {
    const item = this.#must(key);
    const at = this.#tick();
    item.status = 'trashed';
    item.trashedAt = at;
    item.modifiedBy = actorId;
    this.#changed(item, 'ITEM_TRASH', actorId, at);
    return item;
  }

  restore(actorId: string, key: string): MockItem {
    const item = this.#must(key);
    const at = this.#tick();
    const parent = this.parentOf(item);
    if (parent === undefined || !this.isLive(parent)) item.parentKey = this.rootKey(item.ownerId);
    item.status = 'active';
    item.trashedAt = undefined;
    item.modifiedBy = actorId;
    this.#changed(item, 'ITEM_UNDELETE_VIA_TRASH', actorId, at);
    return item;
  }

  /** Deletes an item from the trash for good (no event: the tree does not change). */
  purge(key: string): void {
    const item = this.#must(key);
    for (const child of [...this.items.values()].filter((candidate) => candidate.parentKey === key))
      this.purge(keyOf(child.type, child.id));
    this.items.delete(keyOf(item.type, item.id));
  }

  /** Appends an event with a raw source (a test's event of another kind). */
  appendEvent(userId: string, eventType: string, rawSource?: Record<string, unknown>): MockEvent {
    const event: MockEvent = {
      position: this.#nextPosition(),
      eventId: randomBytes(20).toString('hex'),
      eventType,
      at: this.#tick(),
      userId,
      itemKey: undefined,
      snapshot: undefined,
      rawSource,
    };
    this.events.push(event);
    return event;
  }

  /** Forgets events before `position` (Box keeps user events for weeks, not forever). */
  expireEventsBefore(position: bigint): void {
    this.minPosition = position;
    while (this.events.length > 0 && (this.events[0]?.position ?? 0n) < position) this.events.shift();
  }

  // ---- internals ----

  #add(
    type: MockItemType,
    parent: MockItem,
    name: string,
    actorId: string,
    options: {
      bytes?: Uint8Array;
      url?: string;
      contentModifiedAt?: number | undefined;
      contentCreatedAt?: number | undefined;
    },
  ): MockItem {
    const at = this.#tick();
    this.#ids[type] += 1;
    const item: MockItem = {
      type,
      id: String(this.#ids[type]),
      parentKey: keyOf('folder', parent.id),
      name,
      ownerId: parent.ownerId,
      status: 'active',
      sequence: 0,
      createdAt: at,
      modifiedAt: at,
      contentCreatedAt: options.contentCreatedAt ?? at,
      contentModifiedAt: options.contentModifiedAt ?? at,
      createdBy: actorId,
      modifiedBy: actorId,
      versions: type === 'file' ? [this.#version(options.bytes ?? new Uint8Array(0))] : [],
      url: options.url,
    };
    this.items.set(keyOf(type, item.id), item);
    this.#changed(item, type === 'file' ? 'ITEM_UPLOAD' : 'ITEM_CREATE', actorId, at, false);
    return item;
  }

  #copyTree(actorId: string, source: MockItem, parent: MockItem, name: string): MockItem {
    const at = this.#tick();
    this.#ids[source.type] += 1;
    const copy: MockItem = {
      ...source,
      id: String(this.#ids[source.type]),
      parentKey: keyOf('folder', parent.id),
      name,
      ownerId: parent.ownerId,
      status: 'active',
      sequence: 0,
      createdAt: at,
      modifiedAt: at,
      createdBy: actorId,
      modifiedBy: actorId,
      versions: source.versions.length === 0 ? [] : [this.#version(source.versions.at(-1)?.bytes ?? new Uint8Array(0))],
      trashedAt: undefined,
      root: undefined,
    };
    this.items.set(keyOf(copy.type, copy.id), copy);
    if (source.type === 'folder') {
      for (const child of this.children(keyOf('folder', source.id))) this.#copyTree(actorId, child, copy, child.name);
    }
    return copy;
  }

  #version(bytes: Uint8Array): MockVersion {
    this.#ids.version += 1;
    return {
      id: String(this.#ids.version),
      sha1: createHash('sha1').update(bytes).digest('hex'),
      bytes: bytes.slice(),
    };
  }

  #changed(item: MockItem, eventType: string, actorId: string, at: number, bump = true): void {
    if (bump) item.sequence += 1;
    this.events.push({
      position: this.#nextPosition(),
      eventId: randomBytes(20).toString('hex'),
      eventType,
      at,
      userId: item.ownerId,
      itemKey: keyOf(item.type, item.id),
      snapshot: this.snapshot(item),
    });
  }

  /** The item's state and path now, for an event. */
  snapshot(item: MockItem): MockItemSnapshot {
    return {
      item: { ...item, versions: [...item.versions] },
      version: item.versions.at(-1),
      chain: this.ancestors(item).map((folder) => ({ id: folder.id, name: folder.name, sequence: folder.sequence })),
    };
  }

  #nextPosition(): bigint {
    const position = this.#position;
    this.#position += 7n;
    return position;
  }

  #folderFor(key: string): MockItem {
    const folder = this.#must(key);
    if (folder.type !== 'folder') throw new Error(`mock: ${key} is not a folder`);
    return folder;
  }

  #must(key: string): MockItem {
    const item = this.items.get(key);
    if (item === undefined) throw new Error(`mock: no item ${key}`);
    return item;
  }
}
