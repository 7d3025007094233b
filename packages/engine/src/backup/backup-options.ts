/** Options and progress of {@link Repository.backup}. */
import type { LockOptions } from '../repository/locks.ts';

/** A progress report, emitted at most every `progressInterval` ms and once at the end. */
export interface BackupProgress {
  /** `walking` while items are found and saved; `finishing` while the last packs, index and snapshot are written. */
  readonly phase: 'walking' | 'finishing' | 'done';
  /** Items seen so far. */
  readonly items: number;
  readonly newFiles: number;
  readonly changedFiles: number;
  readonly unchangedFiles: number;
  readonly failedItems: number;
  /** Bytes of content in the items seen so far (reused and read). */
  readonly totalBytes: number;
  /** Bytes of content read from the source so far. */
  readonly bytesRead: number;
  /** Bytes written to storage so far. */
  readonly bytesAdded: number;
  readonly elapsedMs: number;
  /** Bytes read per second over the run. */
  readonly bytesPerSecond: number;
  /** The parent snapshot's total bytes: the best estimate of this run's total before the walk ends. */
  readonly estimatedTotalBytes?: number | undefined;
  /** Estimated time left, when there is an estimate of the total. */
  readonly etaMs?: number | undefined;
  /** A path being worked on. */
  readonly currentPath?: string | undefined;
}

export interface BackupOptions {
  /** Tags to record on the snapshot. */
  readonly tags?: readonly string[] | undefined;
  /** The entity's human name to record. */
  readonly entityName?: string | undefined;
  /**
   * The snapshot to diff against: an id, or `null` for none (read everything). Default: the latest
   * snapshot of the same source and entity.
   */
  readonly parent?: string | null | undefined;
  /** Files read at once. Default 4. */
  readonly concurrency?: number | undefined;
  /** Cancels the run; the repository stays consistent and no snapshot is written. */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: BackupProgress) => void) | undefined;
  /** Milliseconds between progress reports. Default 250. */
  readonly progressInterval?: number | undefined;
  readonly lock?: LockOptions | undefined;
}
