/**
 * Retries of port calls: a call failing with a retryable Holdfast error (THROTTLED, TRANSIENT) is tried
 * again with exponential backoff, and a `ThrottledError` with `retryAfter` waits at least that long, so
 * throttling slows a run down and never fails it early. Only idempotent calls go through here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import { isHoldfastError } from '../errors/index.ts';

export interface RetryOptions {
  readonly signal?: AbortSignal | undefined;
  /** Retries after the first attempt. Default 6 (about a minute of backoff in all). */
  readonly retries?: number | undefined;
  /** Backoff of the first retry in ms. Default 250. */
  readonly minTimeout?: number | undefined;
}

export function retrying<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  return pRetry(call, {
    retries: options.retries ?? 6,
    minTimeout: options.minTimeout ?? 250,
    maxTimeout: 20_000,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    shouldRetry: ({ error }) => isHoldfastError(error) && error.retryable,
    onFailedAttempt: async ({ error }) => {
      if (isHoldfastError(error, 'THROTTLED') && error.retryAfter !== undefined) {
        await sleep(Math.min(error.retryAfter, 300_000), undefined, { signal: options.signal });
      }
    },
  });
}
