/**
 * Times in the database: ISO 8601 UTC strings with milliseconds, one fixed width
 * (`2026-12-01T09:00:00.000Z`), so they sort and compare as text on SQLite and PostgreSQL alike.
 */
import type { Timestamp } from './database-schema.ts';

/** The stored form of a time. */
export function toTimestamp(time: Date | number): Timestamp {
  return new Date(time).toISOString();
}

/** A stored time as a Date. */
export function fromTimestamp(timestamp: Timestamp): Date {
  return new Date(timestamp);
}

/** A stored time as the contract writes it (RFC 3339 UTC, whole seconds: `2026-12-01T09:00:00Z`). */
export function toApiTime(timestamp: Timestamp): string {
  return `${timestamp.slice(0, 19)}Z`;
}
