/**
 * The columns of the two CSV exports, as the contract lists them (`exportAuditEvents`,
 * `exportActivityEvents`): the same values as the JSON lists, flattened — the actor as kind, id and name;
 * the audit entry's `details` as one JSON cell; the activity log's counts as number cells. Times are the
 * API's (`2026-12-01T09:00:00Z`).
 */
import type { ActivityEventRow, AuditEventRow } from '../db/database-schema.ts';
import { toActivityEventView } from './activity-queries.ts';
import { toAuditEventView } from './audit-queries.ts';
import type { CsvCell } from './csv-writer.ts';

/** The header of the audit log export. */
export const auditCsvHeader: readonly string[] = [
  'id',
  'occurredAt',
  'activity',
  'status',
  'service',
  'taskId',
  'performedByKind',
  'performedById',
  'performedBy',
  'sourceAddress',
  'description',
  'details',
];

/** One audit entry's cells, in {@link auditCsvHeader} order. */
export function auditCsvCells(row: AuditEventRow): readonly CsvCell[] {
  const event = toAuditEventView(row);
  return [
    event.id,
    event.occurredAt,
    event.activity,
    event.status,
    event.service,
    event.taskId,
    event.performedBy.kind,
    event.performedBy.id,
    event.performedBy.name,
    event.sourceAddress,
    event.description,
    JSON.stringify(event.details),
  ];
}

/** The header of the activity log export. */
export const activityCsvHeader: readonly string[] = [
  'id',
  'occurredAt',
  'activity',
  'status',
  'service',
  'taskId',
  'taskName',
  'jobId',
  'item',
  'executionMs',
  'sizeBytes',
  'itemCount',
  'initiatorKind',
  'initiatorId',
  'initiator',
  'description',
];

/** One activity entry's cells, in {@link activityCsvHeader} order. */
export function activityCsvCells(row: ActivityEventRow): readonly CsvCell[] {
  const event = toActivityEventView(row);
  return [
    event.id,
    event.occurredAt,
    event.activity,
    event.status,
    event.service,
    event.taskId,
    event.taskName,
    event.jobId,
    event.item,
    event.executionMs,
    event.sizeBytes,
    event.itemCount,
    event.initiator.kind,
    event.initiator.id,
    event.initiator.name,
    event.description,
  ];
}
