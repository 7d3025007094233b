/**
 * The change cursor a Box walk hands the engine: the user event stream's position, kept as the exact
 * digits Box sent (an int64 above 2^53 that a JS number would round), and when it was recorded, so a
 * cursor older than Box keeps events for (21 days for the `changes` stream) is not trusted.
 *
 * Form: `<position>@<ISO time>` (`1152922976252290886@2026-11-23T14:00:00.000Z`). A bare position is
 * accepted too (age unknown).
 */

/** A decoded cursor. */
export interface BoxCursor {
  /** `next_stream_position`, as Box sent it. */
  readonly position: string;
  /** When the position was read, ISO 8601; undefined for a bare position. */
  readonly recordedAt?: string | undefined;
}

/** Encodes a cursor (see the module note). */
export function encodeBoxCursor(cursor: BoxCursor): string {
  return cursor.recordedAt === undefined ? cursor.position : `${cursor.position}@${cursor.recordedAt}`;
}

/** Decodes a cursor, or undefined when `text` is not one. */
export function decodeBoxCursor(text: string): BoxCursor | undefined {
  const match = /^(\d{1,30})(?:@(.+))?$/.exec(text.trim());
  if (match === null) return undefined;
  const [, position = '', recordedAt] = match;
  if (recordedAt === undefined) return { position };
  return Number.isFinite(Date.parse(recordedAt)) ? { position, recordedAt } : undefined;
}
