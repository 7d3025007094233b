/**
 * The commands of `holdfast-server`: `serve` (migrate, listen, print where, wait for a stop signal, shut
 * down gracefully) and `migrate`; `create-admin` is in `create-admin.ts`. Each resolves to an exit code.
 */
import { mkdirSync } from 'node:fs';
import { ensureMasterKey } from '../config/master-key.ts';
import { redactUrl, type ServerConfig } from '../config/server-config.ts';
import { createDatabase } from '../db/create-database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createServer } from '../http/create-server.ts';
import { createLogger } from '../logging/logger.ts';
import { packageVersion } from '../package-info.ts';
import { exitCodes, type ServerCliIo } from './cli-io.ts';

function databaseLine(config: ServerConfig): string {
  return config.database.kind === 'sqlite'
    ? `SQLite ${config.database.file}`
    : `PostgreSQL ${redactUrl(config.database.url)}`;
}

export async function serve(config: ServerConfig, io: ServerCliIo): Promise<number> {
  // The data directory holds the database and the key: its owner only.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  for (const dir of [config.repositoriesDir, config.outboxDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logger = createLogger(config.logLevel, io.stdout);
  const masterKey = ensureMasterKey(config);
  if (masterKey.exposed)
    logger.warn({ file: config.masterKeyFile }, 'the master key file is readable by others: chmod 600 it');
  const server = await createServer(config, { logger });
  try {
    const { applied } = await migrateToLatest(server.services.database.db);
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
    const { url, metricsUrl } = await server.listen();
    io.stderr.write(
      [
        `Holdfast server ${packageVersion} listening on ${url}`,
        `  data directory  ${config.dataDir}`,
        `  database        ${databaseLine(config)}`,
        `  repositories    ${config.repositoriesDir}`,
        `  outbox          ${config.outboxDir} (email is written here until SMTP is configured)`,
        `  master key      ${config.masterKey === null ? config.masterKeyFile : 'from HOLDFAST_MASTER_KEY'}` +
          (masterKey.created ? ' (new: back it up; without it the backups cannot be opened)' : ''),
        `  metrics         ${metricsUrl ?? url}/metrics`,
        `Create the first account: open ${config.port === 0 ? url : config.publicUrl} or run ` +
          '`holdfast-server create-admin --email you@example.org --name "Your Name"`',
        'Stop with Ctrl-C.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    await server.close();
    throw error;
  }
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else
      io.signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
  });
  io.stderr.write('Stopping: finishing requests in flight...\n');
  await server.close();
  io.stderr.write('Stopped.\n');
  return exitCodes.ok;
}

export async function migrate(config: ServerConfig, io: ServerCliIo): Promise<number> {
  const database = createDatabase(config);
  try {
    const { applied, current } = await migrateToLatest(database.db);
    io.stderr.write(
      applied.length === 0
        ? `The database (${databaseLine(config)}) is up to date: ${current.length} migrations.\n`
        : `Applied ${applied.length} migrations to ${databaseLine(config)}: ${applied.join(', ')}.\n`,
    );
    return exitCodes.ok;
  } finally {
    await database.close();
  }
}
