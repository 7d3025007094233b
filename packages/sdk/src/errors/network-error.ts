/**
 * {@link HoldfastNetworkError}: the request got no answer at all (refused connection, DNS failure, reset,
 * TLS error). The underlying error is its `cause`. Aborts (an `AbortSignal` the caller fired) are not
 * wrapped: they reject with the signal's reason, as `fetch` does.
 */

const brand = Symbol.for('@holdfast/sdk:HoldfastNetworkError');

/**
 * No answer from the server. `cause` says why (for Node's fetch, `cause.cause` often holds the system
 * error, e.g. `ECONNREFUSED`).
 */
export class HoldfastNetworkError extends Error {
  override readonly name = 'HoldfastNetworkError';
  /** The request's method. */
  readonly method: string;
  /** The request's URL. */
  readonly url: string;

  constructor(method: string, url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${method} ${url} failed: ${reason}`, { cause });
    Object.defineProperty(this, brand, { value: true });
    this.method = method;
    this.url = url;
  }
}

/** Whether `value` is a {@link HoldfastNetworkError} (from any copy of this package). */
export function isHoldfastNetworkError(value: unknown): value is HoldfastNetworkError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
