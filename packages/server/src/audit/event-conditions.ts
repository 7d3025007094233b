/**
 * The conditions the filters of both logs put on their table (`audit_events`, `activity_events`: the
 * same columns for what both filter on), written once for both: the equality filters ("any of"), the
 * services a Custom role may see, the half-open time range and the free text over the columns each log
 * searches. Each condition names its table's columns, so it composes with joins later.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { containsPattern, type TimeRange, type VisibleServices } from './event-filters.ts';

/** The tables of the two logs. */
export type EventTable = 'audit_events' | 'activity_events';

/** The filters both logs have. */
export interface EventFilters {
  readonly activity: readonly string[];
  readonly status: readonly string[];
  readonly service: readonly string[];
  readonly taskId: readonly string[];
  readonly range: TimeRange;
  readonly q: string | null;
  readonly visibleServices: VisibleServices;
}

function anyOf(column: ReturnType<typeof sql.ref>, values: readonly string[]): Expression<SqlBool> {
  return sql<SqlBool>`${column} in (${sql.join(values)})`;
}

/**
 * The conditions of `filters` on `table`; `searched` are the text columns `q` looks in (nullable ones
 * count as empty).
 */
export function eventConditions(
  table: EventTable,
  filters: EventFilters,
  searched: readonly string[],
): Expression<SqlBool>[] {
  const column = (name: string) => sql.ref(`${table}.${name}`);
  const conditions: Expression<SqlBool>[] = [];
  if (filters.activity.length > 0) conditions.push(anyOf(column('activity'), filters.activity));
  if (filters.status.length > 0) conditions.push(anyOf(column('status'), filters.status));
  if (filters.service.length > 0) conditions.push(anyOf(column('service'), filters.service));
  const visible = filters.visibleServices;
  if (visible !== 'all') {
    conditions.push(
      visible.length === 0
        ? sql<SqlBool>`${column('service')} is null`
        : sql<SqlBool>`(${column('service')} is null or ${anyOf(column('service'), visible)})`,
    );
  }
  if (filters.taskId.length > 0) conditions.push(anyOf(column('task_id'), filters.taskId));
  if (filters.range.from !== null) conditions.push(sql<SqlBool>`${column('occurred_at')} >= ${filters.range.from}`);
  if (filters.range.to !== null) conditions.push(sql<SqlBool>`${column('occurred_at')} < ${filters.range.to}`);
  if (filters.q !== null) {
    const pattern = containsPattern(filters.q);
    const matches = searched.map(
      (name) => sql<SqlBool>`lower(coalesce(${column(name)}, '')) like lower(${pattern}) escape '\\'`,
    );
    conditions.push(sql<SqlBool>`(${sql.join(matches, sql` or `)})`);
  }
  return conditions;
}
