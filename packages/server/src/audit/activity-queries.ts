/**
 * Reading the system activity log: a page of `listActivityEvents`, and the keyset batches an export
 * streams — one query for both, as for the audit log (`audit-queries.ts`, whose note on batches and
 * snapshots applies here too). `q` matches the description, the item and the task's name.
 *
 * `execution_ms`, `size_bytes` and `item_count` are `bigint` columns: depending on the driver and its
 * parsers they come back as numbers, strings or bigints; {@link toActivityEventView} makes them numbers
 * (they stay far below 2^53).
 */
import type { components, operations } from '@holdfast/sdk';
import type { Kysely, Transaction } from 'kysely';
import type { ActivityEventRow, Database } from '../db/database-schema.ts';
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
type Query = NonNullable<operations['exportActivityEvents']['parameters']['query']>;

/** An activity entry as the contract's `ActivityEvent`. */
export type ActivityEventView = components['schemas']['ActivityEvent'];

/** The filters of the activity log, normalised (see `event-filters.ts`). */
export interface ActivityFilters {
  readonly order: OccurredAtOrder;
  readonly activity: readonly string[];
  readonly status: readonly string[];
  readonly service: readonly string[];
  readonly taskId: readonly string[];
  readonly range: TimeRange;
  readonly q: string | null;
  /** The caller's services (a Custom role sees its services' events and those of no service). */
  readonly visibleServices: VisibleServices;
}

/** The filters of a list or export request; `400 VALIDATION` for a time no clock has. */
export function activityFilters(query: Query, visibleServices: VisibleServices): ActivityFilters {
  return {
    order: query.order ?? '-occurredAt',
    activity: filterValues(query.activity),
    status: filterValues(query.status),
    service: filterValues(query.service),
    taskId: filterValues(query.taskId),
    range: timeRange(query),
    q: query.q ?? null,
    visibleServices,
  };
}

type ActivityRowWithKey = ActivityEventRow & { readonly sort_key: string };

function selectRows(
  db: Queryable,
  accountId: string,
  filters: ActivityFilters,
  position: PagePosition | null,
  limit: number,
): Promise<ActivityRowWithKey[]> {
  const sorting: ListOrder<Database, 'activity_events'> = {
    key: (eb) => eb.ref('activity_events.occurred_at'),
    descending: filters.order.startsWith('-'),
  };
  const direction = sorting.descending ? 'desc' : 'asc';
  let select = db
    .selectFrom('activity_events')
    .selectAll()
    .select((eb) => sorting.key(eb).as('sort_key'))
    .where('account_id', '=', accountId);
  for (const condition of eventConditions('activity_events', filters, ['description', 'item', 'task_name'])) {
    select = select.where(condition);
  }
  if (position !== null) {
    select = select.where((eb) => afterPosition(eb, sorting, eb.ref('activity_events.id'), position));
  }
  return select.orderBy('occurred_at', direction).orderBy('id', direction).limit(limit).execute();
}

/** A page of the account's activity log; `400 INVALID_CURSOR` for a cursor of other filters. */
export async function listActivityEvents(
  db: Queryable,
  accountId: string,
  filters: ActivityFilters,
  page: { readonly limit: number; readonly cursor: string | undefined },
): Promise<{ readonly rows: readonly ActivityEventRow[]; readonly nextCursor: string | null }> {
  const fingerprint = listFingerprint({ list: 'activityEvents', ...filters });
  const position = decodeCursor(page.cursor, fingerprint);
  const rows = await selectRows(db, accountId, filters, position, page.limit + 1);
  return pageOf(rows, page.limit, fingerprint);
}

/** Every matching row, `batchSize` at a time, each batch fetched when the previous one was consumed. */
export function activityEventBatches(
  db: Queryable,
  accountId: string,
  filters: ActivityFilters,
  batchSize: number,
): AsyncGenerator<readonly ActivityEventRow[], void, undefined> {
  return keysetBatches((position, limit) => selectRows(db, accountId, filters, position, limit), batchSize);
}

/** A `bigint` column as a number, whatever the driver answered (number, string or bigint). */
export function countOf(value: string | number | bigint | null): number | null {
  return value === null ? null : Number(value);
}

/** An entry as the contract shows it. */
export function toActivityEventView(row: ActivityEventRow): ActivityEventView {
  return {
    id: row.id,
    occurredAt: toApiTime(row.occurred_at),
    activity: row.activity as ActivityEventView['activity'],
    status: row.status as ActivityEventView['status'],
    service: row.service as ActivityEventView['service'],
    taskId: row.task_id,
    taskName: row.task_name,
    jobId: row.job_id,
    item: row.item,
    executionMs: countOf(row.execution_ms),
    sizeBytes: countOf(row.size_bytes),
    itemCount: countOf(row.item_count),
    initiator: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    description: row.description,
  };
}
