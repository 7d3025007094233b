/**
 * When the client retries by itself: `429` (throttled) and `503` (briefly unavailable) answers, for
 * requests that are safe to send again — idempotent methods (RFC 9110 section 9.2.2) and requests
 * carrying an `Idempotency-Key` (the server replays the first answer) — at most
 * {@link RetryOptions.maxRetries} times, waiting what `Retry-After` says (or 1 s, 2 s, 4 s, ... when it
 * says nothing). A wait longer than {@link RetryOptions.maxDelaySeconds} is not waited: the answer goes
 * back to the caller (a `HoldfastApiError` with `retryAfter`).
 *
 * The probes (`/healthz`, `/readyz`) are never retried: their `503` is the answer the caller asked for.
 */
import { parseRetryAfter } from '../errors/holdfast-api-error.ts';
import type { BufferedRequest } from './buffered-request.ts';

/** How the client retries throttled and unavailable answers. */
export interface RetryOptions {
  /** Most retries of one request (default 2; 0 turns retrying off). */
  readonly maxRetries?: number;
  /** Longest wait honoured, in seconds (default 60). */
  readonly maxDelaySeconds?: number;
}

/** {@link RetryOptions} with the defaults filled in. */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly maxDelaySeconds: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxRetries: 2, maxDelaySeconds: 60 };

export function retryPolicy(options: RetryOptions | undefined): RetryPolicy {
  const maxRetries = options?.maxRetries ?? defaultRetryPolicy.maxRetries;
  const maxDelaySeconds = options?.maxDelaySeconds ?? defaultRetryPolicy.maxDelaySeconds;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new RangeError(`retry.maxRetries must be a whole number ≥ 0, not ${String(maxRetries)}`);
  }
  if (!(maxDelaySeconds >= 0)) {
    throw new RangeError(`retry.maxDelaySeconds must be ≥ 0, not ${String(maxDelaySeconds)}`);
  }
  return { maxRetries, maxDelaySeconds };
}

const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

function isProbe(url: string): boolean {
  const { pathname } = new URL(url);
  return pathname.endsWith('/healthz') || pathname.endsWith('/readyz');
}

/** Whether `request` may be sent again after a `429` or `503`. */
export function mayRetry(request: BufferedRequest): boolean {
  if (isProbe(request.url)) return false;
  return idempotentMethods.has(request.method.toUpperCase()) || request.headers.has('idempotency-key');
}

/**
 * Milliseconds to wait before retry number `attempt + 1` of a request that got `response`, or null when
 * the client should not retry (not `429`/`503`, retries used up, or the wait is too long).
 */
export function retryDelayMs(
  response: Response,
  attempt: number,
  policy: RetryPolicy,
  now = Date.now(),
): number | null {
  if (response.status !== 429 && response.status !== 503) return null;
  if (attempt >= policy.maxRetries) return null;
  const seconds = parseRetryAfter(response.headers.get('retry-after'), now) ?? 2 ** attempt;
  return seconds > policy.maxDelaySeconds ? null : seconds * 1000;
}
