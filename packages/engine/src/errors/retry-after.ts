/**
 * Parses an HTTP `Retry-After` value (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) into milliseconds
 * to wait. Services differ in spelling (Box sends it lowercase, Dropbox also puts `retry_after` in the
 * body), so adapters read the value wherever their service puts it and pass it here.
 *
 * Returns `undefined` for a missing or unparseable value (the caller falls back to its own backoff), and
 * never a negative number: a date in the past means "now".
 *
 * @param value - the header value, or a number of seconds from a JSON body
 * @param now - the current time in milliseconds since the epoch (for HTTP-dates); defaults to `Date.now()`
 */
export function parseRetryAfter(
  value: string | number | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP-date always names the weekday and GMT; refusing other strings keeps "-5" or "soon" out.
  if (!/^[A-Za-z]{3},\s/.test(text) || !text.endsWith('GMT')) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
