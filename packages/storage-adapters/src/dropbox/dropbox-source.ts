/**
 * DropboxSource: the members of a Dropbox team (or one account) as backup entities.
 *
 * Full walks: `files/list_folder` (`recursive: true`, `include_deleted: false`, `limit` 2000, Dropbox's
 * maximum) and `files/list_folder/continue` until `has_more` is false; the metadata is buffered and
 * yielded depth first ({@link DepthFirstListing}), since Dropbox lists in no such order. A listing that
 * Dropbox resets midway is started again (nothing was yielded yet).
 *
 * The cursor stored for the next walk is the one of the listing's last page, not one taken with
 * `get_latest_cursor` before the walk. Dropbox pages a listing and its later changes with the same
 * cursor: the last page's cursor is exactly where the listing's state ends, so a change made while the
 * walk was paging comes in the next incremental walk, once, and nothing is lost. A cursor taken before
 * the walk would lose nothing either, but would report again what changed while the walk ran, and costs
 * a call.
 *
 * Incremental walks (`since`): `files/list_folder/continue` from the stored cursor. Every page is read
 * before the first entry is yielded (memory O(changes), as the engine's own change set), so that a
 * `reset` on any page, like a cursor of another entity or folder, a malformed one, or `fullWalkEvery`,
 * turns the walk into a full one, reported as `mode: 'full'`. Entries keep Dropbox's order: files and
 * folders as items at their current path, `deleted` entries by path (`path_lower` based; the engine
 * matches without regard to case because the source declares `pathsCaseInsensitive`). A moved or copied
 * folder comes with its contents, as Dropbox lists them. Paths: an item's own name is its `name`; its
 * folder's path is the one this walk built for that folder when the folder came earlier in the walk,
 * otherwise `path_display`'s (whose casing may be off: the engine matches folders without regard to case).
 * Dropbox does not report case-only renames to `list_folder/continue`; a full walk picks them up
 * (`fullWalkEvery` makes every n-th walk a full one).
 */
import {
  NotFoundError,
  ValidationError,
  isHoldfastError,
  type ByteStream,
  type CallOptions,
  type Source,
  type SourceCapabilities,
  type SourceEntity,
  type SourceItem,
  type Walk,
  type WalkEntry,
  type WalkOptions,
} from '@holdfast/engine';
import type { files, users } from 'dropbox';
import type { DropboxCallOptions, DropboxClient } from './dropbox-client.ts';
import { clientOf, type DropboxConnectionOptions } from './dropbox-connection.ts';
import { DROPBOX_CONTENT_HASH_ALGORITHM } from './dropbox-content-hash.ts';
import { decodeWalkCursor, encodeWalkCursor, type DropboxWalkCursor } from './dropbox-cursor.ts';
import { DepthFirstListing } from './dropbox-depth-first.ts';
import { accountEntity, currentAccount, teamMemberEntities } from './dropbox-entities.ts';
import { hasDropboxTag } from './dropbox-errors.ts';
import { entryOf, itemOf, type DropboxEntry, type DropboxListedMetadata } from './dropbox-metadata.ts';
import { dropboxPath, joinPath, normaliseRoot, parentOf, relativeLower } from './dropbox-paths.ts';

/** Options of {@link DropboxSource}. */
export interface DropboxSourceOptions extends DropboxConnectionOptions {
  /**
   * `team`: a team app's connection; the entities are the team's members. `user`: one account's
   * connection; its one entity is that account. Default `team`.
   */
  readonly mode?: 'team' | 'user' | undefined;
  /** Back up only this folder of each member's Dropbox (`/Projects`). Default: everything. */
  readonly folder?: string | undefined;
  /** List suspended members as entities (team mode). Default true. */
  readonly includeSuspended?: boolean | undefined;
  /** `limit` of each `list_folder` page, 1-2000. Default 2000 (Dropbox's maximum). */
  readonly pageSize?: number | undefined;
  /**
   * Walk in full instead of incrementally when this many incremental walks followed the last full one
   * (picks up case-only renames, which Dropbox's change feed omits). Default 0: never.
   */
  readonly fullWalkEvery?: number | undefined;
}

/** Restarts of a full listing that Dropbox resets midway, before giving up. */
const LISTING_RESTARTS = 3;

/**
 * A {@link Source} over Dropbox (see the module note and `docs/connectors/dropbox.md`).
 *
 * @example
 * ```ts
 * const source = new DropboxSource({ credentials: { appKey, appSecret, refreshToken } });
 * for await (const member of source.listEntities()) await repository.backup(source, member.id);
 * ```
 */
export class DropboxSource implements Source {
  /** `dropbox:team` or `dropbox:user`, with `:<folder>` when only a folder is walked. No secrets. */
  readonly name: string;
  readonly capabilities: SourceCapabilities = {
    changeFeed: true,
    pathsCaseInsensitive: true,
    contentHashAlgorithm: DROPBOX_CONTENT_HASH_ALGORITHM,
  };
  readonly client: DropboxClient;
  readonly mode: 'team' | 'user';
  /** The walked folder (`''`: the whole Dropbox). */
  readonly folder: string;
  readonly #rootLower: string;
  readonly #includeSuspended: boolean;
  readonly #pageSize: number;
  readonly #fullWalkEvery: number;
  #account: Promise<users.FullAccount> | undefined;

  constructor(options: DropboxSourceOptions) {
    const mode: unknown = options.mode ?? 'team';
    if (mode !== 'team' && mode !== 'user') throw new ValidationError('Dropbox: mode must be team or user');
    this.mode = mode;
    this.folder = normaliseRoot(options.folder, 'folder');
    this.#rootLower = this.folder.toLowerCase();
    this.#includeSuspended = options.includeSuspended ?? true;
    this.#pageSize = options.pageSize ?? 2000;
    if (!Number.isInteger(this.#pageSize) || this.#pageSize < 1 || this.#pageSize > 2000) {
      throw new ValidationError('Dropbox: pageSize must be a whole number from 1 to 2000');
    }
    this.#fullWalkEvery = options.fullWalkEvery ?? 0;
    if (!Number.isInteger(this.#fullWalkEvery) || this.#fullWalkEvery < 0) {
      throw new ValidationError('Dropbox: fullWalkEvery must be a whole number, 0 for never');
    }
    this.client = clientOf(options);
    this.name = `dropbox:${this.mode}${this.folder === '' ? '' : `:${this.folder}`}`;
  }

  /** The team's members (team mode), or the token's account (user mode). See `dropbox-entities.ts`. */
  async *listEntities(options: CallOptions = {}): AsyncIterable<SourceEntity> {
    if (this.mode === 'team') yield* teamMemberEntities(this.client, this.#includeSuspended, options);
    else yield accountEntity(await this.#currentAccount(options.signal));
  }

  /**
   * Walks a member (team mode: `entityId` is a `team_member_id`) or the account (user mode): in full, or
   * incrementally from `options.since` (see the module note). Rejects with `NotFoundError` for an entity
   * not on the team, `AuthError` when Dropbox refuses access.
   */
  async walk(entityId: string, options: WalkOptions = {}): Promise<Walk> {
    const { signal } = options;
    const call: DropboxCallOptions = { member: await this.#memberOf(entityId, signal), signal, idempotent: true };
    const stored = decodeWalkCursor(options.since);
    const usable =
      stored?.entity === entityId &&
      stored.root === this.#rootLower &&
      (this.#fullWalkEvery === 0 || stored.incrementals + 1 < this.#fullWalkEvery);
    if (usable) {
      const changes = await this.#changes(stored.cursor, call);
      if (changes !== undefined) {
        const next = encodeWalkCursor({ ...stored, cursor: changes.cursor, incrementals: stored.incrementals + 1 });
        const entries = asAsync(this.#incrementalEntries(changes.entries, signal));
        return { mode: 'incremental', entries, cursor: () => next };
      }
    }
    return this.#fullWalk(entityId, call);
  }

  /** Streams a file's current content from `files/download`, by id (`Dropbox-API-Arg: {"path": "id:…"}`). */
  async openContent(entityId: string, item: SourceItem, options: CallOptions = {}): Promise<ByteStream> {
    const member = await this.#memberOf(entityId, options.signal);
    const path = item.id.startsWith('id:') ? item.id : dropboxPath(this.folder, item.path);
    const download = await this.client.download(path, { member, signal: options.signal });
    return download.body;
  }

  /** Every change page after `cursor`; `undefined` when Dropbox reset the cursor (walk in full). */
  async #changes(
    cursor: string,
    call: DropboxCallOptions,
  ): Promise<{ entries: DropboxListedMetadata[]; cursor: string } | undefined> {
    const entries: DropboxListedMetadata[] = [];
    let next = cursor;
    try {
      for (;;) {
        const page = await this.client.rpc<files.ListFolderResult>(
          'files/list_folder/continue',
          { cursor: next },
          call,
        );
        entries.push(...(page.entries as DropboxListedMetadata[]));
        next = page.cursor;
        if (!page.has_more) return { entries, cursor: next };
      }
    } catch (error) {
      const cause = isHoldfastError(error) ? error.cause : error;
      if (hasDropboxTag(cause, 'reset') || hasDropboxTag(cause, 'path')) return undefined;
      throw error;
    }
  }

  *#incrementalEntries(
    changes: readonly DropboxListedMetadata[],
    signal: AbortSignal | undefined,
  ): Generator<WalkEntry, void, undefined> {
    /** Paths this walk built for folders it yielded, by lower-case relative path. */
    const folders = new Map<string, string>();
    for (const metadata of changes) {
      if (signal?.aborted === true) throw signal.reason;
      const rel = relativeLower(metadata.path_lower ?? '', this.#rootLower);
      if (rel === undefined) continue;
      const entry = entryOf(metadata);
      if (entry === undefined) {
        folders.delete(rel);
        yield { kind: 'deleted', path: rel };
        continue;
      }
      const parent = parentOf(rel);
      const path = joinPath(parent === '' ? '' : (folders.get(parent) ?? displayParent(entry, rel)), entry.name);
      if (entry.tag === 'folder') folders.set(rel, path);
      yield { kind: 'item', item: itemOf(entry, path) };
    }
  }

  async #fullWalk(entityId: string, call: DropboxCallOptions): Promise<Walk> {
    const arg = {
      path: this.folder,
      recursive: true,
      include_deleted: false,
      include_mounted_folders: true,
      include_non_downloadable_files: true,
      limit: this.#pageSize,
    };
    // The first page is read here, so that an unknown entity or a refused token rejects the walk itself.
    const first = await this.client.rpc<files.ListFolderResult>('files/list_folder', arg, call);
    const done: { cursor?: string } = {};
    return { mode: 'full', entries: this.#fullEntries(first, arg, entityId, call, done), cursor: () => done.cursor };
  }

  async *#fullEntries(
    first: files.ListFolderResult,
    arg: files.ListFolderArg,
    entityId: string,
    call: DropboxCallOptions,
    done: { cursor?: string },
  ): AsyncGenerator<WalkEntry, void, undefined> {
    let buffered: { listing: DepthFirstListing; cursor: string } | undefined;
    let page: files.ListFolderResult | undefined = first;
    for (let restart = 0; buffered === undefined; restart += 1) {
      page ??= await this.client.rpc<files.ListFolderResult>('files/list_folder', arg, call);
      buffered = await this.#buffer(page, call, restart < LISTING_RESTARTS);
      page = undefined;
    }
    for (const item of buffered.listing.items(call.signal)) yield { kind: 'item', item };
    const state: DropboxWalkCursor = {
      entity: entityId,
      root: this.#rootLower,
      cursor: buffered.cursor,
      incrementals: 0,
    };
    done.cursor = encodeWalkCursor(state);
  }

  /** Reads a listing to its end into a buffer; `undefined` if Dropbox reset it midway and `restart` allows. */
  async #buffer(
    first: files.ListFolderResult,
    call: DropboxCallOptions,
    restart: boolean,
  ): Promise<{ listing: DepthFirstListing; cursor: string } | undefined> {
    const listing = new DepthFirstListing();
    let page = first;
    for (;;) {
      for (const metadata of page.entries as DropboxListedMetadata[]) {
        const entry: DropboxEntry | undefined = entryOf(metadata);
        const rel = entry === undefined ? undefined : relativeLower(entry.pathLower, this.#rootLower);
        if (entry !== undefined && rel !== undefined) listing.add(entry, rel);
      }
      if (!page.has_more) return { listing, cursor: page.cursor };
      try {
        page = await this.client.rpc<files.ListFolderResult>(
          'files/list_folder/continue',
          { cursor: page.cursor },
          call,
        );
      } catch (error) {
        if (restart && hasDropboxTag(isHoldfastError(error) ? error.cause : error, 'reset')) return undefined;
        throw error;
      }
    }
  }

  /** The `Dropbox-API-Select-User` of an entity (team mode), after checking the entity (user mode). */
  async #memberOf(entityId: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    if (typeof entityId !== 'string' || entityId === '') throw new ValidationError('Dropbox: an entity id is required');
    if (this.mode === 'team') return entityId;
    const account = await this.#currentAccount(signal);
    if (entityId !== account.account_id) {
      throw new NotFoundError(`Dropbox: no entity ${entityId}; this connection is the account ${account.account_id}`);
    }
    return undefined;
  }

  #currentAccount(signal: AbortSignal | undefined): Promise<users.FullAccount> {
    this.#account ??= currentAccount(this.client, undefined, { signal }).catch((error: unknown) => {
      this.#account = undefined;
      throw error;
    });
    return this.#account;
  }
}

/** An iterable as an async one (the walk's entries are an AsyncIterable even when they are all at hand). */
// eslint-disable-next-line @typescript-eslint/require-await -- nothing to wait for: the pages were read
async function* asAsync<T>(iterable: Iterable<T>): AsyncGenerator<T, void, undefined> {
  yield* iterable;
}

/** The folder part of an entry's path, from `path_display` (only the case may be off), else lower case. */
function displayParent(entry: DropboxEntry, rel: string): string {
  const depth = rel.split('/').length;
  const names = entry.pathDisplay?.split('/').filter((name) => name !== '') ?? [];
  if (names.length < depth) return parentOf(rel);
  const relative = names.slice(names.length - depth);
  return relative.slice(0, -1).join('/');
}
