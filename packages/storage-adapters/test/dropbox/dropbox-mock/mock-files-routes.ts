/**
 * The mock's `files` RPC routes, shaped from `files.stone`: list_folder (+ continue, get_latest_cursor),
 * get_metadata, create_folder_v2 and delete_v2.
 *
 * Listing and cursors: `list_folder` takes a snapshot of the entries (in an order that is neither depth
 * first nor sorted: Dropbox promises no order, and a recursive listing often names a file before its
 * folder) and pages through it; the cursor of the last page is a change cursor, a position in the
 * member's change log. `list_folder/continue` on a change cursor answers the log records after it,
 * coalesced, `limit` per page. A cursor minted before {@link MockNamespace.epoch} was bumped answers 409
 * `reset`. Cursors are opaque base64url JSON.
 */
import { createHash } from 'node:crypto';
import { badRequest, field, routeError, stringField } from './mock-http.ts';
import { MockPathError, segments, type MockItem, type MockNamespace } from './mock-namespace.ts';
import { accountOf, json, type MockCall, type MockListing, type MockRoute } from './mock-routes.ts';

interface MockCursor {
  readonly a: string;
  readonly e: number;
  readonly p: string;
  readonly r: boolean;
  readonly l: number;
  /** A change cursor: the log position. */
  readonly s?: number;
  /** A listing cursor: the listing and the next offset. */
  readonly id?: string;
  readonly o?: number;
}

function encodeCursor(cursor: MockCursor): string {
  return `AAH${Buffer.from(JSON.stringify(cursor)).toString('base64url')}`;
}

function decodeCursor(route: string, text: string): MockCursor {
  try {
    return JSON.parse(Buffer.from(text.slice(3), 'base64url').toString('utf8')) as MockCursor;
  } catch {
    throw badRequest(route, 'Invalid "cursor" parameter');
  }
}

/** Runs `body`, turning a refused path into the route's 409 under `tag` (`path`, `path_lookup`). */
function onPath<T>(tag: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof MockPathError) throw routeError([tag, ...error.tags]);
    throw error;
  }
}

/** A deterministic order that is neither depth first nor sorted. */
function scrambled<T extends { id: string }>(items: readonly T[]): T[] {
  const key = (item: T): string => createHash('sha1').update(item.id).digest('hex');
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

function folderAt(ns: MockNamespace, path: string): MockItem & { kind: 'folder' } {
  const item = onPath('path', () => ns.resolve(path));
  if (item === undefined) throw routeError(['path', 'not_found']);
  if (item.kind !== 'folder') throw routeError(['path', 'not_folder']);
  return item;
}

function limitOf(call: MockCall): number {
  const limit = field(call.arg, 'limit');
  if (limit === undefined || limit === null) return call.state.pageSize;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 2000) {
    throw badRequest(call.route, 'Invalid "limit" parameter: must be from 1 to 2000');
  }
  return limit;
}

function page(call: MockCall, listing: MockListing, id: string, offset: number): unknown {
  const account = accountOf(call);
  const entries = listing.entries.slice(offset, offset + listing.limit);
  const next = offset + entries.length;
  const more = next < listing.entries.length;
  const base = { a: account.accountId, e: listing.epoch, p: listing.pathLower, r: listing.recursive, l: listing.limit };
  if (!more) call.state.listings.delete(id);
  const cursor = encodeCursor(more ? { ...base, id, o: next } : { ...base, s: listing.seq });
  return { entries, cursor, has_more: more };
}

const listFolder: MockRoute = {
  stone: { namespace: 'files', name: 'list_folder', version: 1 },
  host: 'api',
  style: 'rpc',
  auth: 'user',
  handle(call) {
    const ns = accountOf(call).namespace;
    const path = stringField(call.route, call.arg, 'path');
    const recursive = field(call.arg, 'recursive') === true;
    const folder = folderAt(ns, path);
    const items = recursive ? ns.descendants(folder) : [...folder.children.values()];
    const listing: MockListing = {
      entries: scrambled(items).map((item) => ns.metadata(item)),
      seq: ns.seq,
      epoch: ns.epoch,
      pathLower: ns.displayPath(folder).toLowerCase(),
      recursive,
      limit: limitOf(call),
    };
    const id = call.state.newListingId();
    call.state.listings.set(id, listing);
    return json(page(call, listing, id, 0));
  },
};

const listFolderContinue: MockRoute = {
  stone: { namespace: 'files', name: 'list_folder/continue', version: 1 },
  host: 'api',
  style: 'rpc',
  auth: 'user',
  handle(call) {
    const account = accountOf(call);
    const cursor = decodeCursor(call.route, stringField(call.route, call.arg, 'cursor'));
    if (cursor.a !== account.accountId) throw badRequest(call.route, 'Invalid "cursor" parameter: another account');
    if (cursor.e !== account.namespace.epoch) throw routeError(['reset']);
    if (cursor.id !== undefined) {
      const listing = call.state.listings.get(cursor.id);
      if (listing === undefined) throw routeError(['reset']);
      return json(page(call, listing, cursor.id, cursor.o ?? 0));
    }
    const changes = account.namespace.changesSince(cursor.s ?? 0, cursor.p, cursor.r);
    const answered = changes.slice(0, cursor.l);
    const more = answered.length < changes.length;
    // Resume after the last record answered: a record skipped before it was superseded by a later one.
    const seq = more ? (answered.at(-1)?.seq ?? account.namespace.seq) : account.namespace.seq;
    return json({
      entries: answered.map((record) => record.meta),
      cursor: encodeCursor({ ...cursor, s: seq }),
      has_more: more,
    });
  },
};

const getLatestCursor: MockRoute = {
  stone: { namespace: 'files', name: 'list_folder/get_latest_cursor', version: 1 },
  host: 'api',
  style: 'rpc',
  auth: 'user',
  handle(call) {
    const account = accountOf(call);
    const ns = account.namespace;
    const folder = folderAt(ns, stringField(call.route, call.arg, 'path'));
    const cursor = {
      a: account.accountId,
      e: ns.epoch,
      p: ns.displayPath(folder).toLowerCase(),
      r: field(call.arg, 'recursive') === true,
      l: limitOf(call),
      s: ns.seq,
    };
    return json({ cursor: encodeCursor(cursor) });
  },
};

const getMetadata: MockRoute = {
  stone: { namespace: 'files', name: 'get_metadata', version: 1 },
  host: 'api',
  style: 'rpc',
  auth: 'user',
  handle(call) {
    const ns = accountOf(call).namespace;
    const path = stringField(call.route, call.arg, 'path');
    if (path === '') throw badRequest(call.route, 'The root folder is unsupported.');
    const item = onPath('path', () => ns.resolve(path));
    if (item === undefined) throw routeError(['path', 'not_found']);
    return json(ns.metadata(item));
  },
};

const createFolder: MockRoute = {
  stone: { namespace: 'files', name: 'create_folder', version: 2 },
  host: 'api',
  style: 'rpc',
  auth: 'user',
  handle(call) {
    const ns = accountOf(call).namespace;
    const path = stringField(call.route, call.arg, 'path');
    const folder = onPath('path', () => {
      segments(path);
      return ns.createFolder(path);
    });
    return json({ metadata: ns.untagged(folder) });
  },
};

const deleteV2: MockRoute = {
  stone: { namespace: 'files', name: 'delete', version: 2 },
  host: 'api',
  style: 'rpc',
  auth: 'user',
  handle(call) {
    const ns = accountOf(call).namespace;
    const path = stringField(call.route, call.arg, 'path');
    const item = onPath('path_lookup', () => ns.resolve(path));
    if (item === undefined || item === ns.root) throw routeError(['path_lookup', 'not_found']);
    const metadata = ns.metadata(item);
    ns.remove(ns.displayPath(item));
    return json({ metadata });
  },
};

/** The `files` RPC routes, by HTTP route. */
export const filesRoutes: Record<string, MockRoute> = {
  'files/list_folder': listFolder,
  'files/list_folder/continue': listFolderContinue,
  'files/list_folder/get_latest_cursor': getLatestCursor,
  'files/get_metadata': getMetadata,
  'files/create_folder_v2': createFolder,
  'files/delete_v2': deleteV2,
};
