/**
 * Starts a real server for a test: on the given config (from {@link describeOnBothDatabases} or
 * {@link testConfig}), migrated, listening on a free port, with its logs captured in memory.
 */
import { Writable } from 'node:stream';
import type { ServerConfig } from '../../src/config/server-config.ts';
import { createServer, type CreateServerOptions, type HoldfastServer } from '../../src/http/create-server.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

/** Log lines written by a server, kept for assertions. */
export class CapturedLogs extends Writable {
  readonly chunks: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(chunk.toString('utf8'));
    callback();
  }

  /** Everything written, as one string. */
  text(): string {
    return this.chunks.join('');
  }

  /** Every line, parsed. */
  lines(): Record<string, unknown>[] {
    return this.text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export interface RunningServer {
  readonly server: HoldfastServer;
  readonly url: string;
  readonly logs: CapturedLogs;
  close(): Promise<void>;
}

export async function startServer(
  config: ServerConfig,
  options: CreateServerOptions & { readonly migrate?: boolean } = {},
): Promise<RunningServer> {
  const logs = new CapturedLogs();
  const { migrate = true, ...serverOptions } = options;
  const server = await createServer(
    { ...config, logLevel: config.logLevel === 'silent' ? 'info' : config.logLevel },
    { logDestination: logs, ...serverOptions },
  );
  if (migrate) await migrateToLatest(server.services.database.db);
  const { url } = await server.listen();
  return { server, url, logs, close: () => server.close() };
}
