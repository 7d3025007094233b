/**
 * Two-factor sign-in (S3) and the password policy (S4): the users' TOTP secrets (encrypted with the master
 * key, see `auth/secret-box.ts`), the last time step used (replay refusal), when the password last
 * changed (expiry), their recovery codes (keyed hashes), the sign-in challenges between the password and
 * the code, and the account's policy (two-factor enforcement, password lifetime). One column per
 * `alter table`: SQLite adds columns one at a time.
 */
import type { Kysely } from 'kysely';

/** Applies the migration. */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [column, type] of [
    ['totp_secret', 'text'],
    ['totp_pending_secret', 'text'],
    ['totp_enabled_at', 'text'],
    ['totp_last_step', 'integer'],
    ['password_changed_at', 'text'],
  ] as const) {
    await db.schema.alterTable('users').addColumn(column, type).execute();
  }
  await db.schema
    .alterTable('accounts')
    .addColumn('require_two_factor', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('accounts').addColumn('password_max_age_days', 'integer').execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('account_id', 'text', (column) => column.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('recovery_codes_user').on('recovery_codes').columns(['account_id', 'user_id']).execute();

  await db.schema
    .createTable('sign_in_challenges')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('account_id', 'text', (column) => column.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (column) => column.notNull().unique())
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .addColumn('used_at', 'text')
    .execute();
}

/** Reverts the migration (development only). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sign_in_challenges').execute();
  await db.schema.dropTable('recovery_codes').execute();
  await db.schema.alterTable('accounts').dropColumn('password_max_age_days').execute();
  await db.schema.alterTable('accounts').dropColumn('require_two_factor').execute();
  for (const column of [
    'password_changed_at',
    'totp_last_step',
    'totp_enabled_at',
    'totp_pending_secret',
    'totp_secret',
  ]) {
    await db.schema.alterTable('users').dropColumn(column).execute();
  }
}
