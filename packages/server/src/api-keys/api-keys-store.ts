/**
 * The `api_keys` table: every query names the account (`db/tenant.ts`). A key's id is also its OAuth
 * `client_id`; its secret (`hfs_…`, 256 random bits) is stored only as its SHA-256, so it can be checked
 * ({@link verifyClientSecret}, in constant time) but never shown again. Deleting a key deletes its OAuth
 * tokens with it (the foreign key cascades), so every token it was issued stops working at once.
 */
import type { components } from '@holdfast/sdk';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Access } from '../auth/permissions.ts';
import { hashToken, newToken, secretsEqual } from '../auth/tokens.ts';
import type { ApiKeysTable, Database } from '../db/database-schema.ts';
import { newId } from '../db/ids.ts';
import { toApiTime, toTimestamp } from '../db/time.ts';
import { accessFromColumns, accessToColumns } from '../users/access-columns.ts';
import { afterPosition, decodeCursor, listFingerprint, pageOf, type ListOrder } from '../db/page-cursor.ts';

export type ApiKeyRow = Selectable<ApiKeysTable>;
export type ApiKeyView = components['schemas']['ApiKey'];
type Queryable = Kysely<Database> | Transaction<Database>;

/** The prefix of client secrets. */
export const clientSecretPrefix = 'hfs_';

/** How often, at most, a key's `last_used_at` is written (every token use would be a write per request). */
export const lastUsedResolutionMs = 60_000;

/** A key as the contract shows it (never its secret). */
export function toApiKeyView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    access: accessFromColumns(row),
    createdAt: toApiTime(row.created_at),
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at === null ? null : toApiTime(row.last_used_at),
    expiresAt: row.expires_at === null ? null : toApiTime(row.expires_at),
  };
}

export interface NewApiKey {
  readonly name: string;
  readonly access: Access;
  readonly createdBy: string | null;
  readonly expiresAt: Date | null;
}

/** Creates a key; answers the row and its secret, which exists nowhere else afterwards. */
export async function createApiKey(
  db: Queryable,
  accountId: string,
  key: NewApiKey,
  now: Date,
): Promise<{ readonly row: ApiKeyRow; readonly secret: string }> {
  const secret = newToken(clientSecretPrefix);
  const row: ApiKeyRow = {
    id: newId('key', now.getTime()),
    account_id: accountId,
    name: key.name,
    secret_hash: hashToken(secret),
    ...accessToColumns(key.access),
    created_by: key.createdBy,
    created_at: toTimestamp(now),
    last_used_at: null,
    expires_at: key.expiresAt === null ? null : toTimestamp(key.expiresAt),
  };
  await db.insertInto('api_keys').values(row).execute();
  return { row, secret };
}

/** One key of the account, or undefined. */
export function findApiKey(db: Queryable, accountId: string, id: string): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Deletes a key of the account (and, by cascade, its tokens); answers whether there was one. */
export async function deleteApiKey(db: Queryable, accountId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('api_keys')
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Whether `secret` is the key's secret (constant time over the digests). */
export function verifyClientSecret(row: Pick<ApiKeyRow, 'secret_hash'>, secret: string): boolean {
  return secretsEqual(hashToken(secret), row.secret_hash);
}

/** Whether the key has expired at `now`. */
export function apiKeyExpired(row: Pick<ApiKeyRow, 'expires_at'>, now: Date): boolean {
  return row.expires_at !== null && row.expires_at <= toTimestamp(now);
}

/** Records a use of the key, unless one was recorded less than {@link lastUsedResolutionMs} ago. */
export async function touchApiKey(
  db: Queryable,
  row: Pick<ApiKeyRow, 'id' | 'account_id' | 'last_used_at'>,
  now: Date,
): Promise<void> {
  if (row.last_used_at !== null && now.getTime() - Date.parse(row.last_used_at) < lastUsedResolutionMs) return;
  await db
    .updateTable('api_keys')
    .set({ last_used_at: toTimestamp(now) })
    .where('account_id', '=', row.account_id)
    .where('id', '=', row.id)
    .execute();
}

export interface ApiKeyListQuery {
  readonly limit: number;
  readonly cursor: string | undefined;
  readonly order: 'createdAt' | '-createdAt';
  readonly createdBy: readonly string[];
}

/** A page of the account's keys. */
export async function listApiKeys(
  db: Queryable,
  accountId: string,
  query: ApiKeyListQuery,
): Promise<{ readonly rows: readonly ApiKeyRow[]; readonly nextCursor: string | null }> {
  const createdBy = [...new Set(query.createdBy)].sort();
  const fingerprint = listFingerprint({ list: 'apiKeys', order: query.order, createdBy });
  const position = decodeCursor(query.cursor, fingerprint);
  const order: ListOrder<Database, 'api_keys'> = {
    key: (eb) => eb.ref('api_keys.created_at'),
    descending: query.order.startsWith('-'),
  };
  const direction = order.descending ? 'desc' : 'asc';
  let select = db
    .selectFrom('api_keys')
    .selectAll()
    .select((eb) => order.key(eb).as('sort_key'))
    .where('account_id', '=', accountId);
  if (createdBy.length > 0) select = select.where('created_by', 'in', createdBy);
  if (position !== null) select = select.where((eb) => afterPosition(eb, order, eb.ref('api_keys.id'), position));
  const rows = await select
    .orderBy('created_at', direction)
    .orderBy('id', direction)
    .limit(query.limit + 1)
    .execute();
  return pageOf(rows, query.limit, fingerprint);
}
