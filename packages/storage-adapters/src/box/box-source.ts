/**
 * BoxSource: the users of a Box enterprise (or the one user of an OAuth connection), each walked as an
 * entity from its root folder (`0`, "All Files", never yielded), with the `As-User` header.
 *
 * - `listEntities`: the enterprise's managed and app users (`GET /users`, marker paging, 1000 a page),
 *   skipping deactivated users (`status: inactive`: Box refuses to act as them) unless
 *   `includeInactiveUsers`; a single-user connection yields the token's own user (`GET /users/me`).
 * - `walk` without `since`: the current event stream position is read first (`stream_position=now`), so
 *   nothing that happens during or after the walk is missed next time; then the full depth-first walk.
 * - `walk` with `since`: the incremental walk of `box-incremental-walk.ts`. It falls back to a full walk,
 *   and says so with `mode: 'full'` and `fallbackReason`, when the cursor is not one of ours, is older than
 *   `maxCursorAgeMs` (Box keeps user events 2 to 8 weeks and does not document what it answers for an
 *   older position), when Box refuses the position (a 4xx other than auth and throttling), when more than
 *   `maxIncrementalEvents` events wait, or when the feed contradicts itself.
 * - `openContent`: `GET /files/{id}/content`, streamed (see {@link BoxApi.download}).
 */
import {
  CanceledError,
  isHoldfastError,
  NotFoundError,
  type ByteStream,
  type CallOptions,
  type Source,
  type SourceCapabilities,
  type SourceEntity,
  type SourceItem,
  type Walk,
  type WalkEntry,
  type WalkOptions,
  ValidationError,
} from '@holdfast/engine';
import type { BoxActor } from './box-api.ts';
import { type BoxConnection, type BoxConnectionInput, connectionOf } from './box-connection.ts';
import { decodeBoxCursor, encodeBoxCursor } from './box-cursor.ts';
import { walkFolderTree, type WalkFolderTreeOptions } from './box-full-walk.ts';
import { BoxFullWalkNeeded, changeEntries, planChanges, readChanges } from './box-incremental-walk.ts';
import { BOX_HASH_ALGORITHM, parseBoxItemId } from './box-items.ts';

/** Options of {@link BoxSource}, besides the connection. */
export interface BoxSourceOptions {
  /** The source's name in snapshots (keep it stable: it finds the parent snapshot). Default: the connection's label. */
  readonly name?: string | undefined;
  /** List deactivated users too. Default false. */
  readonly includeInactiveUsers?: boolean | undefined;
  /** A cursor older than this is not trusted: walk in full. Default 14 days. */
  readonly maxCursorAgeMs?: number | undefined;
  /** More events than this since the cursor: walk in full. Default 100 000. */
  readonly maxIncrementalEvents?: number | undefined;
}

/** A walk of a Box user. */
export interface BoxWalk extends Walk {
  /** Why a walk asked for with `since` is full. */
  readonly fallbackReason?: string | undefined;
}

/** The capabilities of {@link BoxSource}. */
export const boxSourceCapabilities: SourceCapabilities & { readonly pathsCaseInsensitive: boolean } = {
  changeFeed: true,
  pathsCaseInsensitive: true,
  contentHashAlgorithm: BOX_HASH_ALGORITHM,
};

/**
 * A Box enterprise's users, or one user, as a {@link Source}; see the module note.
 *
 * @example
 * ```ts
 * const source = new BoxSource({ auth: { type: 'jwt', configFile: '/etc/holdfast/box_config.json' } });
 * for await (const user of source.listEntities()) await repository.backup(source, user.id, { entityName: user.name });
 * ```
 */
export class BoxSource implements Source {
  readonly name: string;
  readonly capabilities = boxSourceCapabilities;
  readonly connection: BoxConnection;
  readonly #includeInactive: boolean;
  readonly #maxCursorAge: number;
  readonly #maxEvents: number;
  readonly #actors = new Map<string, Promise<BoxActor>>();

  constructor(options: BoxConnectionInput & BoxSourceOptions) {
    this.connection = connectionOf(options);
    this.name = options.name ?? this.connection.label;
    this.#includeInactive = options.includeInactiveUsers ?? false;
    this.#maxCursorAge = options.maxCursorAgeMs ?? 14 * 24 * 3600 * 1000;
    this.#maxEvents = options.maxIncrementalEvents ?? 100_000;
  }

  async *listEntities(options: CallOptions = {}): AsyncGenerator<SourceEntity> {
    const { api } = this.connection;
    if (!this.connection.usesAsUser) {
      const me = await api.me(options.signal);
      yield { id: me.id, name: me.name ?? me.login ?? me.id, ...(me.login === undefined ? {} : { email: me.login }) };
      return;
    }
    for await (const page of api.userPages(options.signal)) {
      for (const user of page) {
        if (user.status === 'inactive' && !this.#includeInactive) continue;
        yield {
          id: user.id,
          name: user.name ?? user.login ?? user.id,
          ...(user.login === undefined ? {} : { email: user.login }),
        };
      }
    }
  }

  async walk(entityId: string, options: WalkOptions = {}): Promise<BoxWalk> {
    const { signal } = options;
    const actor = await this.#actor(entityId, signal);
    let fallbackReason: string | undefined;
    if (options.since !== undefined) {
      const attempt = await this.#incremental(actor, options.since, signal);
      if ('walk' in attempt) return attempt.walk;
      fallbackReason = attempt.reason;
    }
    const recordedAt = new Date().toISOString();
    const { nextStreamPosition } = await this.connection.api.eventsPage(actor, 'now', signal, 1);
    const entries = walkFolderTree(this.connection.api, actor, '0', '', this.#treeOptions(actor, signal));
    return {
      mode: 'full',
      entries: checked(entries, signal),
      cursor: () => encodeBoxCursor({ position: nextStreamPosition, recordedAt }),
      ...(fallbackReason === undefined ? {} : { fallbackReason }),
    };
  }

  async openContent(entityId: string, item: SourceItem, options: CallOptions = {}): Promise<ByteStream> {
    const actor = await this.#actor(entityId, options.signal);
    const parsed = parseBoxItemId(item.id);
    if (parsed?.type !== 'file') {
      throw new ValidationError(`openContent of ${JSON.stringify(item.id)}: not a Box file id`);
    }
    return this.connection.api.download(parsed.id, actor, options.signal);
  }

  async #incremental(
    actor: BoxActor,
    since: string,
    signal: AbortSignal | undefined,
  ): Promise<{ walk: BoxWalk } | { reason: string }> {
    const cursor = decodeBoxCursor(since);
    if (cursor === undefined) return { reason: 'the cursor is not a Box stream position' };
    if (cursor.recordedAt !== undefined && Date.now() - Date.parse(cursor.recordedAt) > this.#maxCursorAge) {
      return { reason: `the cursor is older than ${Math.round(this.#maxCursorAge / 3_600_000)} hours` };
    }
    const { api } = this.connection;
    const recordedAt = new Date().toISOString();
    try {
      const { changes, next } = await readChanges(api, actor, cursor.position, { signal, maxEvents: this.#maxEvents });
      const plan = await planChanges(api, actor, changes, signal);
      return {
        walk: {
          mode: 'incremental',
          entries: checked(changeEntries(api, actor, plan, this.#treeOptions(actor, signal)), signal),
          cursor: () => encodeBoxCursor({ position: next, recordedAt }),
        },
      };
    } catch (error) {
      if (error instanceof BoxFullWalkNeeded) return { reason: error.message };
      if (refusesPosition(error)) return { reason: `Box refused the stream position: ${(error as Error).message}` };
      throw error;
    }
  }

  #treeOptions(actor: BoxActor, signal: AbortSignal | undefined): WalkFolderTreeOptions {
    const { api } = this.connection;
    return {
      signal,
      userStillReadable: async () =>
        api.folder('0', actor, signal, ['id']).then(
          () => true,
          (error: unknown) => !isHoldfastError(error, 'AUTH'),
        ),
    };
  }

  /** Who calls for the entity act as; checks the entity exists (once per source). */
  async #actor(entityId: string, signal: AbortSignal | undefined): Promise<BoxActor> {
    let actor = this.#actors.get(entityId);
    if (actor === undefined) {
      actor = this.#verify(entityId, signal);
      this.#actors.set(entityId, actor);
      actor.catch(() => this.#actors.delete(entityId));
    }
    return actor;
  }

  async #verify(entityId: string, signal: AbortSignal | undefined): Promise<BoxActor> {
    const { api } = this.connection;
    if (!/^\d+$/.test(entityId)) throw new NotFoundError(`Box user ${JSON.stringify(entityId)} does not exist`);
    if (this.connection.usesAsUser) {
      await api.user(entityId, signal);
      return this.connection.actor(entityId);
    }
    const me = await api.me(signal);
    if (me.id !== entityId) throw new NotFoundError(`this Box connection acts as user ${me.id}, not ${entityId}`);
    return this.connection.actor(undefined);
  }
}

/** Whether an error of the events call means Box refused the position itself (walk in full). */
function refusesPosition(error: unknown): boolean {
  return (
    isHoldfastError(error) &&
    (error.code === 'NOT_FOUND' ||
      error.code === 'PERMANENT' ||
      error.code === 'VALIDATION' ||
      error.code === 'CONFLICT')
  );
}

/** `entries`, ending with `CanceledError` as soon as `signal` fires. */
async function* checked(entries: AsyncIterable<WalkEntry>, signal: AbortSignal | undefined): AsyncGenerator<WalkEntry> {
  const abort = (): never => {
    throw new CanceledError('the Box walk was cancelled', { cause: signal?.reason });
  };
  if (signal?.aborted === true) abort();
  for await (const entry of entries) {
    if (signal?.aborted === true) abort();
    yield entry;
  }
}
