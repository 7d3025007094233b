/**
 * What the lists and exports of both logs (audit events, activity events) share: their order, the time
 * range, the free-text pattern and the normalisation that makes equal filters equal, so a cursor made for
 * `?status=failed&status=succeeded` continues `?status=succeeded&status=failed` (`db/page-cursor.ts`).
 *
 * Times: the contract's `occurredAtFrom`/`occurredAtTo` are RFC 3339 with any offset and precision; they
 * are compared as the database stores times (ISO 8601 UTC with milliseconds, fixed width: text order is
 * time order on both databases). `from` is inclusive, `to` exclusive, so consecutive ranges never count
 * an event twice. A range that ends before it starts selects nothing (not an error). A value the format
 * check let through but no clock has (a leap second, `23:59:60Z`) is `400 VALIDATION`, never a 500.
 *
 * Free text: a case-insensitive substring, `%` and `_` taken literally. `lower()` folds ASCII on SQLite
 * and all of Unicode on PostgreSQL, so non-ASCII letters match case-insensitively on PostgreSQL only.
 */
import { HttpProblem } from '../http/problem.ts';
import { listParameter } from '../db/page-cursor.ts';

/** The order of both logs: by `occurredAt`, ties by id; `-` is newest first (the default). */
export type OccurredAtOrder = 'occurredAt' | '-occurredAt';

/** A normalised half-open time range in stored form; null ends are open. */
export interface TimeRange {
  readonly from: string | null;
  readonly to: string | null;
}

/** A repeatable filter as a sorted list without duplicates (so equal filters fingerprint equally). */
export function filterValues<T extends string>(value: T | readonly T[] | undefined): readonly T[] {
  return [...new Set(listParameter(value))].sort();
}

function storedTime(value: string | undefined, parameter: string): string | null {
  if (value === undefined) return null;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw new HttpProblem(400, 'VALIDATION', '1 value is invalid.', {
      errors: [{ path: `/query/${parameter}`, message: 'is not a moment in time' }],
    });
  }
  return time.toISOString();
}

/** The time range of `occurredAtFrom` (inclusive) and `occurredAtTo` (exclusive), in stored form. */
export function timeRange(query: { readonly occurredAtFrom?: string; readonly occurredAtTo?: string }): TimeRange {
  return {
    from: storedTime(query.occurredAtFrom, 'occurredAtFrom'),
    to: storedTime(query.occurredAtTo, 'occurredAtTo'),
  };
}

/** A `like` pattern matching `text` anywhere, with `\` as the escape character (lower-case it in SQL). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** Rows per database round trip of an export: memory stays at one batch, whatever the export's size. */
export const exportBatchSize = 500;

/** `attachment; filename="<name>-20261201T090000Z.csv"` (UTC, no characters a file system refuses). */
export function csvAttachment(name: string, now: Date): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '');
  return `attachment; filename="${name}-${stamp}Z.csv"`;
}

/**
 * The services whose events a caller may see: `all` for Administrators (and Administrator keys), else
 * the services of a Custom role. Events of no service (sign-ins, settings) are the account's and are
 * seen by everyone who may read the log.
 */
export type VisibleServices = readonly string[] | 'all';

/** The {@link VisibleServices} of a principal, sorted (they take part in a cursor's fingerprint). */
export function visibleServicesOf(principal: { readonly services: ReadonlySet<string> | 'all' }): VisibleServices {
  return principal.services === 'all' ? 'all' : [...principal.services].sort();
}
