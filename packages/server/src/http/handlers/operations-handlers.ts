/**
 * The operational probes and the region list: `getHealth` (the process answers), `getReadiness` (the
 * database answers within 2 seconds, every migration is applied, and no shutdown has begun; 503
 * otherwise, in the same `Health` shape, with `Retry-After`), `listRegions` (the configured regions).
 * A failing check's reason goes to the log, never into the answer.
 */
import { sql } from 'kysely';
import { pendingMigrations } from '../../db/migrate.ts';
import type { ServerServices } from '../server-services.ts';
import type { HandlerRegistry } from './handler-types.ts';

type Status = 'ok' | 'fail';

async function within<T>(milliseconds: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${milliseconds} ms`));
    }, milliseconds);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function operationsHandlers(services: ServerServices): HandlerRegistry {
  const { database, logger, config } = services;

  async function check(name: string, probe: () => Promise<boolean>): Promise<Status> {
    try {
      return (await within(2000, probe())) ? 'ok' : 'fail';
    } catch (error) {
      logger.warn({ check: name, err: error }, 'readiness check failed');
      return 'fail';
    }
  }

  return {
    getHealth: () => Promise.resolve({ status: 200, body: { status: 'ok' } }),

    getReadiness: async () => {
      const databaseStatus = await check('database', async () => {
        await sql`select 1`.execute(database.db);
        return true;
      });
      const migrations =
        databaseStatus === 'ok'
          ? await check('migrations', async () => (await pendingMigrations(database.db)).length === 0)
          : 'fail';
      const accepting: Status = services.isShuttingDown() ? 'fail' : 'ok';
      const checks = {
        database: { status: databaseStatus },
        migrations: { status: migrations },
        accepting: { status: accepting },
      };
      const ready = databaseStatus === 'ok' && migrations === 'ok' && accepting === 'ok';
      return ready
        ? { status: 200, body: { status: 'ok', checks } }
        : { status: 503, body: { status: 'fail', checks }, headers: { 'Retry-After': '5' } };
    },

    listRegions: () =>
      Promise.resolve({
        status: 200,
        body: {
          items: config.regions.map((region) => ({ id: region.id, name: region.name, default: region.default })),
          nextCursor: null,
        },
      }),
  };
}
