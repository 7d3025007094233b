/**
 * Writing the system activity log (S7): one entry per backup, restore, export or erasure run, written by
 * the job when the run ends (the jobs come with the next issues; until then only tests write here). An
 * entry says what ran, for which service, task and item, how it ended, how long it took, how many bytes
 * and items it moved, and who started it. Append-only, like the audit log.
 */
import type { components } from '@holdfast/sdk';
import type { Kysely, Transaction } from 'kysely';
import type { ServiceId } from '../auth/principal.ts';
import type { Database } from '../db/database-schema.ts';
import { newId } from '../db/ids.ts';
import { toTimestamp } from '../db/time.ts';
import type { AuditActor } from './audit-log.ts';

type Queryable = Kysely<Database> | Transaction<Database>;

/** What ran (`components/schemas/ActivityKind`). */
export type ActivityKind = components['schemas']['ActivityKind'];
/** How it ended (`components/schemas/ActivityStatus`). */
export type ActivityStatus = components['schemas']['ActivityStatus'];

export interface ActivityEntry {
  readonly accountId: string;
  readonly activity: ActivityKind;
  readonly status: ActivityStatus;
  readonly service: ServiceId | null;
  readonly taskId: string | null;
  /** The task's name at the time. */
  readonly taskName: string | null;
  readonly jobId: string | null;
  /** The entity or item the run was about (a user's address, a folder path). */
  readonly item: string | null;
  readonly executionMs: number | null;
  readonly sizeBytes: number | null;
  readonly itemCount: number | null;
  /** Who started it: a user or key on demand, the server for scheduled runs. */
  readonly initiator: AuditActor;
  readonly description: string;
}

/** Records one run; answers the entry's id. */
export async function recordActivity(db: Queryable, entry: ActivityEntry, now: Date): Promise<string> {
  const id = newId('act', now.getTime());
  await db
    .insertInto('activity_events')
    .values({
      id,
      account_id: entry.accountId,
      occurred_at: toTimestamp(now),
      activity: entry.activity,
      status: entry.status,
      service: entry.service,
      task_id: entry.taskId,
      task_name: entry.taskName,
      job_id: entry.jobId,
      item: entry.item,
      execution_ms: entry.executionMs,
      size_bytes: entry.sizeBytes,
      item_count: entry.itemCount,
      actor_kind: entry.initiator.kind,
      actor_id: entry.initiator.id,
      actor_name: entry.initiator.name,
      description: entry.description,
    })
    .execute();
  return id;
}
