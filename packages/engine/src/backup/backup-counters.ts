/** The running counts of a backup, turned into progress reports and the snapshot's stats. */
import type { BackupStats } from '../repository/snapshot-record.ts';
import type { BackupProgress } from './backup-options.ts';

export class BackupCounters {
  items = 0;
  newFiles = 0;
  changedFiles = 0;
  unchangedFiles = 0;
  deletedItems = 0;
  failedItems = 0;
  totalBytes = 0;
  bytesRead = 0;
  bytesAdded = 0;
  blobsAdded = 0;
  currentPath: string | undefined;
  readonly #started = Date.now();
  readonly #estimate: number | undefined;

  constructor(estimatedTotalBytes: number | undefined) {
    this.#estimate = estimatedTotalBytes;
  }

  progress(phase: BackupProgress['phase']): BackupProgress {
    const elapsedMs = Date.now() - this.#started;
    const bytesPerSecond = elapsedMs > 0 ? (this.bytesRead * 1000) / elapsedMs : 0;
    const totalPerSecond = elapsedMs > 0 ? (this.totalBytes * 1000) / elapsedMs : 0;
    const left = this.#estimate === undefined ? undefined : Math.max(0, this.#estimate - this.totalBytes);
    return {
      phase,
      items: this.items,
      newFiles: this.newFiles,
      changedFiles: this.changedFiles,
      unchangedFiles: this.unchangedFiles,
      failedItems: this.failedItems,
      totalBytes: this.totalBytes,
      bytesRead: this.bytesRead,
      bytesAdded: this.bytesAdded,
      elapsedMs,
      bytesPerSecond,
      ...(this.#estimate === undefined ? {} : { estimatedTotalBytes: this.#estimate }),
      ...(left === undefined || totalPerSecond === 0 ? {} : { etaMs: (left / totalPerSecond) * 1000 }),
      ...(this.currentPath === undefined ? {} : { currentPath: this.currentPath }),
    };
  }

  stats(): BackupStats {
    return {
      items: this.items,
      newFiles: this.newFiles,
      changedFiles: this.changedFiles,
      unchangedFiles: this.unchangedFiles,
      deletedItems: this.deletedItems,
      failedItems: this.failedItems,
      totalBytes: this.totalBytes,
      bytesRead: this.bytesRead,
      bytesAdded: this.bytesAdded,
      blobsAdded: this.blobsAdded,
    };
  }
}
