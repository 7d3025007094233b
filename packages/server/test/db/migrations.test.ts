import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDatabase, type ServerDatabase } from '../../src/db/create-database.ts';
import { migrateToLatest, pendingMigrations } from '../../src/db/migrate.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { newId } from '../../src/db/ids.ts';
import { serverTables, tenantTables } from '../../src/db/tenant.ts';
import { toTimestamp } from '../../src/db/time.ts';
import { describeOnBothDatabases } from '../support/databases.ts';

const expectedTables = [
  'accounts',
  'users',
  'sessions',
  'email_tokens',
  'api_keys',
  'oauth_tokens',
  'idempotency_keys',
  'jobs',
  'recovery_codes',
  'sign_in_challenges',
  'audit_events',
  'activity_events',
  'ip_rules',
  'auth_throttles',
];

describeOnBothDatabases('migrations', (target) => {
  let database: ServerDatabase;

  beforeAll(() => {
    database = createDatabase(target().config);
  });
  afterAll(async () => {
    await database.close();
  });

  it('apply every migration to an empty database, then nothing more', async () => {
    expect(database.dialect).toBe(target().dialect);
    expect(await pendingMigrations(database.db)).toEqual(Object.keys(migrations));
    const first = await migrateToLatest(database.db);
    expect(first.applied).toEqual(Object.keys(migrations));
    const again = await migrateToLatest(database.db);
    expect(again.applied).toEqual([]);
    expect(await pendingMigrations(database.db)).toEqual([]);
  });

  it('create the tables of the schema, every one but accounts and the server-wide ones owned by an account', async () => {
    const tables = await database.db.introspection.getTables();
    const names = tables.map((table) => table.name).filter((name) => !name.startsWith('kysely_'));
    expect(names.sort()).toEqual([...expectedTables].sort());
    const serverWide: readonly string[] = serverTables;
    for (const table of tables.filter((t) => !t.name.startsWith('kysely_') && t.name !== 'accounts')) {
      if (serverWide.includes(table.name)) {
        expect(
          table.columns.map((column) => column.name),
          `${table.name} names no account`,
        ).not.toContain('account_id');
        continue;
      }
      expect(tenantTables, `${table.name} is a tenant table`).toContain(table.name);
      const accountId = table.columns.find((column) => column.name === 'account_id');
      expect(accountId?.isNullable, `${table.name}.account_id`).toBe(false);
    }
  });

  it('enforce the constraints the accounts module relies on', async () => {
    const { db } = database;
    const now = toTimestamp(Date.now());
    const accountId = newId('acc');
    await db
      .insertInto('accounts')
      .values({
        id: accountId,
        name: 'Engines',
        region: 'eu-central',
        status: 'active',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const user = (email: string, primary: number) => ({
      id: newId('usr'),
      account_id: accountId,
      email,
      email_normalized: email.toLowerCase(),
      auth_type: 'email',
      status: 'active',
      is_primary: primary,
      role: 'administrator',
      created_at: now,
      updated_at: now,
    });
    const ada = user('Ada@Example.org', 1);
    await db.insertInto('users').values(ada).execute();
    // one address per server, whatever its case
    await expect(db.insertInto('users').values(user('ada@example.org', 0)).execute()).rejects.toThrow();
    // one primary user per account
    await expect(db.insertInto('users').values(user('charles@example.org', 1)).execute()).rejects.toThrow();
    await db.insertInto('users').values(user('charles@example.org', 0)).execute();
    // defaults and a round trip of every column type
    const stored = await db.selectFrom('users').selectAll().where('id', '=', ada.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ is_primary: 1, operations: '[]', services: '[]', name: null, created_at: now });
    // a row of another account's table cannot point at a missing account
    await expect(
      db
        .insertInto('sessions')
        .values({
          id: newId('ses'),
          account_id: newId('acc'),
          user_id: ada.id,
          token_hash: 'x',
          created_at: now,
          expires_at: now,
          last_seen_at: now,
        })
        .execute(),
    ).rejects.toThrow();
    // jobs outlive their account (the purge record), everything else goes with it
    await db
      .insertInto('jobs')
      .values({
        id: newId('job'),
        account_id: accountId,
        kind: 'account_purge',
        status: 'pending',
        run_after: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db.deleteFrom('accounts').where('id', '=', accountId).execute();
    const users = await db.selectFrom('users').select('id').where('account_id', '=', accountId).execute();
    expect(users).toEqual([]);
    const jobs = await db
      .selectFrom('jobs')
      .select(['kind', 'attempts', 'payload'])
      .where('account_id', '=', accountId)
      .execute();
    expect(jobs).toEqual([{ kind: 'account_purge', attempts: 0, payload: '{}' }]);
  });

  it('read integers the same way on both databases', async () => {
    const result = await sql<{
      small: number;
      big: number | bigint;
    }>`select cast(42 as bigint) as small, cast(9007199254740993 as bigint) as big`.execute(database.db);
    expect(result.rows[0]).toEqual({ small: 42, big: 9007199254740993n });
  });
});
