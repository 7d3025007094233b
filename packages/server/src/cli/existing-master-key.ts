/**
 * The master key of an existing server, for the commands that act on its data (`unlock`,
 * `ip-restrictions`): unlike `serve`, they never create a key file. A command run with the wrong
 * configuration would otherwise make a stray key, compute digests no record has, and report that there
 * was nothing to do.
 */
import { existsSync } from 'node:fs';
import { ensureMasterKey } from '../config/master-key.ts';
import type { ServerConfig } from '../config/server-config.ts';

/** The key, or throws a one-line error naming where it was looked for. */
export function existingMasterKey(config: Pick<ServerConfig, 'masterKey' | 'masterKeyFile'>): Buffer {
  if (config.masterKey === null && !existsSync(config.masterKeyFile)) {
    throw new Error(
      `no master key at ${config.masterKeyFile}: run this with the server's own configuration ` +
        '(HOLDFAST_DATA_DIR, HOLDFAST_MASTER_KEY_FILE or HOLDFAST_MASTER_KEY)',
    );
  }
  return ensureMasterKey(config).key;
}
