/**
 * A Kysely dialect over Node's built-in `node:sqlite` (no native addon to build). Kysely 0.29 ships none,
 * and its `SqliteDialect` (written for better-sqlite3) passes parameters as one array, which
 * `node:sqlite` reads as named parameters; this one spreads them as positional ones. The adapter,
 * introspector and query compiler are Kysely's own SQLite ones.
 *
 * Invariants and trade-offs:
 * - One connection. Kysely's runtime driver serialises queries on it (the adapter says it supports no
 *   more), so a transaction holds the connection until it ends.
 * - The connection runs in WAL mode with foreign keys on and a busy timeout, so another process (a
 *   worker, `holdfast-server migrate`) can share the file.
 * - Write transactions start with `BEGIN IMMEDIATE`: they take the write lock up front, so two processes
 *   never deadlock upgrading read locks (which the busy timeout cannot resolve). `read only` transactions
 *   start with a plain `BEGIN`.
 * - Integers are read as bigints and handed back as numbers when they are safe integers, as bigints
 *   otherwise: values beyond 2^53 stay exact instead of throwing, ordinary ones stay plain numbers.
 * - Rows become plain objects (`node:sqlite` returns null-prototype ones).
 * - DDL is transactional in SQLite, so migrations run in a transaction, as on PostgreSQL.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

export interface NodeSqliteDialectOptions {
  /** The database file, or `:memory:`. */
  readonly file: string;
  /** How long a statement waits for another process's lock before failing, in milliseconds (default 5000). */
  readonly busyTimeoutMs?: number;
}

/** SQLite's adapter, with transactional DDL (SQLite has it; Kysely's default adapter says no). */
class NodeSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * The dialect: `new Kysely<Database>({ dialect: new NodeSqliteDialect({ file }) })`.
 */
export class NodeSqliteDialect implements Dialect {
  readonly #options: NodeSqliteDialectOptions;

  constructor(options: NodeSqliteDialectOptions) {
    this.#options = options;
  }

  /** The driver over one `node:sqlite` connection. */
  createDriver(): Driver {
    return new NodeSqliteDriver(this.#options);
  }

  /** Kysely's SQLite query compiler. */
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  /** Kysely's SQLite adapter, with transactional DDL. */
  createAdapter(): DialectAdapter {
    return new NodeSqliteAdapter();
  }

  /** Kysely's SQLite introspector. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own signature
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

class NodeSqliteDriver implements Driver {
  readonly #options: NodeSqliteDialectOptions;
  #database: DatabaseSync | undefined;
  #connection: NodeSqliteConnection | undefined;

  constructor(options: NodeSqliteDialectOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    const database = new DatabaseSync(this.#options.file, {
      readBigInts: true,
      enableForeignKeyConstraints: true,
      timeout: this.#options.busyTimeoutMs ?? 5000,
    });
    database.exec('PRAGMA journal_mode = WAL');
    database.exec('PRAGMA synchronous = NORMAL');
    database.exec('PRAGMA foreign_keys = ON');
    this.#database = database;
    this.#connection = new NodeSqliteConnection(database);
    return Promise.resolve();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#connection === undefined) throw new Error('the SQLite database is closed');
    return Promise.resolve(this.#connection);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const begin = settings.accessMode === 'read only' ? 'begin' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteName(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteName(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteName(name)}`));
  }

  async releaseConnection(): Promise<void> {
    // One connection, kept for the driver's life.
  }

  async destroy(): Promise<void> {
    this.#connection = undefined;
    if (this.#database?.isOpen === true) this.#database.close();
    this.#database = undefined;
    return Promise.resolve();
  }
}

class NodeSqliteConnection implements DatabaseConnection {
  readonly #database: DatabaseSync;

  constructor(database: DatabaseSync) {
    this.#database = database;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#database.prepare(compiledQuery.sql);
    const parameters = toSqliteParameters(compiledQuery.parameters);
    if (statement.columns().length > 0) {
      return Promise.resolve({ rows: statement.all(...parameters).map((row) => toRow(row) as R) });
    }
    const { changes, lastInsertRowid } = statement.run(...parameters);
    return Promise.resolve({ rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) });
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const statement: StatementSync = this.#database.prepare(compiledQuery.sql);
    for (const row of statement.iterate(...toSqliteParameters(compiledQuery.parameters))) {
      yield await Promise.resolve({ rows: [toRow(row) as R] });
    }
  }
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Kysely's parameters as `node:sqlite` takes them: booleans as 0/1; everything else as is. */
function toSqliteParameters(parameters: readonly unknown[]): SQLInputValue[] {
  return parameters.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : (value as SQLInputValue)));
}

/** A plain-object row, with safe-integer bigints as numbers. */
function toRow(row: Record<string, unknown>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    plain[name] =
      typeof value === 'bigint' && value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER
        ? Number(value)
        : value;
  }
  return plain;
}
