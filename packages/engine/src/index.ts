/**
 * `@holdfast/engine`: the Holdfast backup engine.
 *
 * A {@link Repository} lives in any {@link ObjectStore} (built in: {@link FsObjectStore},
 * {@link MemoryObjectStore}; S3, Azure Blob and GCS in `@holdfast/storage-adapters`), is opened with a
 * {@link KeyProvider}, backs up any {@link Source} entity into encrypted, deduplicated snapshots, restores
 * them to any {@link RestoreTarget}, and checks itself. The `holdfast` CLI is a thin layer over this API.
 * See `docs/engine.md` for a walk-through and `docs/design.md` for the repository format.
 *
 * @packageDocumentation
 */
export * from './errors/index.ts';
export * from './ports/index.ts';
export { packageName, packageVersion } from './package-info.ts';

export { Repository, type InitOptions, type OpenOptions } from './repository/repository.ts';
export type { RepositoryConfig } from './repository/repository-config.ts';
export type { ChunkerSizes } from './repository/repository-crypto.ts';
export type { BackupStats, Snapshot, SnapshotError, SnapshotRecord } from './repository/snapshot-record.ts';
export type { SnapshotFilter } from './repository/snapshot-store.ts';
export type { KeyInfo, KeyRecord } from './repository/key-records.ts';
export type { TreeNode } from './repository/tree.ts';
export type { TreeEntry, WalkTreeOptions } from './repository/tree-walk.ts';
export type { DiffEntry } from './repository/tree-diff.ts';
export type { Lock, LockKind, LockOptions, LockRecord } from './repository/locks.ts';
export type { BackupOptions, BackupProgress } from './backup/backup-options.ts';
export type { RestoreOptions, RestoreProgress, RestoreResult } from './restore/restore-run.ts';
export {
  RESTORE_MODES,
  restoreFolderName,
  type PlannedItem,
  type RestoreAction,
  type RestoreMode,
  type RestorePlan,
  type RestorePlanOptions,
  type RestoreReason,
} from './restore/restore-plan.ts';
export type { ExecuteRestoreOptions, RestoreItemOutcome, RestoreReport } from './restore/restore-execute.ts';
export type { CheckOptions, CheckProblem, CheckProgress, CheckReport } from './check/check-run.ts';
export type { ForgetGroup, ForgetOptions, ForgetResult } from './lifecycle/forget.ts';
export type { ExportOptions, ExportProgress, ExportResult } from './export/zip-export.ts';
export { MANIFEST_CSV_COLUMNS, type ManifestHeader, type ManifestItem } from './export/manifest.ts';
export type { EraseItem, EraseOptions, EraseReport, EraseRequest } from './lifecycle/erase/erase-run.ts';
export type { PruneOptions, PruneProgress, PruneReport } from './lifecycle/prune/prune-run.ts';
export {
  RequestCountingObjectStore,
  zeroCounts,
  type ObjectStoreCallCounts,
} from './stores/request-counting-object-store.ts';
export { RetryingObjectStore, type RetryingObjectStoreOptions } from './stores/retrying-object-store.ts';
export { ConcurrencyLimitedObjectStore } from './stores/concurrency-limited-object-store.ts';
export type { PackAction, PackDecision } from './lifecycle/prune/prune-plan.ts';
export {
  applyRetention,
  isUnlimited,
  isoWeek,
  parseRetentionDuration,
  validateRetentionPolicy,
  type KeepReason,
  type RetentionCandidate,
  type RetentionDecision,
  type RetentionDuration,
  type RetentionPolicy,
} from './lifecycle/retention.ts';

export * from './keys/index.ts';
export * from './memory/index.ts';
export * from './fs/index.ts';
export * from './paths/index.ts';
