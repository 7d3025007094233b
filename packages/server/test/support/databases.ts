/**
 * Every test that touches the database runs on both: {@link describeOnBothDatabases} runs a suite once on
 * a fresh SQLite file in a temporary directory and once on a fresh PostgreSQL database, created for the
 * suite on the server at `HOLDFAST_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`,
 * trust auth) and dropped after it. PostgreSQL is never skipped: when it does not answer, the suite fails
 * and says how to start it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import type { ServerConfig } from '../../src/config/server-config.ts';
import type { DialectName } from '../../src/db/create-database.ts';
import { testConfig } from './test-config.ts';

export const postgresAdminUrl =
  process.env['HOLDFAST_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, empty database and a config that points at it. */
export interface DatabaseUnderTest {
  readonly dialect: DialectName;
  readonly config: ServerConfig;
  /** Drops the database and removes the temporary directory. */
  cleanup(): Promise<void>;
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL does not answer at ${postgresAdminUrl} (${(error as Error).message}). The server's tests run on ` +
        'PostgreSQL too and are never skipped: start it (`pg_ctlcluster --skip-systemctl-redirect 15 main start`, ' +
        'as .ci/run does) or point HOLDFAST_TEST_POSTGRES_URL at one.',
      { cause: error },
    );
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Creates a fresh database of this dialect (and a temporary data directory). */
export async function createDatabaseUnderTest(
  dialect: DialectName,
  overrides: Partial<ServerConfig> = {},
): Promise<DatabaseUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'holdfast-server-test-'));
  if (dialect === 'sqlite') {
    return {
      dialect,
      config: testConfig(dataDir, undefined, overrides),
      cleanup: () => {
        rmSync(dataDir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const name = `holdfast_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    dialect,
    config: testConfig(dataDir, { kind: 'postgres', url: url.toString() }, overrides),
    cleanup: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

/**
 * Runs `body` as a suite on SQLite and again on PostgreSQL. `target()` (call it inside tests or hooks)
 * gives the suite's fresh database, shared by its tests. The database is created and dropped by hooks of
 * an enclosing suite, so it is dropped even when a hook of `body` fails.
 *
 * @example
 * ```ts
 * describeOnBothDatabases('readiness', (target) => {
 *   it('answers ok', async () => { const server = await createServer(target().config); ... });
 * });
 * ```
 */
export function describeOnBothDatabases(
  name: string,
  body: (target: () => DatabaseUnderTest) => void,
  overrides: Partial<ServerConfig> = {},
): void {
  describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
    let current: DatabaseUnderTest | undefined;
    beforeAll(async () => {
      current = await createDatabaseUnderTest(dialect, overrides);
    }, 30_000);
    afterAll(async () => {
      await current?.cleanup();
    }, 30_000);
    describe(name, () => {
      body(() => {
        if (current === undefined) throw new Error(`the ${dialect} database of "${name}" was not created`);
        return current;
      });
    });
  });
}
