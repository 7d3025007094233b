/**
 * The Box endpoints the adapter calls, typed, over {@link BoxHttp}: folder listings and users with marker
 * paging, item info, the user event stream, folder creation, deletion and streaming downloads. Uploads
 * are in `box-upload.ts`.
 *
 * Every call names the user it acts for ({@link BoxActor}): with an enterprise token the `As-User`
 * header selects the user; with a user's own token (OAuth, or a grant for one user) there is no header.
 * Listings always send an explicit `fields` list (Box returns only the mini representation otherwise)
 * and `usemarker=true` with `limit=1000`, Box's largest page.
 */
import type { ByteStream } from '@holdfast/engine';
import type { BoxBaseUrls } from './box-auth.ts';
import { boxError } from './box-errors.ts';
import type { BoxHttp } from './box-http.ts';
import type {
  BoxEvent,
  BoxEventsPage,
  BoxFile,
  BoxFolder,
  BoxItem,
  BoxItemsPage,
  BoxUser,
  BoxUsersPage,
} from './box-types.ts';

/** Who a call acts as: `asUser` is sent as `As-User`; `key` counts the call for per-user concurrency. */
export interface BoxActor {
  readonly asUser?: string | undefined;
  readonly key: string;
}

/** The fields a walk needs of every listed item. */
export const ITEM_FIELDS = [
  'type',
  'id',
  'name',
  'size',
  'sha1',
  'file_version',
  'etag',
  'sequence_id',
  'created_at',
  'modified_at',
  'content_created_at',
  'content_modified_at',
  'created_by',
  'modified_by',
  'owned_by',
  'item_status',
  'extension',
  'url',
] as const;

/** The fields of one item looked up by id (an event's item whose source lacked something). */
export const ITEM_INFO_FIELDS = [...ITEM_FIELDS, 'path_collection', 'parent', 'trashed_at'] as const;

/** The fields of a user. */
export const USER_FIELDS = ['id', 'type', 'name', 'login', 'status'] as const;

/** Box's largest page of items or users. */
export const PAGE_LIMIT = 1000;

/** Box's largest page of events. */
export const EVENTS_LIMIT = 500;

/** The typed endpoints; see the module note. */
export class BoxApi {
  readonly http: BoxHttp;
  readonly baseUrls: BoxBaseUrls;

  constructor(http: BoxHttp, baseUrls: BoxBaseUrls) {
    this.http = http;
    this.baseUrls = baseUrls;
  }

  /** `https://api.box.com/2.0/<path>`. */
  apiUrl(path: string): string {
    return `${this.baseUrls.baseUrl.replace(/\/+$/, '')}/2.0/${path}`;
  }

  /** `https://upload.box.com/api/2.0/<path>`. */
  uploadUrl(path: string): string {
    return `${this.baseUrls.uploadUrl.replace(/\/+$/, '')}/2.0/${path}`;
  }

  /** The pages of a folder's items (marker paging), each page fetched when the previous is consumed. */
  async *folderPages(
    folderId: string,
    actor: BoxActor,
    options: { fields?: readonly string[]; signal?: AbortSignal | undefined } = {},
  ): AsyncGenerator<readonly BoxItem[]> {
    let marker: string | undefined;
    do {
      const page = await this.http.json<BoxItemsPage>({
        method: 'GET',
        url: this.apiUrl(`folders/${encodeURIComponent(folderId)}/items`),
        what: `list folder ${folderId}`,
        user: actor.key,
        asUser: actor.asUser,
        query: { fields: (options.fields ?? ITEM_FIELDS).join(','), usemarker: true, limit: PAGE_LIMIT, marker },
        signal: options.signal,
      });
      yield page.entries ?? [];
      marker = page.next_marker ?? undefined;
      if (marker === '') marker = undefined;
    } while (marker !== undefined);
  }

  /** A file's info. Rejects with `NotFoundError` when it is gone or trashed. */
  async file(
    fileId: string,
    actor: BoxActor,
    signal?: AbortSignal,
    fields: readonly string[] = ITEM_INFO_FIELDS,
  ): Promise<BoxFile> {
    return this.http.json<BoxFile>({
      method: 'GET',
      url: this.apiUrl(`files/${encodeURIComponent(fileId)}`),
      what: `get file ${fileId}`,
      user: actor.key,
      asUser: actor.asUser,
      query: { fields: fields.join(',') },
      signal,
    });
  }

  /** A folder's info. Rejects with `NotFoundError` when it is gone or trashed. */
  async folder(
    folderId: string,
    actor: BoxActor,
    signal?: AbortSignal,
    fields: readonly string[] = ITEM_INFO_FIELDS,
  ): Promise<BoxFolder> {
    return this.http.json<BoxFolder>({
      method: 'GET',
      url: this.apiUrl(`folders/${encodeURIComponent(folderId)}`),
      what: `get folder ${folderId}`,
      user: actor.key,
      asUser: actor.asUser,
      query: { fields: fields.join(',') },
      signal,
    });
  }

  /** An item's info by type (`web_link` as well). */
  async item(type: BoxItem['type'], id: string, actor: BoxActor, signal?: AbortSignal): Promise<BoxItem> {
    if (type === 'file') return this.file(id, actor, signal);
    if (type === 'folder') return this.folder(id, actor, signal);
    return this.http.json<BoxItem>({
      method: 'GET',
      url: this.apiUrl(`web_links/${encodeURIComponent(id)}`),
      what: `get web link ${id}`,
      user: actor.key,
      asUser: actor.asUser,
      signal,
    });
  }

  /** The enterprise's users, page by page (`usemarker=true`: offset paging stops at 10 000 users). */
  async *userPages(signal?: AbortSignal): AsyncGenerator<readonly BoxUser[]> {
    let marker: string | undefined;
    do {
      const page = await this.http.json<BoxUsersPage>({
        method: 'GET',
        url: this.apiUrl('users'),
        what: 'list users',
        user: 'enterprise',
        query: { user_type: 'managed', fields: USER_FIELDS.join(','), usemarker: true, limit: PAGE_LIMIT, marker },
        signal,
      });
      yield page.entries ?? [];
      marker = page.next_marker ?? undefined;
      if (marker === '') marker = undefined;
    } while (marker !== undefined);
  }

  /** One user of the enterprise. Rejects with `NotFoundError` for an unknown id. */
  async user(userId: string, signal?: AbortSignal): Promise<BoxUser> {
    return this.http.json<BoxUser>({
      method: 'GET',
      url: this.apiUrl(`users/${encodeURIComponent(userId)}`),
      what: `get user ${userId}`,
      user: 'enterprise',
      query: { fields: USER_FIELDS.join(',') },
      signal,
    });
  }

  /** The token's own user. */
  async me(signal?: AbortSignal): Promise<BoxUser> {
    return this.http.json<BoxUser>({
      method: 'GET',
      url: this.apiUrl('users/me'),
      what: 'get the current user',
      user: 'self',
      query: { fields: USER_FIELDS.join(',') },
      signal,
    });
  }

  /**
   * One page of the user's `changes` event stream from `position` (`now` for the current position). The
   * answer is read as text: `next_stream_position` is an int64 that `JSON.parse` would round, so it is cut
   * out of the raw text and kept as a string.
   */
  async eventsPage(actor: BoxActor, position: string, signal?: AbortSignal, limit = 500): Promise<BoxEventsPage> {
    const what = `read events of ${actor.asUser === undefined ? 'the user' : `user ${actor.asUser}`}`;
    const text = await this.http.text({
      method: 'GET',
      url: this.apiUrl('events'),
      what,
      user: actor.key,
      asUser: actor.asUser,
      query: { stream_type: 'changes', stream_position: position, limit },
      signal,
    });
    return parseEventsPage(text, what);
  }

  /** Creates a folder. Rejects with `ConflictError` (409 `item_name_in_use`) when the name is taken. */
  async createFolder(parentId: string, name: string, actor: BoxActor, signal?: AbortSignal): Promise<BoxFolder> {
    return this.http.json<BoxFolder>({
      method: 'POST',
      url: this.apiUrl('folders'),
      what: `create folder ${JSON.stringify(name)} in folder ${parentId}`,
      user: actor.key,
      asUser: actor.asUser,
      query: { fields: ITEM_FIELDS.join(',') },
      json: { name, parent: { id: parentId } },
      signal,
    });
  }

  /** Deletes a file or (with everything in it) a folder: Box moves it to the trash. */
  async delete(type: BoxItem['type'], id: string, actor: BoxActor, signal?: AbortSignal): Promise<void> {
    const path = type === 'folder' ? 'folders' : type === 'file' ? 'files' : 'web_links';
    await discardBody(
      await this.http.send({
        method: 'DELETE',
        url: this.apiUrl(`${path}/${encodeURIComponent(id)}`),
        what: `delete ${type} ${id}`,
        user: actor.key,
        asUser: actor.asUser,
        ...(type === 'folder' ? { query: { recursive: true } } : {}),
        signal,
      }),
    );
  }

  /**
   * A file's content, streamed. `GET /files/{id}/content` answers 302 to a download host (followed here,
   * without the bearer token) or 202 with `retry-after` while the file is not ready (waited out).
   */
  async download(fileId: string, actor: BoxActor, signal?: AbortSignal): Promise<ByteStream> {
    const what = `download file ${fileId}`;
    const first = await this.http.send({
      method: 'GET',
      url: this.apiUrl(`files/${encodeURIComponent(fileId)}/content`),
      what,
      user: actor.key,
      asUser: actor.asUser,
      accept: [302],
      waitOn202: true,
      signal,
    });
    let response = first;
    if (first.status === 302) {
      const location = first.headers.get('location');
      await discardBody(first);
      if (location === null) throw boxError(new Error('a 302 without a location'), what, signal);
      response = await this.http.send({
        method: 'GET',
        url: new URL(location, this.apiUrl('')).toString(),
        what,
        user: actor.key,
        authenticated: false,
        waitOn202: true,
        signal,
      });
    }
    return bodyStream(response, what, signal);
  }
}

/** Parses a `GET /events` answer, keeping `next_stream_position` as the exact digits Box sent. */
export function parseEventsPage(text: string, what = 'read events'): BoxEventsPage {
  const match = /"next_stream_position"\s*:\s*(?:"(-?\d+|now)"|(-?\d+))/.exec(text);
  let parsed: { entries?: BoxEvent[] };
  try {
    parsed = JSON.parse(text) as { entries?: BoxEvent[] };
  } catch (error) {
    throw boxError(error, `${what} (answer is not JSON)`);
  }
  const position = match?.[1] ?? match?.[2];
  if (position === undefined) throw boxError(new Error('the answer has no next_stream_position'), what);
  return { entries: parsed.entries ?? [], nextStreamPosition: position };
}

/** A response body as a byte stream whose failures are Holdfast errors. */
async function* bodyStream(response: Response, what: string, signal?: AbortSignal): ByteStream {
  if (response.body === null) return;
  try {
    for await (const chunk of response.body) yield chunk;
  } catch (error) {
    throw boxError(error, what, signal);
  }
}

async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
