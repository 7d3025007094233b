/**
 * The handlers of the security audit log and the system activity log (S7): `listAuditEvents`,
 * `exportAuditEvents`, `listActivityEvents`, `exportActivityEvents`. Every query names the caller's
 * account; a Custom role sees the events of its services and those of no service (`visibleServicesOf`). Lists page by keyset (`db/page-cursor.ts`); exports take the same filters and order, without
 * paging, and stream CSV (`csv-writer.ts`) from keyset batches of {@link exportBatchSize} rows, so an
 * export of any size holds one batch in memory. The first batch is read before the answer starts, so a
 * failing database is a problem answer; a failure later cuts the connection (`http/openapi/operation-router.ts`).
 */
import type { HandlerFactory } from '../http/handlers/handler-types.ts';
import { callerOf } from '../users/caller.ts';
import { activityEventBatches, activityFilters, listActivityEvents, toActivityEventView } from './activity-queries.ts';
import { auditEventBatches, auditFilters, listAuditEvents, toAuditEventView } from './audit-queries.ts';
import { csvChunks, startedStream } from './csv-writer.ts';
import { activityCsvCells, activityCsvHeader, auditCsvCells, auditCsvHeader } from './event-csv.ts';
import { csvAttachment, exportBatchSize, visibleServicesOf } from './event-filters.ts';

/** The handlers of both logs (see the module note); registered in `http/handlers/default-handlers.ts`. */
export const auditHandlers: HandlerFactory = (services) => {
  const { db } = services.database;

  return {
    listAuditEvents: async ({ principal, query }) => {
      const caller = callerOf(principal);
      const page = await listAuditEvents(db, caller.accountId, auditFilters(query, visibleServicesOf(caller)), {
        limit: query.limit ?? 50,
        cursor: query.cursor,
      });
      return { status: 200, body: { items: page.rows.map(toAuditEventView), nextCursor: page.nextCursor } };
    },

    exportAuditEvents: async ({ principal, query }) => {
      const caller = callerOf(principal);
      const batches = auditEventBatches(
        db,
        caller.accountId,
        auditFilters(query, visibleServicesOf(caller)),
        exportBatchSize,
      );
      const body = await startedStream(csvChunks(auditCsvHeader, batches, auditCsvCells));
      return {
        status: 200,
        headers: { 'Content-Disposition': csvAttachment('audit-events', services.clock()) },
        body,
      };
    },

    listActivityEvents: async ({ principal, query }) => {
      const caller = callerOf(principal);
      const page = await listActivityEvents(db, caller.accountId, activityFilters(query, visibleServicesOf(caller)), {
        limit: query.limit ?? 50,
        cursor: query.cursor,
      });
      return { status: 200, body: { items: page.rows.map(toActivityEventView), nextCursor: page.nextCursor } };
    },

    exportActivityEvents: async ({ principal, query }) => {
      const caller = callerOf(principal);
      const batches = activityEventBatches(
        db,
        caller.accountId,
        activityFilters(query, visibleServicesOf(caller)),
        exportBatchSize,
      );
      const body = await startedStream(csvChunks(activityCsvHeader, batches, activityCsvCells));
      return {
        status: 200,
        headers: { 'Content-Disposition': csvAttachment('activity-events', services.clock()) },
        body,
      };
    },
  };
};
