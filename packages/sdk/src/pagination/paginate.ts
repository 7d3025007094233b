/**
 * Paging through list endpoints. Every list of the contract takes `limit` and `cursor` and answers
 * `{ items, nextCursor }`, `nextCursor` null on the last page; {@link paginate} follows the cursors and
 * yields the items, {@link pages} yields the pages. Both are typed from the contract: only paths whose
 * `GET` answers a page are accepted, the query is that operation's (without `cursor`), and the items
 * are that list's.
 */
import type { paths } from '../generated/holdfast.ts';
import { unwrap } from '../errors/unwrap.ts';
import type { HoldfastClient } from '../client/holdfast-client.ts';

/** A page as every list answers it. */
export interface Page<Item> {
  readonly items: readonly Item[];
  readonly nextCursor: string | null;
}

/** The `GET` operation of path `P` (never when it has none). */
export type GetOperation<P extends keyof paths> = paths[P] extends { get: infer Operation } ? Operation : never;

/** The page a `GET` operation answers (never when it does not answer a page). */
export type PageOf<Operation> = Operation extends {
  responses: { 200: { content: { 'application/json': infer Body } } };
}
  ? Body extends Page<unknown>
    ? Body
    : never
  : never;

/** The paths whose `GET` answers a page: `/v1/users`, `/v1/api-keys`, `/v1/regions`, ... */
export type PagedPath = {
  [P in keyof paths]: [PageOf<GetOperation<P>>] extends [never] ? never : P;
}[keyof paths];

/** One item of the list at `P`. */
export type PageItem<P extends PagedPath> = PageOf<GetOperation<P>>['items'][number];

/** The query parameters of the list at `P`, without `cursor` (the pager sets it). */
export type PageQuery<P extends PagedPath> = Omit<
  NonNullable<GetOperation<P> extends { parameters: { query?: infer Query } } ? Query : never>,
  'cursor'
>;

/** What to list and how. */
export interface PaginateOptions<P extends PagedPath> {
  /** Filters, order and page size (`limit`, 1–200, default 50). */
  readonly query?: PageQuery<P>;
  /** Stops paging (the current request is aborted; the iterator rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/**
 * Every page of the list at `path`, first to last. Throws {@link HoldfastApiError} when a page fails
 * (`400 INVALID_CURSOR` if the filters changed under a cursor: start again).
 */
export async function* pages<P extends PagedPath>(
  client: HoldfastClient,
  path: P,
  options: PaginateOptions<P> = {},
): AsyncGenerator<Page<PageItem<P>>, void, undefined> {
  // The typed client cannot be called generically over a union of paths; the types above carry the
  // contract to the caller, so one untyped call here is enough.
  const get = client.api.GET as unknown as (
    path: string,
    init: { params: { query: Record<string, unknown> }; signal?: AbortSignal },
  ) => Promise<
    | { data: Page<PageItem<P>>; error?: never; response: Response }
    | { data?: never; error: unknown; response: Response }
  >;
  let cursor: string | null = null;
  for (;;) {
    const query: Record<string, unknown> = { ...(options.query ?? {}) };
    if (cursor !== null) query['cursor'] = cursor;
    const page = unwrap(
      await get(path, { params: { query }, ...(options.signal === undefined ? {} : { signal: options.signal }) }),
    );
    yield page;
    if (page.nextCursor === null) return;
    if (page.nextCursor === cursor) throw new TypeError(`GET ${path} answered the same cursor twice`);
    cursor = page.nextCursor;
  }
}

/**
 * Every item of the list at `path`, across pages (one request per page, made as you iterate).
 *
 * @example
 * ```ts
 * for await (const user of paginate(holdfast, '/v1/users', { query: { status: ['active'], order: 'email' } })) {
 *   console.log(user.email);
 * }
 * ```
 */
export async function* paginate<P extends PagedPath>(
  client: HoldfastClient,
  path: P,
  options: PaginateOptions<P> = {},
): AsyncGenerator<PageItem<P>, void, undefined> {
  for await (const page of pages(client, path, options)) yield* page.items;
}
