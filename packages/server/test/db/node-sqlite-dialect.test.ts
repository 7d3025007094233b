import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeSqliteDialect } from '../../src/db/node-sqlite/node-sqlite-dialect.ts';

interface Tables {
  items: { id: number; name: string; size: number | bigint; flag: number | null };
}

describe('NodeSqliteDialect', () => {
  let dir: string;
  let db: Kysely<Tables>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'holdfast-sqlite-'));
    db = new Kysely<Tables>({ dialect: new NodeSqliteDialect({ file: join(dir, 'test.db') }) });
    await db.schema
      .createTable('items')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('flag', 'integer')
      .execute();
  });

  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds parameters by position, booleans as 0/1, and returns plain objects', async () => {
    await db
      .insertInto('items')
      .values({ id: 1, name: 'a', size: 10, flag: true as unknown as number })
      .execute();
    await db.insertInto('items').values({ id: 2, name: 'b', size: 20, flag: null }).execute();
    const rows = await db.selectFrom('items').selectAll().where('size', '>', 5).where('name', '=', 'b').execute();
    expect(rows).toStrictEqual([{ id: 2, name: 'b', size: 20, flag: null }]);
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
    const flagged = await db.selectFrom('items').select('flag').where('id', '=', 1).executeTakeFirstOrThrow();
    expect(flagged.flag).toBe(1);
  });

  it('keeps integers beyond 2^53 exact as bigints and ordinary ones as numbers', async () => {
    const big = 2n ** 62n + 7n;
    await db.insertInto('items').values({ id: 1, name: 'big', size: big }).execute();
    await db.insertInto('items').values({ id: 2, name: 'small', size: 42 }).execute();
    const rows = await db.selectFrom('items').select(['id', 'size']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 1, size: big },
      { id: 2, size: 42 },
    ]);
    const { total } = await db
      .selectFrom('items')
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .executeTakeFirstOrThrow();
    expect(total).toBe(2);
  });

  it('reports affected rows and insert ids', async () => {
    const inserted = await db.insertInto('items').values({ id: 5, name: 'x', size: 1 }).executeTakeFirstOrThrow();
    expect(inserted.insertId).toBe(5n);
    const updated = await db.updateTable('items').set({ size: 2 }).where('id', '=', 5).executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(1n);
    const returned = await db.deleteFrom('items').where('id', '=', 5).returning('name').execute();
    expect(returned).toEqual([{ name: 'x' }]);
  });

  it('commits transactions and rolls them back on error, savepoints included', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 1, name: 'kept', size: 1 }).execute();
    });
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 2, name: 'lost', size: 1 }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const trx = await db.startTransaction().execute();
    await trx.insertInto('items').values({ id: 3, name: 'before savepoint', size: 1 }).execute();
    const inner = await trx.savepoint('inner').execute();
    await inner.insertInto('items').values({ id: 4, name: 'rolled back', size: 1 }).execute();
    await inner.rollbackToSavepoint('inner').execute();
    await trx.commit().execute();
    const names = await db.selectFrom('items').select('name').orderBy('id').execute();
    expect(names.map((row) => row.name)).toEqual(['kept', 'before savepoint']);
  });

  it('serialises concurrent queries around a transaction on its one connection', async () => {
    const trx = db.transaction().execute(async (t) => {
      await t.insertInto('items').values({ id: 1, name: 'in transaction', size: 1 }).execute();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await t.insertInto('items').values({ id: 2, name: 'still in it', size: 1 }).execute();
    });
    const outside = db.insertInto('items').values({ id: 3, name: 'outside', size: 1 }).execute();
    await Promise.all([trx, outside]);
    const count = await db
      .selectFrom('items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    expect(count?.n).toBe(3);
  });

  it('streams select results', async () => {
    await db
      .insertInto('items')
      .values([1, 2, 3].map((id) => ({ id, name: `n${id}`, size: id })))
      .execute();
    const seen: number[] = [];
    for await (const row of db.selectFrom('items').select('id').orderBy('id').stream()) seen.push(row.id);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('runs in WAL mode with foreign keys on', async () => {
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
    expect(mode.rows[0]?.journal_mode).toBe('wal');
    const keys = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
    expect(keys.rows[0]?.foreign_keys).toBe(1);
  });

  it('fails a query after destroy with a clear error', async () => {
    const other = new Kysely<Tables>({ dialect: new NodeSqliteDialect({ file: join(dir, 'other.db') }) });
    await sql`select 1`.execute(other);
    await other.destroy();
    await expect(sql`select 1`.execute(other)).rejects.toThrow();
  });
});
