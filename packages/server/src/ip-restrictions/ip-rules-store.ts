/**
 * The `ip_rules` table and the account's `ip_restriction_enabled` flag. Every query names the account
 * (`db/tenant.ts`); rules are loaded by `(accountId, id)`, so another account's id is simply not found.
 *
 * Rows hold the range as written (normalised) and its first and last address as dotted quads, readable
 * in the database and in exports. Comparisons are numeric, in `ip-ranges.ts`: an account has at most
 * {@link maxIpRules} rules, so the gate reads the account's rules in one indexed query and compares them
 * in memory, rather than keeping a second, sortable copy of every address in the table.
 *
 * Changes run in a transaction that first takes the account's row lock ({@link lockAccountRules}), so
 * concurrent changes of one account's rules are serialised: the 500-rule limit, the duplicate check and
 * the lockout check each see the state they change. A unique index on `(account_id, first_address,
 * last_address)` backs the duplicate check.
 */
import type { components } from '@holdfast/sdk';
import type { Kysely, Transaction } from 'kysely';
import type { Database, IpRule } from '../db/database-schema.ts';
import { newId } from '../db/ids.ts';
import { afterPosition, decodeCursor, listFingerprint, pageOf, type ListOrder } from '../db/page-cursor.ts';
import { toApiTime, toTimestamp } from '../db/time.ts';
import { storedRange, type ParsedRange } from './ip-ranges.ts';

type Queryable = Kysely<Database> | Transaction<Database>;

/** A rule as the contract shows it. */
export type IpRuleView = components['schemas']['IpRule'];

/** The most rules an account holds (`422 LIMIT_REACHED` beyond). */
export const maxIpRules = 500;

/** A rule as the contract shows it. */
export function toIpRuleView(row: IpRule): IpRuleView {
  return {
    id: row.id,
    range: row.range_text,
    firstAddress: row.first_address,
    lastAddress: row.last_address,
    description: row.description,
    createdAt: toApiTime(row.created_at),
    createdBy: row.created_by,
    updatedAt: toApiTime(row.updated_at),
  };
}

/** One rule of the account, or undefined. */
export function findIpRule(db: Queryable, accountId: string, id: string): Promise<IpRule | undefined> {
  return db
    .selectFrom('ip_rules')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Every rule of the account (at most {@link maxIpRules}), oldest first. */
export function allIpRules(db: Queryable, accountId: string): Promise<IpRule[]> {
  return db
    .selectFrom('ip_rules')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The account's rule for exactly this range, if there is one. */
export function findSameRange(db: Queryable, accountId: string, range: ParsedRange): Promise<IpRule | undefined> {
  const stored = storedRange(range);
  return db
    .selectFrom('ip_rules')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('first_address', '=', stored.first_address)
    .where('last_address', '=', stored.last_address)
    .executeTakeFirst();
}

/** How many rules the account has. */
export async function countIpRules(db: Queryable, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('ip_rules')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** What the IP restriction changes need of the account. */
export interface RestrictedAccount {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
}

/**
 * Takes the account's row lock for the rest of the transaction (a no-op update: PostgreSQL locks the
 * row, SQLite's write transactions hold the database lock anyway) and answers the account, or undefined.
 */
export async function lockAccountRules(
  trx: Transaction<Database>,
  accountId: string,
): Promise<RestrictedAccount | undefined> {
  await trx
    .updateTable('accounts')
    .set((eb) => ({ ip_restriction_enabled: eb.ref('ip_restriction_enabled') }))
    .where('id', '=', accountId)
    .execute();
  const row = await trx
    .selectFrom('accounts')
    .select(['id', 'name', 'ip_restriction_enabled'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row === undefined ? undefined : { id: row.id, name: row.name, enabled: row.ip_restriction_enabled === 1 };
}

/** Switches the account's restrictions on or off. */
export async function setIpRestriction(db: Queryable, accountId: string, enabled: boolean, now: Date): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ ip_restriction_enabled: enabled ? 1 : 0, updated_at: toTimestamp(now) })
    .where('id', '=', accountId)
    .execute();
}

/** Whether the account's restrictions are on. */
export async function ipRestrictionEnabled(db: Queryable, accountId: string): Promise<boolean> {
  const row = await db
    .selectFrom('accounts')
    .select('ip_restriction_enabled')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row?.ip_restriction_enabled === 1;
}

/**
 * What the gate needs, in one indexed query: the account's flag and, only when it is on, every rule's
 * range (an account with restrictions off costs one primary-key lookup and no rule rows).
 */
export async function gateRows(
  db: Queryable,
  accountId: string,
): Promise<{ readonly enabled: boolean; readonly ranges: readonly { first_address: string; last_address: string }[] }> {
  const rows = await db
    .selectFrom('accounts')
    .leftJoin('ip_rules', (join) =>
      join.onRef('ip_rules.account_id', '=', 'accounts.id').on('accounts.ip_restriction_enabled', '=', 1),
    )
    .select(['accounts.ip_restriction_enabled', 'ip_rules.first_address', 'ip_rules.last_address'])
    .where('accounts.id', '=', accountId)
    .execute();
  const ranges: { first_address: string; last_address: string }[] = [];
  for (const row of rows) {
    if (row.first_address !== null && row.last_address !== null) {
      ranges.push({ first_address: row.first_address, last_address: row.last_address });
    }
  }
  return { enabled: rows[0]?.ip_restriction_enabled === 1, ranges };
}

/** A new rule's facts. */
export interface NewIpRule {
  readonly range: ParsedRange;
  readonly description: string;
  readonly createdBy: string | null;
}

/** Adds a rule to the account; answers the row. */
export async function insertIpRule(db: Queryable, accountId: string, rule: NewIpRule, now: Date): Promise<IpRule> {
  const row: IpRule = {
    id: newId('ipr', now.getTime()),
    account_id: accountId,
    range_text: rule.range.text,
    ...storedRange(rule.range),
    description: rule.description,
    created_by: rule.createdBy,
    created_at: toTimestamp(now),
    updated_at: toTimestamp(now),
  };
  await db.insertInto('ip_rules').values(row).execute();
  return row;
}

/** Changes a rule of the account; answers the row as it is now. */
export async function updateIpRuleRow(
  db: Queryable,
  row: IpRule,
  change: { readonly range?: ParsedRange; readonly description?: string },
  now: Date,
): Promise<IpRule> {
  const values = {
    ...(change.range === undefined ? {} : { range_text: change.range.text, ...storedRange(change.range) }),
    ...(change.description === undefined ? {} : { description: change.description }),
    updated_at: toTimestamp(now),
  };
  await db
    .updateTable('ip_rules')
    .set(values)
    .where('account_id', '=', row.account_id)
    .where('id', '=', row.id)
    .execute();
  return { ...row, ...values };
}

/** Deletes a rule of the account. */
export async function deleteIpRuleRow(db: Queryable, accountId: string, id: string): Promise<void> {
  await db.deleteFrom('ip_rules').where('account_id', '=', accountId).where('id', '=', id).execute();
}

/** The list's query. */
export interface IpRuleListQuery {
  readonly limit: number;
  readonly cursor: string | undefined;
  readonly order: 'createdAt' | '-createdAt';
}

/** A page of the account's rules, by creation time (keyset, `db/page-cursor.ts`). */
export async function listIpRules(
  db: Queryable,
  accountId: string,
  query: IpRuleListQuery,
): Promise<{ readonly rows: readonly IpRule[]; readonly nextCursor: string | null }> {
  const fingerprint = listFingerprint({ list: 'ipRules', order: query.order });
  const position = decodeCursor(query.cursor, fingerprint);
  const order: ListOrder<Database, 'ip_rules'> = {
    key: (eb) => eb.ref('ip_rules.created_at'),
    descending: query.order.startsWith('-'),
  };
  const direction = order.descending ? 'desc' : 'asc';
  let select = db
    .selectFrom('ip_rules')
    .selectAll()
    .select((eb) => order.key(eb).as('sort_key'))
    .where('account_id', '=', accountId);
  if (position !== null) select = select.where((eb) => afterPosition(eb, order, eb.ref('ip_rules.id'), position));
  const rows = await select
    .orderBy('created_at', direction)
    .orderBy('id', direction)
    .limit(query.limit + 1)
    .execute();
  const page = pageOf(rows, query.limit, fingerprint);
  return { rows: page.rows.map(({ sort_key: _key, ...row }) => row), nextCursor: page.nextCursor };
}
