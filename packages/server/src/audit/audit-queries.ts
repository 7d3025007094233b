/**
 * Reading the security audit log: a page of `listAuditEvents`, and the keyset batches an export streams.
 * Both run the same query — the account's rows (`db/tenant.ts`), the filters ("and" between filters,
 * "any of" within one), ordered by `(occurred_at, id)` — so an export holds exactly what paging the list
 * with the same filters would show.
 *
 * Each batch is its own short query after the previous batch's last row (`db/page-cursor.ts`): no
 * connection, transaction or server-side cursor is held while a slow client reads, at the price of no
 * snapshot (an event recorded during a long export appears in it only if it sorts after the batch being
 * read). Entries are never updated or deleted, so nothing already read can change.
 */
import type { components, operations } from '@holdfast/sdk';
import type { Kysely, Transaction } from 'kysely';
import type { AuditEventRow, Database } from '../db/database-schema.ts';
import {
  afterPosition,
  decodeCursor,
  keysetBatches,
  listFingerprint,
  pageOf,
  type ListOrder,
  type PagePosition,
} from '../db/page-cursor.ts';
import { toApiTime } from '../db/time.ts';
import {
  filterValues,
  timeRange,
  type OccurredAtOrder,
  type TimeRange,
  type VisibleServices,
} from './event-filters.ts';
import { eventConditions } from './event-conditions.ts';

type Queryable = Kysely<Database> | Transaction<Database>;
type Query = NonNullable<operations['exportAuditEvents']['parameters']['query']>;

/** An audit entry as the contract's `AuditEvent`. */
export type AuditEventView = components['schemas']['AuditEvent'];

/** The filters of the audit log, normalised (see `event-filters.ts`). */
export interface AuditFilters {
  readonly order: OccurredAtOrder;
  readonly activity: readonly string[];
  readonly status: readonly string[];
  readonly service: readonly string[];
  readonly taskId: readonly string[];
  readonly performedBy: readonly string[];
  readonly range: TimeRange;
  readonly q: string | null;
  /** The caller's services (a Custom role sees its services' events and those of no service). */
  readonly visibleServices: VisibleServices;
}

/** The filters of a list or export request; `400 VALIDATION` for a time no clock has. */
export function auditFilters(query: Query, visibleServices: VisibleServices): AuditFilters {
  return {
    order: query.order ?? '-occurredAt',
    activity: filterValues(query.activity),
    status: filterValues(query.status),
    service: filterValues(query.service),
    taskId: filterValues(query.taskId),
    performedBy: filterValues(query.performedBy),
    range: timeRange(query),
    q: query.q ?? null,
    visibleServices,
  };
}

const order = (descending: boolean): ListOrder<Database, 'audit_events'> => ({
  key: (eb) => eb.ref('audit_events.occurred_at'),
  descending,
});

type AuditRowWithKey = AuditEventRow & { readonly sort_key: string };

/** At most `limit` rows after `position`, in the filters' order. */
function selectRows(
  db: Queryable,
  accountId: string,
  filters: AuditFilters,
  position: PagePosition | null,
  limit: number,
): Promise<AuditRowWithKey[]> {
  const sorting = order(filters.order.startsWith('-'));
  const direction = sorting.descending ? 'desc' : 'asc';
  let select = db
    .selectFrom('audit_events')
    .selectAll()
    .select((eb) => sorting.key(eb).as('sort_key'))
    .where('account_id', '=', accountId);
  for (const condition of eventConditions('audit_events', filters, ['description', 'actor_name', 'source_ip'])) {
    select = select.where(condition);
  }
  if (filters.performedBy.length > 0) select = select.where('actor_id', 'in', filters.performedBy);
  if (position !== null) {
    select = select.where((eb) => afterPosition(eb, sorting, eb.ref('audit_events.id'), position));
  }
  return select.orderBy('occurred_at', direction).orderBy('id', direction).limit(limit).execute();
}

/** A page of the account's audit log; `400 INVALID_CURSOR` for a cursor of other filters. */
export async function listAuditEvents(
  db: Queryable,
  accountId: string,
  filters: AuditFilters,
  page: { readonly limit: number; readonly cursor: string | undefined },
): Promise<{ readonly rows: readonly AuditEventRow[]; readonly nextCursor: string | null }> {
  const fingerprint = listFingerprint({ list: 'auditEvents', ...filters });
  const position = decodeCursor(page.cursor, fingerprint);
  const rows = await selectRows(db, accountId, filters, position, page.limit + 1);
  return pageOf(rows, page.limit, fingerprint);
}

/** Every matching row, `batchSize` at a time, each batch fetched when the previous one was consumed. */
export function auditEventBatches(
  db: Queryable,
  accountId: string,
  filters: AuditFilters,
  batchSize: number,
): AsyncGenerator<readonly AuditEventRow[], void, undefined> {
  return keysetBatches((position, limit) => selectRows(db, accountId, filters, position, limit), batchSize);
}

function parseDetails(text: string): AuditEventView['details'] {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries<AuditEventView['details'][string]>(
      Object.entries(value as Record<string, unknown>).filter(
        (entry): entry is [string, AuditEventView['details'][string]] =>
          entry[1] === null || ['string', 'number', 'boolean'].includes(typeof entry[1]),
      ),
    );
  } catch {
    return {};
  }
}

/** An entry as the contract shows it. */
export function toAuditEventView(row: AuditEventRow): AuditEventView {
  return {
    id: row.id,
    occurredAt: toApiTime(row.occurred_at),
    activity: row.activity as AuditEventView['activity'],
    status: row.status as AuditEventView['status'],
    service: row.service as AuditEventView['service'],
    taskId: row.task_id,
    performedBy: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    sourceAddress: row.source_ip,
    description: row.description,
    details: parseDetails(row.details),
  };
}
