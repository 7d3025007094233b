/**
 * Options shared by every Dropbox class: how to reach Dropbox (base URLs, a fetch of your own), how to
 * authenticate ({@link DropboxCredentials}), and the throttling policy (bounded concurrency per member and
 * per app, retries that honour `Retry-After`). Checked once, when a client is made; a mistake is a
 * `ValidationError` naming the option, never repeating a secret.
 */
import { ValidationError } from '@holdfast/engine';
import type { DropboxCredentials } from './dropbox-token-provider.ts';

/** Where the three Dropbox API hosts are. Tests point them at a mock. */
export interface DropboxBaseUrls {
  /** RPC endpoints and the token endpoint. Default `https://api.dropboxapi.com`. */
  readonly api: string;
  /** Downloads and uploads. Default `https://content.dropboxapi.com`. */
  readonly content: string;
  /** Long-polling (not used by the adapter yet; accepted for symmetry). Default `https://notify.dropboxapi.com`. */
  readonly notify: string;
}

/** Dropbox's own hosts. */
export const DROPBOX_BASE_URLS: DropboxBaseUrls = {
  api: 'https://api.dropboxapi.com',
  content: 'https://content.dropboxapi.com',
  notify: 'https://notify.dropboxapi.com',
};

/** How throttled and failed calls are retried. */
export interface DropboxRetryOptions {
  /**
   * Attempts of one call that Dropbox throttles (429, 503, `too_many_write_operations`), the first
   * included. Default 20: with Dropbox's usual `retry_after` of seconds to a minute, throttling slows a run
   * down and does not fail it.
   */
  readonly maxAttempts?: number | undefined;
  /**
   * Attempts of a read (or another call safe to repeat) that failed with a 5xx or a dropped connection.
   * Default 5.
   */
  readonly maxTransientAttempts?: number | undefined;
  /** The first backoff when Dropbox gave no `Retry-After`, in ms (doubled per attempt, jittered). Default 500. */
  readonly minDelayMs?: number | undefined;
  /** The longest backoff without `Retry-After`, in ms. Default 60 000. */
  readonly maxDelayMs?: number | undefined;
  /** How to wait (for tests that count waits instead of taking them). Default: a timer. */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

/** Bounded concurrency: calls in flight at once (a download counts until its body is read). */
export interface DropboxConcurrencyOptions {
  /** Per team member (or per account in user mode). Default 4. */
  readonly perMember?: number | undefined;
  /** For the whole app connection (all members together). Default 16. */
  readonly perApp?: number | undefined;
}

/** Options of a {@link DropboxClient}. */
export interface DropboxClientOptions {
  readonly credentials: DropboxCredentials;
  /** Base URLs of the API hosts, e.g. a mock's for tests. Default: {@link DROPBOX_BASE_URLS}. */
  readonly baseUrls?: Partial<DropboxBaseUrls> | undefined;
  /** A fetch of your own (a proxy agent, instrumentation). Default: the global `fetch`. */
  readonly fetch?: typeof fetch | undefined;
  readonly retry?: DropboxRetryOptions | undefined;
  readonly concurrency?: DropboxConcurrencyOptions | undefined;
}

/** The values a client settled on. */
export interface ResolvedDropboxClientOptions {
  readonly baseUrls: DropboxBaseUrls;
  readonly fetch: typeof fetch;
  readonly maxAttempts: number;
  readonly maxTransientAttempts: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly perMember: number;
  readonly perApp: number;
}

/** Checks `options` (not the credentials: the token provider does). */
export function resolveDropboxClientOptions(options: DropboxClientOptions): ResolvedDropboxClientOptions {
  const baseUrls = {
    api: baseUrl(options.baseUrls?.api ?? DROPBOX_BASE_URLS.api, 'api'),
    content: baseUrl(options.baseUrls?.content ?? DROPBOX_BASE_URLS.content, 'content'),
    notify: baseUrl(options.baseUrls?.notify ?? DROPBOX_BASE_URLS.notify, 'notify'),
  };
  const retry = options.retry ?? {};
  const concurrency = options.concurrency ?? {};
  return {
    baseUrls,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    maxAttempts: count(retry.maxAttempts ?? 20, 'retry.maxAttempts', 1, 1000),
    maxTransientAttempts: count(retry.maxTransientAttempts ?? 5, 'retry.maxTransientAttempts', 1, 100),
    minDelayMs: count(retry.minDelayMs ?? 500, 'retry.minDelayMs', 0, 3_600_000),
    maxDelayMs: count(retry.maxDelayMs ?? 60_000, 'retry.maxDelayMs', 0, 3_600_000),
    sleep: retry.sleep ?? sleep,
    perMember: count(concurrency.perMember ?? 4, 'concurrency.perMember', 1, 1000),
    perApp: count(concurrency.perApp ?? 16, 'concurrency.perApp', 1, 10_000),
  };
}

function baseUrl(value: string, name: string): string {
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '') {
    throw new ValidationError(`Dropbox: baseUrls.${name} must be an http(s) URL without a query`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ValidationError(`Dropbox: baseUrls.${name} must not carry credentials`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function count(value: number, name: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ValidationError(`Dropbox: ${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Waits `ms`, or rejects with the signal's reason when it fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
