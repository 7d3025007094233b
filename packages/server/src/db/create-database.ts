/**
 * Opens the server's database from its configuration: Kysely over `node:sqlite` (our own dialect, see
 * `node-sqlite/`) for the embedded default, or over a `pg` pool when `DATABASE_URL` names PostgreSQL.
 * Both read integers the same way: numbers when they are safe integers, bigints beyond 2^53 (PostgreSQL
 * `int8` would otherwise arrive as strings).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { ServerConfig } from '../config/server-config.ts';
import type { Database } from './database-schema.ts';
import { NodeSqliteDialect } from './node-sqlite/node-sqlite-dialect.ts';

export type DialectName = 'sqlite' | 'postgres';

/** An open database. */
export interface ServerDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** Closes every connection; the object is unusable after. Safe to call twice. */
  close(): Promise<void>;
}

export interface CreateDatabaseOptions {
  /** PostgreSQL pool size (default 10). */
  readonly poolSize?: number;
}

const int8Oid = 20;

/** PostgreSQL `int8` (and `count(*)`) as a number when safe, a bigint otherwise. */
function parseInt8(value: string): number | bigint {
  const big = BigInt(value);
  return big >= Number.MIN_SAFE_INTEGER && big <= Number.MAX_SAFE_INTEGER ? Number(big) : big;
}

/** pg's type parsers, with `int8` read as above. */
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === int8Oid && format !== 'binary'
      ? parseInt8
      : (pg.types.getTypeParser as (id: number, format?: 'text' | 'binary') => unknown)(oid, format)) as never,
};

/**
 * Opens the database the configuration names (a {@link ServerConfig} will do; the SQLite file's directory
 * is created if missing).
 * Connections open lazily: a PostgreSQL server that does not answer fails the first query, not this call.
 *
 * @example
 * ```ts
 * const { db, dialect, close } = createDatabase(config);
 * await migrateToLatest(db);
 * ```
 */
export function createDatabase(
  config: Pick<ServerConfig, 'database'>,
  options: CreateDatabaseOptions = {},
): ServerDatabase {
  const { database } = config;
  let closed = false;
  if (database.kind === 'sqlite') {
    if (database.file !== ':memory:') mkdirSync(dirname(database.file), { recursive: true });
    const db = new Kysely<Database>({ dialect: new NodeSqliteDialect({ file: database.file }) });
    return {
      db,
      dialect: 'sqlite',
      close: async () => {
        if (closed) return;
        closed = true;
        await db.destroy();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: database.url, max: options.poolSize ?? 10, types: pgTypes });
  // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
