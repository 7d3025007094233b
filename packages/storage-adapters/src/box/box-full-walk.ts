/**
 * The full walk of a Box folder tree, depth first as the Source port asks: a folder is yielded, then its
 * whole subtree, before anything outside it. Pages of 1000 items are fetched with marker paging; within a
 * page the files and web links are yielded first, then each subfolder with its subtree, then the next
 * page. While a subfolder is walked, the first pages of the next `lookahead` subfolders (default 3) are
 * already being fetched, so a walk is not one round trip per folder; each folder is still listed once,
 * and the per-user concurrency limit bounds what is in flight. Memory holds one page per level of depth
 * plus the pages fetched ahead.
 *
 * A folder whose listing fails is an `error` entry and the walk goes on, except for failures that concern
 * the whole entity or run: a cancellation, an `AuthError` that is not a 403 (the token is dead, its
 * renewal refused), and a 403 after which the user's root folder cannot be read either (Box no longer
 * lets the app act as the user). Those end the walk. A name that cannot be a path segment (Box forbids
 * `/` and `\`, so only a broken answer has one) is an `error` entry for that item.
 */
import { type HoldfastError, isHoldfastError, PermanentError, type WalkEntry } from '@holdfast/engine';
import type { BoxActor, BoxApi } from './box-api.ts';
import { BoxHttpError } from './box-errors.ts';
import { sourceItemOf, unsafeNameProblem } from './box-items.ts';
import type { BoxFolder, BoxItem } from './box-types.ts';

/** Options of {@link walkFolderTree}. */
export interface WalkFolderTreeOptions {
  readonly signal?: AbortSignal | undefined;
  /**
   * After a 403 on one folder: whether the user can still be read at all (their root folder answers).
   * When not, the 403 is about the user (As-User refused), and the walk ends with it.
   */
  readonly userStillReadable?: (() => Promise<boolean>) | undefined;
  /** Subfolders whose first page is fetched ahead. Default 3; 0 fetches nothing ahead. */
  readonly lookahead?: number | undefined;
}

/** A folder's pages, with the first one possibly already on its way. */
interface Listing {
  readonly pages: AsyncGenerator<readonly BoxItem[]>;
  readonly first: Promise<IteratorResult<readonly BoxItem[]>>;
}

/** Starts listings ahead of the walk and hands them over when the walk reaches their folder. */
class Lookahead {
  readonly #started = new Map<string, Listing>();
  readonly api: BoxApi;
  readonly actor: BoxActor;
  readonly signal: AbortSignal | undefined;

  constructor(api: BoxApi, actor: BoxActor, signal: AbortSignal | undefined) {
    this.api = api;
    this.actor = actor;
    this.signal = signal;
  }

  start(folderId: string): void {
    if (this.#started.has(folderId)) return;
    const pages = this.api.folderPages(folderId, this.actor, { signal: this.signal });
    const first = pages.next();
    first.catch(() => undefined); // Seen when the walk takes it; never an unhandled rejection.
    this.#started.set(folderId, { pages, first });
  }

  take(folderId: string): Listing {
    const listing = this.#started.get(folderId);
    if (listing !== undefined) {
      this.#started.delete(folderId);
      return listing;
    }
    const pages = this.api.folderPages(folderId, this.actor, { signal: this.signal });
    return { pages, first: pages.next() };
  }
}

/**
 * Yields everything under `folderId` (not the folder itself), at paths under `path` (`''` for the root).
 * Rejects, rather than yields an error entry, when the folder itself cannot be listed.
 */
export async function* walkFolderTree(
  api: BoxApi,
  actor: BoxActor,
  folderId: string,
  path: string,
  options: WalkFolderTreeOptions = {},
): AsyncGenerator<WalkEntry> {
  yield* walkFolder(new Lookahead(api, actor, options.signal), folderId, path, options, true);
}

async function* walkFolder(
  lookahead: Lookahead,
  folderId: string,
  path: string,
  options: WalkFolderTreeOptions,
  top: boolean,
): AsyncGenerator<WalkEntry> {
  const { pages, first } = lookahead.take(folderId);
  const ahead = options.lookahead ?? 3;
  let pending: Promise<IteratorResult<readonly BoxItem[]>> | undefined = first;
  for (;;) {
    let next: IteratorResult<readonly BoxItem[]>;
    try {
      next = await (pending ?? pages.next());
      pending = undefined;
    } catch (error) {
      if (top || endsWalk(error)) throw error;
      if (
        isHoldfastError(error, 'AUTH') &&
        options.userStillReadable !== undefined &&
        !(await options.userStillReadable())
      ) {
        throw error;
      }
      yield { kind: 'error', path, error: error as HoldfastError };
      return;
    }
    if (next.done === true) return;
    const folders: BoxFolder[] = [];
    for (const item of next.value) {
      const problem = unsafeNameProblem(item.name);
      const itemPath = path === '' ? (item.name ?? item.id) : `${path}/${item.name ?? item.id}`;
      if (problem !== undefined) {
        yield { kind: 'error', path: itemPath, error: new PermanentError(`Box ${item.type} ${item.id} ${problem}`) };
        continue;
      }
      if (item.type === 'folder') {
        folders.push(item);
        continue;
      }
      yield { kind: 'item', item: sourceItemOf(item, itemPath) };
    }
    for (const [index, folder] of folders.entries()) {
      for (const upcoming of folders.slice(index, index + 1 + ahead)) lookahead.start(upcoming.id);
      const folderPath = path === '' ? (folder.name ?? folder.id) : `${path}/${folder.name ?? folder.id}`;
      yield { kind: 'item', item: sourceItemOf(folder, folderPath) };
      yield* walkFolder(lookahead, folder.id, folderPath, options, false);
    }
  }
}

/**
 * Whether a listing failure ends the whole walk: a cancellation, or an auth failure other than a 403 on
 * that one folder (a dead token, a refused grant).
 */
export function endsWalk(error: unknown): boolean {
  if (!isHoldfastError(error)) return true;
  if (error.code === 'CANCELED') return true;
  if (error.code === 'AUTH') return !(error.cause instanceof BoxHttpError && error.cause.status === 403);
  return false;
}
