/**
 * Keyset pagination for every list of the server (openapi/README.md "Pagination"): a page
 * is the rows after the last one of the previous page in `(sort key, id)` order, so pages neither skip
 * nor repeat rows when rows are added meanwhile, and a page costs one index range scan however deep.
 *
 * The cursor is opaque to clients: base64url of `{ f, k, i }`, the fingerprint of the list's filters and
 * order (a cursor made for other filters is `400 INVALID_CURSOR`), and the sort key and id of the last
 * row. The sort key is the value the database computed (selected as `sort_key`), never one recomputed
 * here: `lower()` and collations differ between JavaScript, SQLite and PostgreSQL. A cursor is not signed:
 * it only positions a query that is scoped to the caller's account anyway.
 */
import { createHash } from 'node:crypto';
import { sql, type AliasableExpression, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { HttpProblem } from '../http/problem.ts';

/** Where the previous page ended. */
export interface PagePosition {
  readonly key: string;
  readonly id: string;
}

/** A fingerprint of a list's filters and order, so a cursor only continues the list it was made for. */
export function listFingerprint(filters: unknown): string {
  const canonical = JSON.stringify(filters, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** The cursor that continues after `position`. */
export function encodeCursor(fingerprint: string, position: PagePosition): string {
  return Buffer.from(JSON.stringify({ f: fingerprint, k: position.key, i: position.id }), 'utf8').toString('base64url');
}

function invalidCursor(detail: string): HttpProblem {
  return new HttpProblem(400, 'INVALID_CURSOR', detail, {
    errors: [{ path: '/query/cursor', message: 'is not a cursor of this list' }],
  });
}

/** The position a cursor names; `400 INVALID_CURSOR` when it is malformed or made for other filters. */
export function decodeCursor(cursor: string | undefined, fingerprint: string): PagePosition | null {
  if (cursor === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('The cursor is malformed. Start again without it.');
  }
  const { f, k, i } = (value ?? {}) as { f?: unknown; k?: unknown; i?: unknown };
  if (typeof f !== 'string' || typeof k !== 'string' || typeof i !== 'string') {
    throw invalidCursor('The cursor is malformed. Start again without it.');
  }
  if (f !== fingerprint) {
    throw invalidCursor('The filters or the order changed since this cursor was made. Start again without it.');
  }
  return { key: k, id: i };
}

/** A list's order: a sort key expression over the table and a direction. */
export interface ListOrder<DB, TB extends keyof DB> {
  readonly key: (eb: ExpressionBuilder<DB, TB>) => AliasableExpression<string>;
  readonly descending: boolean;
}

/**
 * The keyset condition: rows strictly after `position` in `(key, id)` order, written as a row-value
 * comparison, `(key, id) > (k, i)`. Both databases turn that into one range scan of an index on
 * `(account_id, key, id)`; the equivalent `key > k or (key = k and id > i)` they do not (PostgreSQL
 * filtered 5,000 rows away for the page after 5,000 users: `pnpm bench server`).
 */
export function afterPosition<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  order: ListOrder<DB, TB>,
  idColumn: Expression<string>,
  position: PagePosition,
): Expression<SqlBool> {
  const key = order.key(eb);
  const after = order.descending ? sql.raw('<') : sql.raw('>');
  return sql<SqlBool>`((${key}, ${idColumn}) ${after} (${position.key}, ${position.id}))`;
}

/** Splits a fetched `limit + 1` rows into the page and its `nextCursor`. */
export function pageOf<Row extends { readonly id: string; readonly sort_key: string }>(
  rows: readonly Row[],
  limit: number,
  fingerprint: string,
): { readonly rows: readonly Row[]; readonly nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  if (last === undefined) return { rows: page, nextCursor: null };
  return { rows: page, nextCursor: encodeCursor(fingerprint, { key: last.sort_key, id: last.id }) };
}

/** A repeatable query parameter as a list (one value or several). */
export function listParameter<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/**
 * Every row of a keyset-ordered selection, `batchSize` at a time, each batch read only when the previous
 * one was consumed (exports: one batch in memory, no transaction held open while a client reads).
 * `select` answers at most `limit` rows after `position` (null: from the start), with their `sort_key`.
 */
export async function* keysetBatches<Row extends { readonly id: string; readonly sort_key: string }>(
  select: (position: PagePosition | null, limit: number) => Promise<readonly Row[]>,
  batchSize: number,
): AsyncGenerator<readonly Row[], void, undefined> {
  let position: PagePosition | null = null;
  for (;;) {
    const rows = await select(position, batchSize);
    const last = rows.at(-1);
    if (last === undefined) return;
    yield rows;
    if (rows.length < batchSize) return;
    position = { key: last.sort_key, id: last.id };
  }
}
