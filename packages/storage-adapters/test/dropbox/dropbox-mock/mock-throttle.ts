/**
 * Rate limits of the Dropbox mock, shaped from `auth.RateLimitError` (429 with `reason` and `retry_after`)
 * and Dropbox's `Retry-After` header (also on 503): per account, `allow` calls are served, then `refuse`
 * calls are throttled, again and again, so a test decides exactly which calls are refused without any
 * clock. `limit` stops throttling after that many refusals.
 */
import { rateLimited } from './mock-http.ts';
import type { MockAccount } from './mock-accounts.ts';

/** A throttling rule: per account, `allow` calls answered, then `refuse` throttled, again and again. */
export interface MockThrottle {
  readonly allow: number;
  readonly refuse: number;
  /** Only this account (id) or team member id. Default: every account. */
  readonly account?: string | undefined;
  readonly status?: 429 | 503 | undefined;
  readonly reason?: 'too_many_requests' | 'too_many_write_operations' | undefined;
  /** Seconds (0 or 1 in tests). Default 0. */
  readonly retryAfter?: number | undefined;
  readonly via?: 'header' | 'body' | 'both' | 'none' | undefined;
  /** Only these HTTP routes. Default: all but the token endpoint. */
  readonly routes?: readonly string[] | undefined;
  /** Throttle at most this many calls, then serve everything. Default: no limit. */
  readonly limit?: number | undefined;
}

/** Applies one {@link MockThrottle} rule at a time. */
export class MockThrottler {
  #rule: MockThrottle | undefined;
  readonly #counts = new Map<string, number>();
  #byRule = 0;
  /** Calls answered as throttled, over every rule. */
  throttled = 0;

  /** Sets the rule (`undefined`: none), starting its counts afresh. */
  set(rule: MockThrottle | undefined): void {
    this.#rule = rule;
    this.#counts.clear();
    this.#byRule = 0;
  }

  /** Throws the throttled answer when the rule refuses this call. */
  check(httpRoute: string, account: MockAccount | undefined): void {
    const rule = this.#rule;
    if (rule === undefined) return;
    if (rule.routes !== undefined && !rule.routes.includes(httpRoute)) return;
    if (rule.account !== undefined && account?.accountId !== rule.account && account?.teamMemberId !== rule.account)
      return;
    const key = account?.accountId ?? 'team';
    const n = this.#counts.get(key) ?? 0;
    this.#counts.set(key, n + 1);
    if (n % (rule.allow + rule.refuse) < rule.allow) return;
    if (rule.limit !== undefined && this.#byRule >= rule.limit) return;
    this.#byRule += 1;
    this.throttled += 1;
    throw rateLimited(rule.reason ?? 'too_many_requests', rule.retryAfter ?? 0, rule.via ?? 'both', rule.status ?? 429);
  }
}
