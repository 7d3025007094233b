/**
 * Runs the migrations (`migrations/index.ts`) with Kysely's Migrator, the same set on SQLite and
 * PostgreSQL. The Migrator takes a lock (a table on SQLite, an advisory lock on PostgreSQL), so several
 * processes starting at once migrate once. Each migration runs in a transaction on both databases.
 */
import type { Kysely } from 'kysely';
import { Migrator, type MigrationResult } from 'kysely/migration';
import type { Database } from './database-schema.ts';
import { migrations } from './migrations/index.ts';

function migratorFor(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
}

/** What a migration run did. */
export interface MigrationReport {
  /** Migrations applied by this run, in order. */
  readonly applied: readonly string[];
  /** Every migration the database has now. */
  readonly current: readonly string[];
}

/**
 * Brings the database up to the latest migration.
 *
 * @throws the migration's error, after the failed migration was rolled back.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationReport> {
  const migrator = migratorFor(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result: MigrationResult) => result.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new Error(`migration ${failed ?? '(before any migration)'} failed: ${reason}`, { cause: error });
  }
  const applied = (results ?? []).filter((result) => result.status === 'Success').map((r) => r.migrationName);
  return { applied, current: Object.keys(migrations) };
}

/** Migrations the code has that the database has not applied yet (empty when up to date). */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const all = await migratorFor(db).getMigrations();
  return all.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}
