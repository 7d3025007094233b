/**
 * `Repository`: the engine's front door. A repository lives in any {@link ObjectStore}; a
 * {@link KeyProvider} opens it; it backs up any {@link Source} entity, lists snapshots and their trees,
 * restores to any {@link RestoreTarget} and checks itself.
 *
 * @example
 * ```ts
 * import {
 *   FsObjectStore, FsRestoreTarget, FsSource, fsSourceEntityId, PassphraseKeyProvider, Repository,
 * } from '@holdfast/engine';
 *
 * const keys = new PassphraseKeyProvider(process.env.HOLDFAST_PASSWORD ?? '');
 * const repo = await Repository.init(new FsObjectStore('/srv/backups/docs'), { keyProvider: keys });
 * const snapshot = await repo.backup(new FsSource('/home/ana/Documents'), fsSourceEntityId);
 * await repo.restore(snapshot.id, await FsRestoreTarget.open('/tmp/restored'));
 * await repo.close();
 * ```
 */
import { randomBytes } from 'node:crypto';
import { executeRestore, type ExecuteRestoreOptions, type RestoreReport } from '../restore/restore-execute.ts';
import { planRestore, type RestorePlan, type RestorePlanOptions } from '../restore/restore-plan.ts';
import { runExport, type ExportOptions, type ExportResult } from '../export/zip-export.ts';
import { runErase, type EraseOptions, type EraseReport, type EraseRequest } from '../lifecycle/erase/erase-run.ts';
import { runForget, type ForgetOptions, type ForgetResult } from '../lifecycle/forget.ts';
import { runPrune, type PruneOptions, type PruneReport } from '../lifecycle/prune/prune-run.ts';
import type { RetentionPolicy } from '../lifecycle/retention.ts';
import { runBackup } from '../backup/backup-run.ts';
import type { BackupOptions } from '../backup/backup-options.ts';
import { runCheck, type CheckOptions, type CheckReport } from '../check/check-run.ts';
import { ConflictError, isHoldfastError, NotFoundError, ValidationError } from '../errors/index.ts';
import type { KeyProvider } from '../keys/index.ts';
import type { ExportDestination, ObjectStore, RestoreTarget, Source } from '../ports/index.ts';
import { RequestCountingObjectStore } from '../stores/request-counting-object-store.ts';
import { runRestore, type RestoreOptions, type RestoreResult } from '../restore/restore-run.ts';
import { diffTrees, type DiffEntry } from './tree-diff.ts';
import { addKeyRecord, listKeyRecords, MASTER_SECRET_BYTES, unlockMasterSecret, type KeyInfo } from './key-records.ts';
import { idOfKey, kindPrefix, objectKey, CONFIG_KEY } from './layout.ts';
import { acquireLock, type Lock, type LockKind, type LockOptions } from './locks.ts';
import { parseConfig, REPOSITORY_FORMAT_VERSION, type RepositoryConfig } from './repository-config.ts';
import { RepositoryContext } from './repository-context.ts';
import { RepositoryCrypto, type ChunkerSizes } from './repository-crypto.ts';
import { retrying } from './retry.ts';
import type { Snapshot } from './snapshot-record.ts';
import { loadSnapshots, matches, resolveSnapshot, type SnapshotFilter } from './snapshot-store.ts';
import { readAll } from './streams.ts';
import { walkTree, type TreeEntry, type WalkTreeOptions } from './tree-walk.ts';

/** Options of {@link Repository.init}. */
export interface InitOptions {
  /** Wraps the new repository's master secret: the first key. */
  readonly keyProvider: KeyProvider;
  /** A label for the first key. */
  readonly keyLabel?: string | undefined;
  /** Target pack size in bytes. Default 16 MiB. */
  readonly packSize?: number | undefined;
  /** Chunk sizes. Defaults: min 512 KiB, average 1 MiB, max 8 MiB, normalization 1. */
  readonly chunker?: Partial<ChunkerSizes> | undefined;
  /** zstd level; 0 turns compression off. Default 3. */
  readonly compressionLevel?: number | undefined;
}

/** Options of {@link Repository.open}. */
export interface OpenOptions {
  readonly keyProvider: KeyProvider;
  /** Lock timing (tests shorten it). */
  readonly lock?: LockOptions | undefined;
}

const DEFAULT_CHUNKER: ChunkerSizes = {
  minSize: 512 * 1024,
  avgSize: 1024 * 1024,
  maxSize: 8 * 1024 * 1024,
  normalization: 1,
};

export class Repository {
  readonly #context: RepositoryContext;
  #keyId: string;
  readonly #secret: Uint8Array;
  readonly #lockOptions: LockOptions | undefined;
  #closed = false;

  private constructor(context: RepositoryContext, keyId: string, secret: Uint8Array, lock: LockOptions | undefined) {
    this.#context = context;
    this.#keyId = keyId;
    this.#secret = secret;
    this.#lockOptions = lock;
  }

  /**
   * Creates a repository in an empty store. Rejects with `ConflictError` if the store holds one already
   * (or anything under `keys/` or `config`).
   */
  static async init(store: ObjectStore, options: InitOptions): Promise<Repository> {
    if ((await exists(store, CONFIG_KEY)) || (await hasAny(store, kindPrefix('keys')))) {
      throw new ConflictError(`a repository exists at ${store.name} already`);
    }
    const chunker = { ...DEFAULT_CHUNKER, ...options.chunker };
    const packSize = options.packSize ?? 16 * 1024 * 1024;
    if (!Number.isInteger(packSize) || packSize < 1024 || packSize > 1024 * 1024 * 1024) {
      throw new ValidationError('packSize must be between 1 KiB and 1 GiB');
    }
    const compressionLevel = options.compressionLevel ?? 3;
    if (!Number.isInteger(compressionLevel) || compressionLevel < 0 || compressionLevel > 19) {
      throw new ValidationError('compressionLevel must be an integer from 0 to 19');
    }
    const secret = new Uint8Array(randomBytes(MASTER_SECRET_BYTES));
    const crypto = new RepositoryCrypto(secret, chunker);
    const config: RepositoryConfig = {
      version: REPOSITORY_FORMAT_VERSION,
      id: randomBytes(16).toString('hex'),
      created: new Date().toISOString(),
      chunker,
      packSize,
      compressionLevel,
    };
    // The key first, the config last: a store with a config is a complete repository.
    const keyId = await addKeyRecord(store, options.keyProvider, secret, options.keyLabel);
    await store.put(CONFIG_KEY, crypto.sealJson('config', config));
    return new Repository(new RepositoryContext(counted(store), crypto, config), keyId, secret, undefined);
  }

  /**
   * Opens a repository. Rejects with `NotFoundError` when the store holds none and `AuthError` when the
   * key provider opens none of its keys; either way nothing is written.
   */
  static async open(store: ObjectStore, options: OpenOptions): Promise<Repository> {
    if (!(await exists(store, CONFIG_KEY))) throw new NotFoundError(`no repository at ${store.name}`);
    const { secret, keyId } = await unlockMasterSecret(store, options.keyProvider);
    const sealed = await retrying(async () => readAll(await store.get(CONFIG_KEY)));
    const provisional = new RepositoryCrypto(secret, DEFAULT_CHUNKER);
    const config = parseConfig(provisional.openJson('config', sealed));
    const crypto = new RepositoryCrypto(secret, config.chunker);
    return new Repository(new RepositoryContext(counted(store), crypto, config), keyId, secret, options.lock);
  }

  /** The repository's config (format version, id, chunk and pack sizes). */
  get config(): RepositoryConfig {
    return this.#context.config;
  }

  /** The id of the key record this repository was opened with. */
  get keyId(): string {
    return this.#keyId;
  }

  /** The store it lives in. */
  get store(): ObjectStore {
    return this.#context.store;
  }

  /**
   * Backs up one entity of a source into a new snapshot. Unchanged items (same id, version and content
   * hash as in the parent snapshot) are not read. Items that fail are recorded and the snapshot is
   * `partial`. Cancel with `options.signal`: no snapshot is written and the repository stays consistent.
   */
  async backup(source: Source, entityId: string, options: BackupOptions = {}): Promise<Snapshot> {
    this.#assertOpen();
    return runBackup(this.#context, source, entityId, { ...options, lock: options.lock ?? this.#lockOptions });
  }

  /** Every snapshot matching the filter, oldest first. Unreadable snapshots are skipped (`check` reports them). */
  async snapshots(filter: SnapshotFilter = {}): Promise<Snapshot[]> {
    this.#assertOpen();
    const { snapshots } = await loadSnapshots(this.#context.store, this.#context.crypto);
    return snapshots.filter((snapshot) => matches(snapshot, filter));
  }

  /** One snapshot by `latest`, id or unique id prefix (≥ 4 hex digits). */
  async snapshot(ref: string, filter: SnapshotFilter = {}): Promise<Snapshot> {
    this.#assertOpen();
    const { snapshots, damaged } = await loadSnapshots(this.#context.store, this.#context.crypto);
    try {
      return resolveSnapshot(snapshots, ref, filter);
    } catch (error) {
      // A snapshot that exists but cannot be read must not pass for a missing one.
      const broken = damaged.find(({ key }) => ref !== 'latest' && (idOfKey('snapshots', key) ?? '').startsWith(ref));
      if (isHoldfastError(error, 'NOT_FOUND') && broken !== undefined) throw broken.error;
      throw error;
    }
  }

  /** The items of a snapshot, depth first, under `options.path` (default: everything). Streams. */
  async *ls(ref: string | Snapshot, options: WalkTreeOptions = {}): AsyncGenerator<TreeEntry> {
    const snapshot = typeof ref === 'string' ? await this.snapshot(ref) : ref;
    yield* walkTree(this.#context, snapshot.tree, options);
  }

  /** What changed between two snapshots: added, removed and modified items, depth first. Streams. */
  async *diff(from: string | Snapshot, to: string | Snapshot): AsyncGenerator<DiffEntry> {
    const a = typeof from === 'string' ? await this.snapshot(from) : from;
    const b = typeof to === 'string' ? await this.snapshot(to) : to;
    yield* diffTrees(this.#context, a.tree, b.tree);
  }

  /**
   * Restores a snapshot (or the paths in `options.include`) into a target. Every chunk is verified.
   * Items that fail are reported in the result while the others restore.
   */
  async restore(ref: string | Snapshot, target: RestoreTarget, options: RestoreOptions = {}): Promise<RestoreResult> {
    this.#assertOpen();
    const snapshot = typeof ref === 'string' ? await this.snapshot(ref) : ref;
    return runRestore(this.#context, snapshot, target, options);
  }

  /**
   * Applies a retention policy to each entity's snapshots (grouped by source and entity) and removes the
   * snapshot records it does not keep, under the exclusive lock; `dryRun` only reports. Returns every
   * decision with all its reasons. Data stays until `prune`.
   */
  async forget(policy: RetentionPolicy, options: ForgetOptions = {}): Promise<ForgetResult> {
    this.#assertOpen();
    return runForget(this.#context, policy, { ...options, lock: options.lock ?? this.#lockOptions });
  }

  /**
   * Deletes the data no snapshot references, under the exclusive lock, repacking packs that are mostly
   * unused; `dryRun` only reports. Safe to interrupt at any point. Returns what it did, with the bytes
   * reclaimed and the store requests made.
   */
  async prune(options: PruneOptions = {}): Promise<PruneReport> {
    this.#assertOpen();
    return runPrune(this.#context, { ...options, lock: options.lock ?? this.#lockOptions });
  }

  /**
   * GDPR erase: removes the chosen items from every snapshot of the entity (each rewritten with its time
   * and everything else kept), then prunes so no stored object holds a chunk only they used. Chunks shared
   * with items that stay are kept. Returns a report fit for an audit log; `dryRun` only finds.
   */
  async erase(request: EraseRequest, options: EraseOptions = {}): Promise<EraseReport> {
    this.#assertOpen();
    return runErase(this.#context, request, { ...options, lock: options.lock ?? this.#lockOptions });
  }

  /**
   * Plans a restore in a mode (non-destructive by default, replace, bypass): for every chosen item, what
   * to do at the target given what it holds now. Writes nothing: a dry run is this plan. The plan is plain
   * data, so it can be shown, stored, and executed (or resumed) later with {@link executeRestore}.
   */
  async planRestore(
    ref: string | Snapshot,
    target: RestoreTarget,
    options: RestorePlanOptions = {},
  ): Promise<RestorePlan> {
    this.#assertOpen();
    const snapshot = typeof ref === 'string' ? await this.snapshot(ref) : ref;
    return planRestore(this.#context, snapshot, target, options);
  }

  /**
   * Carries out a restore plan, verifying every chunk, and reports each item's outcome and the totals.
   * Items that fail are reported while the others restore; pass the target paths an earlier run finished
   * as `completed` to resume without redoing them.
   */
  async executeRestore(
    plan: RestorePlan,
    target: RestoreTarget,
    options: ExecuteRestoreOptions = {},
  ): Promise<RestoreReport> {
    this.#assertOpen();
    return executeRestore(this.#context, await this.snapshot(plan.snapshot), plan, target, options);
  }

  /**
   * Exports a snapshot, or the paths in `options.include`, as one streaming zip (zip64 when large) with a
   * manifest (`manifest.json`, `manifest.csv`: path, size, modified, SHA-256, snapshot) to any
   * {@link ExportDestination}. Memory stays flat whatever the size. Every chunk is verified.
   */
  async export(
    ref: string | Snapshot,
    destination: ExportDestination,
    options: ExportOptions = {},
  ): Promise<ExportResult> {
    this.#assertOpen();
    const snapshot = typeof ref === 'string' ? await this.snapshot(ref) : ref;
    return runExport(this.#context, snapshot, destination, options);
  }

  /** Checks structure, and with `readData` every byte. Never throws for damage: it is in the report. */
  async check(options: CheckOptions = {}): Promise<CheckReport> {
    this.#assertOpen();
    return runCheck(this.#context, options);
  }

  /** The repository's key records (never any secret). */
  async keys(): Promise<(KeyInfo & { current: boolean })[]> {
    this.#assertOpen();
    return (await listKeyRecords(this.#context.store)).map((key) => ({ ...key, current: key.id === this.#keyId }));
  }

  /** Adds a key: wraps the master secret with `provider`. No data is re-encrypted. Returns the new key's id. */
  async addKey(provider: KeyProvider, label?: string): Promise<string> {
    this.#assertOpen();
    return addKeyRecord(this.#context.store, provider, this.#secret, label);
  }

  /**
   * Removes a key record. Refuses to remove the key this repository was opened with, or the last key,
   * so the repository can never be locked out.
   */
  async removeKey(id: string): Promise<void> {
    this.#assertOpen();
    const keys = await listKeyRecords(this.#context.store);
    if (!keys.some((key) => key.id === id)) throw new NotFoundError(`no key ${id}`);
    if (id === this.#keyId) throw new ConflictError('the key in use cannot be removed: open with another key first');
    await this.#context.store.delete(objectKey('keys', id));
  }

  /**
   * Replaces the key in use with a new one under an exclusive lock: adds the new record, then removes
   * the old. No data is re-encrypted. Returns the new key's id; the repository stays open.
   */
  async rotateKey(provider: KeyProvider, label?: string): Promise<string> {
    this.#assertOpen();
    const lock = await acquireLock(
      this.#context.store,
      this.#context.crypto,
      'exclusive',
      'key rotate',
      this.#lockOptions,
    );
    try {
      const id = await addKeyRecord(this.#context.store, provider, this.#secret, label);
      await unlockMasterSecret(this.#context.store, provider); // the new key opens it before the old goes
      await this.#context.store.delete(objectKey('keys', this.#keyId));
      this.#keyId = id;
      return id;
    } finally {
      await lock.release();
    }
  }

  /**
   * Takes a repository lock for work done outside the engine's own operations (a server's maintenance,
   * a partner's tool). Release it with `lock.release()`. Rejects with `ConflictError` naming the holder
   * of a conflicting lock.
   */
  async lock(kind: LockKind, operation: string): Promise<Lock> {
    this.#assertOpen();
    return acquireLock(this.#context.store, this.#context.crypto, kind, operation, this.#lockOptions);
  }

  /** Releases the repository. Further calls reject. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#secret.fill(0);
    await Promise.resolve();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ValidationError('the repository is closed');
  }
}

async function exists(store: ObjectStore, key: string): Promise<boolean> {
  try {
    await store.head(key);
    return true;
  } catch (error) {
    if (isHoldfastError(error, 'NOT_FOUND')) return false;
    throw error;
  }
}

async function hasAny(store: ObjectStore, prefix: string): Promise<boolean> {
  for await (const info of store.list(prefix)) if (idOfKey('keys', info.key) !== undefined) return true;
  return false;
}

/** Every call of an open repository goes through a counter, so a backup can report what it cost. */
function counted(store: ObjectStore): ObjectStore {
  return store instanceof RequestCountingObjectStore ? store : new RequestCountingObjectStore(store);
}
