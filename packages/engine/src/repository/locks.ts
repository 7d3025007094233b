/**
 * Repository locks: objects under `locks/`. Backups take a shared lock (many may run at once);
 * maintenance (prune, erase, key rotation) takes an exclusive one. A holder rewrites its lock every
 * `refreshInterval`; a lock not refreshed for `staleAfter`, or held by a process on this host that no
 * longer exists, is stale and ignored. Taking a lock is write-then-recheck, so two writers racing for
 * incompatible locks cannot both win. A refused lock names its holder and since when.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { ConflictError, isHoldfastError } from '../errors/index.ts';
import type { ObjectStore } from '../ports/index.ts';
import { idOfKey, kindPrefix, objectKey } from './layout.ts';
import type { RepositoryCrypto } from './repository-crypto.ts';
import { readAll } from './streams.ts';

export type LockKind = 'shared' | 'exclusive';

export interface LockRecord {
  readonly kind: LockKind;
  /** What holds it: `backup`, `prune`, `key rotate`... */
  readonly operation: string;
  readonly hostname: string;
  readonly username: string;
  readonly pid: number;
  readonly created: string;
  readonly refreshed: string;
}

export interface LockOptions {
  /** Rewrite the lock this often (ms). Default 5 minutes. */
  readonly refreshInterval?: number | undefined;
  /** Ignore locks not refreshed for this long (ms). Default 30 minutes. */
  readonly staleAfter?: number | undefined;
  /** Told when a refresh fails (the operation goes on; the lock may go stale). */
  readonly onWarning?: ((message: string) => void) | undefined;
}

/** A held lock. */
export class Lock {
  readonly #store: ObjectStore;
  readonly #crypto: RepositoryCrypto;
  readonly #key: string;
  #record: LockRecord;
  readonly #timer: NodeJS.Timeout;
  #released = false;

  constructor(store: ObjectStore, crypto: RepositoryCrypto, key: string, record: LockRecord, options: LockOptions) {
    this.#store = store;
    this.#crypto = crypto;
    this.#key = key;
    this.#record = record;
    this.#timer = setInterval(
      () => {
        this.refresh().catch((error: unknown) => {
          options.onWarning?.(`could not refresh the repository lock: ${(error as Error).message}`);
        });
      },
      options.refreshInterval ?? 5 * 60_000,
    );
    this.#timer.unref();
  }

  get record(): LockRecord {
    return this.#record;
  }

  /** Rewrites the lock with a new refresh time. */
  async refresh(): Promise<void> {
    if (this.#released) return;
    this.#record = { ...this.#record, refreshed: new Date().toISOString() };
    await this.#store.put(this.#key, this.#crypto.sealJson('lock', this.#record));
  }

  /** Removes the lock. Idempotent. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    await this.#store.delete(this.#key);
  }
}

/** Takes a lock or throws `ConflictError` naming the holder of a conflicting one. */
export async function acquireLock(
  store: ObjectStore,
  crypto: RepositoryCrypto,
  kind: LockKind,
  operation: string,
  options: LockOptions = {},
): Promise<Lock> {
  const staleAfter = options.staleAfter ?? 30 * 60_000;
  const ownKey = objectKey('locks', randomBytes(16).toString('hex'));
  const blocker = await findConflict(store, crypto, kind, staleAfter, ownKey);
  if (blocker !== undefined) throw conflictError(blocker);
  const now = new Date().toISOString();
  const record: LockRecord = {
    kind,
    operation,
    hostname: hostname(),
    username: currentUser(),
    pid: process.pid,
    created: now,
    refreshed: now,
  };
  try {
    await store.put(ownKey, crypto.sealJson('lock', record));
  } catch (error) {
    // The put may have landed before it failed: never leave a lock nobody holds.
    await store.delete(ownKey).catch(() => undefined);
    throw error;
  }
  const racer = await findConflict(store, crypto, kind, staleAfter, ownKey);
  if (racer !== undefined) {
    await store.delete(ownKey);
    throw conflictError(racer);
  }
  return new Lock(store, crypto, ownKey, record, options);
}

/** Every lock in the repository with whether it is stale. */
export async function listLocks(
  store: ObjectStore,
  crypto: RepositoryCrypto,
  staleAfter = 30 * 60_000,
): Promise<{ key: string; record: LockRecord; stale: boolean }[]> {
  const locks: { key: string; record: LockRecord; stale: boolean }[] = [];
  for await (const info of store.list(kindPrefix('locks'))) {
    if (idOfKey('locks', info.key) === undefined) continue;
    try {
      const record = crypto.openJson('lock', await readAll(await store.get(info.key))) as LockRecord;
      locks.push({ key: info.key, record, stale: isStale(record, staleAfter) });
    } catch (error) {
      // A lock removed meanwhile, or one that does not decrypt, blocks nothing.
      if (isHoldfastError(error, 'NOT_FOUND') || isHoldfastError(error, 'INTEGRITY')) continue;
      throw error;
    }
  }
  return locks;
}

async function findConflict(
  store: ObjectStore,
  crypto: RepositoryCrypto,
  kind: LockKind,
  staleAfter: number,
  ownKey: string,
): Promise<LockRecord | undefined> {
  for (const lock of await listLocks(store, crypto, staleAfter)) {
    if (lock.key === ownKey || lock.stale) continue;
    if (kind === 'exclusive' || lock.record.kind === 'exclusive') return lock.record;
  }
  return undefined;
}

function isStale(record: LockRecord, staleAfter: number): boolean {
  const refreshed = Date.parse(record.refreshed);
  if (!Number.isFinite(refreshed) || Date.now() - refreshed > staleAfter) return true;
  if (record.hostname === hostname() && record.pid !== process.pid) {
    try {
      process.kill(record.pid, 0);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  return false;
}

function conflictError(holder: LockRecord): ConflictError {
  return new ConflictError(
    `the repository is locked (${holder.kind}, ${holder.operation}) by ${holder.username}@${holder.hostname} ` +
      `pid ${String(holder.pid)} since ${holder.created}; it expires if not refreshed by its holder`,
  );
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
