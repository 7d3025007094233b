/**
 * The MOCK Box's API endpoints (test code): folders, files, web links, users, events and downloads, with
 * the paging, `fields`, error codes and status codes of Box's published API. Uploads are in
 * `box-mock-uploads.ts`. Every item is visible only in its owner's tree (folder `0` is the caller's own
 * root); anything else is a 404 `not_found`, as Box answers for items a user cannot see.
 */
import { randomBytes } from 'node:crypto';
import { type MockAnswer, type MockCall, empty, failure, nameProblem, notFound, ok } from './box-mock-answers.ts';
import { eventSourceJson, itemJson, miniJson, snapshotJson, userJson, userMini, boxTime } from './box-mock-json.ts';
import { keyOf, type MockItem, type MockItemType } from './box-mock-store.ts';

/** One route: a method, a path pattern (after `/2.0`) and its handler. `key` names it in counters. */
export interface MockRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly key: string;
  readonly handle: (call: MockCall) => MockAnswer | Promise<MockAnswer>;
}

/** The item of `type` with `id` as the caller sees it (`0`: the caller's root), if it is live and theirs. */
export function visible(call: MockCall, type: MockItemType, id: string): MockItem | undefined {
  const key = type === 'folder' && id === '0' ? call.store.rootKey(call.actor.id) : keyOf(type, id);
  const item = call.store.item(key);
  if (item?.ownerId !== call.actor.id || !call.store.isLive(item)) return undefined;
  return item;
}

/** The store key of a visible folder (`0` → the caller's root). */
export function folderKey(call: MockCall, item: MockItem): string {
  return keyOf('folder', item.id);
}

function marker(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function offsetOf(text: string | null): number {
  if (text === null || text === '') return 0;
  const decoded = Buffer.from(text, 'base64url').toString();
  return /^o:\d+$/.test(decoded) ? Number(decoded.slice(2)) : -1;
}

const folderItems = (call: MockCall): MockAnswer => {
  const folder = visible(call, 'folder', call.params[0] ?? '');
  if (folder === undefined) return notFound();
  const children = call.store.children(folderKey(call, folder));
  const limit = Math.min(Number(call.url.searchParams.get('limit') ?? 100) || 100, 1000);
  const useMarker = call.url.searchParams.get('usemarker') === 'true';
  const offset = useMarker
    ? offsetOf(call.url.searchParams.get('marker'))
    : Number(call.url.searchParams.get('offset') ?? 0);
  if (offset < 0 || !Number.isInteger(offset)) return failure(400, 'bad_request', 'Invalid marker');
  const page = children.slice(offset, offset + limit);
  const entries = page.map((item) =>
    call.fields === undefined ? miniJson(call.store, item) : itemJson(call.store, item, call.fields),
  );
  if (useMarker) {
    const next = offset + limit < children.length ? marker(offset + limit) : null;
    return ok({ entries, limit, next_marker: next });
  }
  return ok({ entries, limit, offset, total_count: children.length, order: [{ by: 'type', direction: 'ASC' }] });
};

const getItem =
  (type: MockItemType) =>
  (call: MockCall): MockAnswer => {
    const item = visible(call, type, call.params[0] ?? '');
    return item === undefined ? notFound() : ok(itemJson(call.store, item, call.fields));
  };

const deleteItem =
  (type: MockItemType) =>
  (call: MockCall): MockAnswer => {
    const item = visible(call, type, call.params[0] ?? '');
    if (item === undefined || item.root === true) return notFound();
    if (
      type === 'folder' &&
      call.url.searchParams.get('recursive') !== 'true' &&
      call.store.children(keyOf('folder', item.id)).length > 0
    ) {
      return failure(400, 'folder_not_empty', 'Cannot delete - folder not empty');
    }
    call.store.trash(call.actor.id, keyOf(type, item.id));
    return empty(204);
  };

const createFolder = async (call: MockCall): Promise<MockAnswer> => {
  const body = (await call.request.json()) as { name?: unknown; parent?: { id?: unknown } };
  const parent = typeof body.parent?.id === 'string' ? visible(call, 'folder', body.parent.id) : undefined;
  if (parent === undefined) return notFound('Parent folder not found');
  const problem = nameProblem(body.name);
  if (problem !== undefined) return problem;
  const name = body.name as string;
  const existing = call.store.childNamed(folderKey(call, parent), name);
  if (existing !== undefined) {
    return failure(409, 'item_name_in_use', 'Item with the same name already exists', {
      conflicts: [miniJson(call.store, existing)],
    });
  }
  const folder = call.store.createFolder(call.actor.id, folderKey(call, parent), name);
  return ok(itemJson(call.store, folder, call.fields), 201);
};

const download = (call: MockCall): MockAnswer => {
  const file = visible(call, 'file', call.params[0] ?? '');
  if (file === undefined) return notFound();
  if (call.settings.downloadsNotReady > 0) {
    call.settings.downloadsNotReady -= 1;
    return empty(202, { 'retry-after': '0' });
  }
  const version = file.versions.at(-1);
  const token = randomBytes(12).toString('hex');
  call.settings.downloads.set(token, { bytes: version?.bytes ?? new Uint8Array(0) });
  return empty(302, { location: `${call.downloadBase}/d/${token}/${encodeURIComponent(file.name)}` });
};

const listUsers = (call: MockCall): MockAnswer => {
  if (call.token.subject.kind !== 'enterprise' || call.request.headers.get('as-user') !== null) {
    return failure(403, 'access_denied_insufficient_permissions', 'Access denied - insufficient permission');
  }
  const users = [...call.store.users.values()].filter((user) => user.serviceAccount !== true);
  const limit = Math.min(Number(call.url.searchParams.get('limit') ?? 100) || 100, 1000);
  const useMarker = call.url.searchParams.get('usemarker') === 'true';
  const offset = useMarker
    ? offsetOf(call.url.searchParams.get('marker'))
    : Number(call.url.searchParams.get('offset') ?? 0);
  if (offset < 0 || offset > 10_000) return failure(400, 'bad_request', 'Invalid offset or marker');
  const entries = users.slice(offset, offset + limit).map((user) => userJson(user, call.fields));
  if (useMarker)
    return ok({ entries, limit, next_marker: offset + limit < users.length ? marker(offset + limit) : null });
  return ok({ entries, limit, offset, total_count: users.length });
};

const getUser = (call: MockCall): MockAnswer => {
  if (call.token.subject.kind !== 'enterprise')
    return failure(403, 'access_denied_insufficient_permissions', 'Access denied');
  const user = call.store.users.get(call.params[0] ?? '');
  return user === undefined || user.serviceAccount === true ? notFound() : ok(userJson(user, call.fields));
};

const events = (call: MockCall): MockAnswer => {
  const { store, settings } = call;
  const position = call.url.searchParams.get('stream_position') ?? '0';
  const limit = Math.min(
    Number(call.url.searchParams.get('limit') ?? 100) || 100,
    500,
    settings.eventQuirks.pageSize ?? 500,
  );
  const respond = (entries: unknown[], next: bigint): MockAnswer => ({
    status: 200,
    rawJson: JSON.stringify({ chunk_size: entries.length, next_stream_position: `@@${next}@@`, entries }).replace(
      /"@@(\d+)@@"/,
      '$1',
    ),
  });
  if (position === 'now') return respond([], store.head);
  if (!/^\d+$/.test(position)) return failure(400, 'bad_request', 'Invalid stream position');
  let from = BigInt(position);
  if (from !== 0n && from < store.minPosition)
    return failure(400, 'bad_request', 'Invalid stream position: it has expired');
  if (from === 0n) from = store.minPosition;
  const mine = store.events.filter((event) => event.userId === call.actor.id && event.position >= from).slice(0, limit);
  const next = mine.length === 0 ? (from > store.head ? from : store.head) : (mine.at(-1)?.position ?? from) + 1n;
  const entries: unknown[] = mine.map((event) => {
    const minimal = settings.eventQuirks.minimalSources?.has(event.eventType) === true;
    const source =
      event.rawSource ??
      (event.snapshot === undefined
        ? undefined
        : minimal
          ? eventSourceJson(store, event.snapshot)
          : snapshotJson(store, event.snapshot));
    return {
      type: 'event',
      event_id: event.eventId,
      event_type: event.eventType,
      created_at: boxTime(event.at),
      recorded_at: boxTime(event.at),
      created_by: userMini(store.users.get(event.userId)),
      session_id: 'mock-session',
      // The description has `source` as an object, never null: an event without one leaves it out.
      ...(source === undefined ? {} : { source }),
    };
  });
  const every = settings.eventQuirks.duplicateEvery;
  if (every !== undefined) for (let index = 0; index < mine.length; index += every) entries.push(entries[index]);
  if (settings.eventQuirks.reverse === true) entries.reverse();
  return respond(entries, next);
};

/** The API host's routes (paths after `/2.0`). */
export const apiRoutes: readonly MockRoute[] = [
  { method: 'GET', pattern: /^\/folders\/([^/]+)\/items$/, key: 'GET /folders/{id}/items', handle: folderItems },
  { method: 'GET', pattern: /^\/folders\/([^/]+)$/, key: 'GET /folders/{id}', handle: getItem('folder') },
  { method: 'POST', pattern: /^\/folders$/, key: 'POST /folders', handle: createFolder },
  { method: 'DELETE', pattern: /^\/folders\/([^/]+)$/, key: 'DELETE /folders/{id}', handle: deleteItem('folder') },
  { method: 'GET', pattern: /^\/files\/([^/]+)\/content$/, key: 'GET /files/{id}/content', handle: download },
  { method: 'GET', pattern: /^\/files\/([^/]+)$/, key: 'GET /files/{id}', handle: getItem('file') },
  { method: 'DELETE', pattern: /^\/files\/([^/]+)$/, key: 'DELETE /files/{id}', handle: deleteItem('file') },
  { method: 'GET', pattern: /^\/web_links\/([^/]+)$/, key: 'GET /web_links/{id}', handle: getItem('web_link') },
  {
    method: 'DELETE',
    pattern: /^\/web_links\/([^/]+)$/,
    key: 'DELETE /web_links/{id}',
    handle: deleteItem('web_link'),
  },
  { method: 'GET', pattern: /^\/users$/, key: 'GET /users', handle: listUsers },
  {
    method: 'GET',
    pattern: /^\/users\/me$/,
    key: 'GET /users/me',
    handle: (call) => ok(userJson(call.actor, call.fields)),
  },
  { method: 'GET', pattern: /^\/users\/([^/]+)$/, key: 'GET /users/{id}', handle: getUser },
  { method: 'GET', pattern: /^\/events$/, key: 'GET /events', handle: events },
];
