/**
 * The server's master key: 32 random bytes that will wrap the keys of backup tasks and the secrets the
 * server stores (service tokens, TOTP secrets). Given in the configuration (`HOLDFAST_MASTER_KEY`), or read
 * from the key file, which the first start creates (mode 0600, in a 0700 directory when it makes one).
 * Creation is race-safe: two processes starting at once end up with the same key. Losing the key loses
 * the data it protects, so the server never replaces a file it cannot read: it refuses to start.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ServerConfig } from './server-config.ts';

export interface MasterKey {
  readonly key: Buffer;
  /** True when this call created the key file. */
  readonly created: boolean;
  /** True when the key file can be read by others than its owner (a warning for ops). */
  readonly exposed: boolean;
}

function decode(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${where} does not hold a master key (32 bytes in base64)`);
  return key;
}

function readKeyFile(file: string): MasterKey {
  const mode = statSync(file).mode;
  return { key: decode(readFileSync(file, 'utf8'), file), created: false, exposed: (mode & 0o077) !== 0 };
}

/** Finds or creates the master key the configuration names. */
export function ensureMasterKey(config: Pick<ServerConfig, 'masterKey' | 'masterKeyFile'>): MasterKey {
  if (config.masterKey !== null) {
    return { key: decode(config.masterKey, 'HOLDFAST_MASTER_KEY'), created: false, exposed: false };
  }
  const file = config.masterKeyFile;
  try {
    return readKeyFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file);
    throw error;
  }
  return { key, created: true, exposed: false };
}
