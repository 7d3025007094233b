/**
 * Token buckets by key, in memory: each key's bucket holds up to `burst` tokens, refills at `requests`
 * per `perMs`, and a request takes one token or is refused with how long until the next one. Time comes
 * from the caller (the server's injectable clock), so tests move time instead of waiting; a clock that
 * moves back refills nothing.
 *
 * Memory is bounded: at most `maxKeys` buckets are kept, the least recently used dropped first (Map
 * order, refreshed on each use). A dropped bucket comes back full, which is what an idle bucket would
 * be anyway; a flood of fresh keys could push out a busy one early, the price of a fixed bound.
 */

/** A rate: `requests` per `perMs`, with bursts of up to `burst`. */
export interface RateLimit {
  readonly requests: number;
  readonly perMs: number;
  readonly burst: number;
}

/** What a request gets: a token, or the wait until one. */
export type Take = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  readonly #limit: RateLimit;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limit: RateLimit, maxKeys = 100_000) {
    this.#limit = limit;
    this.#maxKeys = maxKeys;
  }

  /** Buckets held now (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes a token from `key`'s bucket at `nowMs`. */
  take(key: string, nowMs: number): Take {
    const { requests, perMs, burst } = this.#limit;
    const perToken = perMs / requests;
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: nowMs };
    this.#buckets.delete(key);
    const elapsed = Math.max(0, nowMs - bucket.at);
    bucket.tokens = Math.min(burst, bucket.tokens + elapsed / perToken);
    bucket.at = nowMs;
    this.#buckets.set(key, bucket);
    while (this.#buckets.size > this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest === undefined) break;
      this.#buckets.delete(oldest);
    }
    // Fractions of tokens are floating point: a hair's breadth (1e-9 token) counts as a whole token, so
    // waiting exactly the time answered is always enough.
    if (bucket.tokens >= 1 - 1e-9) {
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.max(1, Math.ceil((1 - bucket.tokens) * perToken - 1e-6)) };
  }
}
