/**
 * A throwaway PostgreSQL database for one run: created on the server at `HOLDFAST_TEST_POSTGRES_URL`
 * (default `postgres://postgres@127.0.0.1:5432/postgres`, as the server's tests use) and dropped after.
 * Uses the server package's own `pg` (loaded from `packages/server`: the bench adds no dependency).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

interface PgClient {
  connect(): Promise<void>;
  query(statement: string): Promise<{ readonly rows: readonly Record<string, unknown>[] }>;
  end(): Promise<void>;
}
interface PgModule {
  readonly Client: new (options: { connectionString: string; connectionTimeoutMillis: number }) => PgClient;
}

const pg = createRequire(new URL('../../packages/server/package.json', import.meta.url))('pg') as PgModule;

export const postgresAdminUrl =
  process.env['HOLDFAST_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs one statement on `url` (the administrative database unless told) and answers its rows. */
export async function postgresQuery(
  statement: string,
  url: string = postgresAdminUrl,
): Promise<readonly Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL does not answer at ${url} (${(error as Error).message}): start it ` +
        '(`pg_ctlcluster --skip-systemctl-redirect 15 main start`) or point HOLDFAST_TEST_POSTGRES_URL at one.',
      { cause: error },
    );
  }
  try {
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
}

/** A new empty database; `drop()` removes it (connections and all). */
export async function createThrowawayDatabase(): Promise<{ readonly url: string; drop(): Promise<void> }> {
  const name = `holdfast_bench_${randomBytes(6).toString('hex')}`;
  await postgresQuery(`create database ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await postgresQuery(`drop database if exists ${name} with (force)`);
    },
  };
}
