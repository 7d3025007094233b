/**
 * The security trail (S6, S7) and the brute-force defence:
 *
 * - `audit_events`: the security audit log, one row per security-relevant action, written in the
 *   transaction of the action where there is one, never updated, never deleted but with the account.
 * - `activity_events`: the system activity log (backups, restores, exports, erasures), filled by the
 *   jobs to come.
 * - `ip_rules` and `accounts.ip_restriction_enabled`: the account's trusted IPv4 addresses and ranges
 *   (at most 500 an account; one range once: a unique index on its first and last address).
 * - `auth_throttles`: failed-attempt counters and lockouts per client address, per sign-in email, per
 *   user (second-factor codes) and per API key (`auth/brute-force/`). Keys are digests and ids, not
 *   accounts: a failure for an address that has no account must be throttled
 *   exactly like one that has (no enumeration), so this is the one table that belongs to no account
 *   (`tenant.ts`).
 *
 * Lists page by `(account_id, occurred_at, id)` (keyset, `db/page-cursor.ts`), so each has that index.
 */
import type { Kysely } from 'kysely';

/** Applies the migration. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('account_id', 'text', (column) => column.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('occurred_at', 'text', (column) => column.notNull())
    .addColumn('activity', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('service', 'text')
    .addColumn('task_id', 'text')
    .addColumn('actor_kind', 'text', (column) => column.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('source_ip', 'text')
    .addColumn('description', 'text', (column) => column.notNull())
    .addColumn('details', 'text', (column) => column.notNull().defaultTo('{}'))
    .execute();
  await db.schema
    .createIndex('audit_events_account_time')
    .on('audit_events')
    .columns(['account_id', 'occurred_at', 'id'])
    .execute();
  await db.schema
    .createIndex('audit_events_account_activity')
    .on('audit_events')
    .columns(['account_id', 'activity', 'occurred_at'])
    .execute();

  await db.schema
    .createTable('activity_events')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('account_id', 'text', (column) => column.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('occurred_at', 'text', (column) => column.notNull())
    .addColumn('activity', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('service', 'text')
    .addColumn('task_id', 'text')
    .addColumn('task_name', 'text')
    .addColumn('job_id', 'text')
    .addColumn('item', 'text')
    .addColumn('execution_ms', 'bigint')
    .addColumn('size_bytes', 'bigint')
    .addColumn('item_count', 'bigint')
    .addColumn('actor_kind', 'text', (column) => column.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('description', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('activity_events_account_time')
    .on('activity_events')
    .columns(['account_id', 'occurred_at', 'id'])
    .execute();

  await db.schema
    .alterTable('accounts')
    .addColumn('ip_restriction_enabled', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('ip_rules')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('account_id', 'text', (column) => column.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('range_text', 'text', (column) => column.notNull())
    .addColumn('first_address', 'text', (column) => column.notNull())
    .addColumn('last_address', 'text', (column) => column.notNull())
    .addColumn('description', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('ip_rules_account_created')
    .on('ip_rules')
    .columns(['account_id', 'created_at', 'id'])
    .execute();
  // Two rules of an account never cover exactly the same addresses (`409 CONFLICT`), even when created at once.
  await db.schema
    .createIndex('ip_rules_account_range')
    .on('ip_rules')
    .columns(['account_id', 'first_address', 'last_address'])
    .unique()
    .execute();

  await db.schema
    .createTable('auth_throttles')
    .addColumn('throttle_key', 'text', (column) => column.primaryKey())
    .addColumn('failures', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('window_started_at', 'text', (column) => column.notNull())
    .addColumn('last_failure_at', 'text', (column) => column.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('lockouts', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('auth_throttles_last_failure').on('auth_throttles').column('last_failure_at').execute();
}

/** Reverts the migration (development only). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('auth_throttles').execute();
  await db.schema.dropTable('ip_rules').execute();
  await db.schema.alterTable('accounts').dropColumn('ip_restriction_enabled').execute();
  await db.schema.dropTable('activity_events').execute();
  await db.schema.dropTable('audit_events').execute();
}
