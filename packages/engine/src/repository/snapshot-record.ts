/**
 * Snapshot records (`snapshots/<id>`): one per backup run, never rewritten. The id is the SHA-256 of the
 * stored (sealed) bytes. A snapshot names its root tree, so it restores as a full copy however little the
 * run itself wrote.
 */
import { IntegrityError } from '../errors/index.ts';
import { isHexId } from './hex.ts';

/** What a backup run counted. */
export interface BackupStats {
  /** Items (files, folders, links) in the snapshot. */
  readonly items: number;
  /** Files not in the parent snapshot. */
  readonly newFiles: number;
  /** Files whose version or hash changed, so their content was read. */
  readonly changedFiles: number;
  /** Files reused from the parent without reading their content. */
  readonly unchangedFiles: number;
  /** Items of the parent snapshot that are gone. */
  readonly deletedItems: number;
  /** Items that could not be read (see `errors`). */
  readonly failedItems: number;
  /** Bytes of content in the snapshot. */
  readonly totalBytes: number;
  /** Bytes of content read from the source in this run. */
  readonly bytesRead: number;
  /** Bytes written to storage in this run (packs and index, after dedup, compression and encryption). */
  readonly bytesAdded: number;
  /** Blobs written in this run. */
  readonly blobsAdded: number;
  /**
   * How the source was read: `full` (every item listed), or `incremental` (only the changes since the
   * parent's cursor, laid over the parent's tree). Absent in snapshots of older versions.
   */
  readonly walk?: 'full' | 'incremental' | undefined;
  /**
   * Store requests the run made up to writing this record, by kind: what the snapshot cost on a
   * pay-per-request store. Absent in snapshots of older versions.
   */
  readonly requests?:
    | {
        readonly put: number;
        readonly get: number;
        readonly head: number;
        readonly list: number;
        readonly delete: number;
      }
    | undefined;
}

/** An item a run could not back up. */
export interface SnapshotError {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export interface SnapshotRecord {
  readonly version: 1;
  /** When the run started (ISO 8601 UTC): the snapshot's point in time. */
  readonly time: string;
  readonly endTime: string;
  /** The source's name (`fs:/home/ana`, `box:enterprise 42`). */
  readonly source: string;
  readonly entity: { readonly id: string; readonly name?: string | undefined };
  /** The root tree's blob id. */
  readonly tree: string;
  /** The snapshot this run diffed against. */
  readonly parent?: string | undefined;
  /** The source's change cursor after the walk. */
  readonly cursor?: string | undefined;
  readonly tags: readonly string[];
  /** `partial` when some items could not be backed up. */
  readonly status: 'complete' | 'partial';
  readonly stats: BackupStats;
  /** The first items that failed (at most 100; `stats.failedItems` counts them all). */
  readonly errors: readonly SnapshotError[];
  readonly hostname: string;
  readonly username: string;
  readonly tool: { readonly name: string; readonly version: string };
  /**
   * Set when the record replaces another (GDPR erase rewrites every snapshot that held an erased item,
   * keeping its time and everything else): the replaced record's id, when and why.
   */
  readonly rewritten?: { readonly from: string; readonly at: string; readonly reason: 'erase' } | undefined;
}

/** A snapshot record with its id. */
export interface Snapshot extends SnapshotRecord {
  readonly id: string;
}

export function parseSnapshotRecord(value: unknown, id: string): SnapshotRecord {
  const record = value as Partial<SnapshotRecord> | null;
  if (
    record?.version !== 1 ||
    typeof record.time !== 'string' ||
    typeof record.source !== 'string' ||
    typeof record.entity?.id !== 'string' ||
    !isHexId(record.tree) ||
    !Array.isArray(record.tags) ||
    typeof record.stats !== 'object'
  ) {
    throw new IntegrityError(`snapshot ${id.slice(0, 8)} is malformed`);
  }
  return record as SnapshotRecord;
}
