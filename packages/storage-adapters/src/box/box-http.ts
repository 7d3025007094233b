/**
 * BoxHttp: every API call of the adapter goes through here, over `fetch`: one place for the bearer token
 * and its single-flight renewal on 401, the `As-User` header, bounded concurrency ({@link BoxLimiter}),
 * throttling and retries, and the translation of failures ({@link boxError}).
 *
 * Why not box-node-sdk's managers for the calls themselves: the SDK buffers every request body in memory
 * (a 5 GB upload would be held whole), looks up `Retry-After` case-sensitively and so never sees Box's
 * lowercase `retry-after`, retries on its own schedule and renews tokens without single-flight, parses
 * the events stream position with `JSON.parse` (an int64 does not survive), and follows download
 * redirects after buffering. Tokens still come from the SDK (see `box-auth-grants.ts`).
 *
 * Retry policy, per call:
 * - 429, 503 and (where the caller says so) 202: wait `retry-after` when Box sends one (capped at
 *   `maxDelayMs`), else a jittered exponential backoff, and try again, up to `maxThrottleWaits` times
 *   (default 100): throttling slows a run down and does not fail it;
 * - 5xx and dropped connections: retried `maxTransientRetries` times (default 5) with backoff, for calls
 *   that are safe to repeat (GET, PUT, DELETE, OPTIONS, and any the caller marks);
 * - 401: the token is renewed once (single-flight in {@link BoxAuth}) and the call repeated; a second 401,
 *   or a renewal Box refuses, is an `AuthError`;
 * - anything else is translated by the error table and thrown.
 * A call's concurrency slot is released while it sleeps, so a throttled user does not block others.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CanceledError, isHoldfastError, parseRetryAfter } from '@holdfast/engine';
import type { BoxAuth } from './box-auth.ts';
import { boxError, BoxHttpError } from './box-errors.ts';
import type { BoxLimiter } from './box-limiter.ts';

/** What `fetch` accepts as a request body. */
export type RequestBody = NonNullable<RequestInit['body']>;

/** Retry limits of {@link BoxHttp}; see the module note. */
export interface BoxRetryOptions {
  /** Waits on 429/503 (and 202 where asked) per call before failing with `ThrottledError`. Default 100. */
  readonly maxThrottleWaits?: number | undefined;
  /** Retries of a 5xx or a dropped connection per call. Default 5. */
  readonly maxTransientRetries?: number | undefined;
  /** First backoff when Box sends no `retry-after`, in ms; doubles per retry, jittered. Default 1000. */
  readonly baseDelayMs?: number | undefined;
  /** Longest single wait, in ms (also caps `retry-after`). Default 60 000. */
  readonly maxDelayMs?: number | undefined;
}

/** One call. */
export interface BoxRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
  /** The absolute URL. */
  readonly url: string;
  /** The call in words, for messages (`list folder 123`). */
  readonly what: string;
  /** The user the call is counted against for concurrency (the as-user id, or `'self'`). */
  readonly user: string;
  /** Sent as `As-User`. */
  readonly asUser?: string | undefined;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>> | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** A JSON body. */
  readonly json?: unknown;
  /** Makes the body afresh for each attempt (so a retry can send it again). */
  readonly body?: (() => RequestBody) | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Statuses other than 2xx that are answered to the caller rather than thrown (302 of a download...). */
  readonly accept?: readonly number[] | undefined;
  /** 202 means "not ready yet": wait `retry-after` and repeat (downloads, upload commits). */
  readonly waitOn202?: boolean | undefined;
  /** Repeat on 5xx and dropped connections. Default: true for GET, PUT, DELETE and OPTIONS. */
  readonly retryTransient?: boolean | undefined;
  /** Send the bearer token. Default true (false for a download's redirect target). */
  readonly authenticated?: boolean | undefined;
}

/** Options of {@link BoxHttp}. */
export interface BoxHttpOptions {
  readonly auth: BoxAuth;
  readonly limiter: BoxLimiter;
  readonly retry?: BoxRetryOptions | undefined;
  /** The `fetch` to use. Default: the global one. */
  readonly fetch?: typeof fetch | undefined;
  /** How a wait is made (tests record the waits instead of making them). Default: a timer. */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

/** The adapter's HTTP client for Box; see the module note. */
export class BoxHttp {
  readonly auth: BoxAuth;
  readonly limiter: BoxLimiter;
  readonly #fetch: typeof fetch | undefined;
  readonly #maxThrottleWaits: number;
  readonly #maxTransientRetries: number;
  readonly #baseDelay: number;
  readonly #maxDelay: number;
  readonly #wait: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: BoxHttpOptions) {
    this.auth = options.auth;
    this.limiter = options.limiter;
    this.#fetch = options.fetch;
    this.#maxThrottleWaits = options.retry?.maxThrottleWaits ?? 100;
    this.#maxTransientRetries = options.retry?.maxTransientRetries ?? 5;
    this.#baseDelay = options.retry?.baseDelayMs ?? 1000;
    this.#maxDelay = options.retry?.maxDelayMs ?? 60_000;
    this.#wait = options.sleep ?? (async (ms, signal) => sleep(ms, undefined, signal === undefined ? {} : { signal }));
  }

  /** Sends a call (with the retries of the module note) and returns Box's answer, body unread. */
  async send(request: BoxRequest): Promise<Response> {
    const { signal, what } = request;
    const retryTransient = request.retryTransient ?? request.method !== 'POST';
    let throttleWaits = 0;
    let transientRetries = 0;
    let renewed = false;
    for (;;) {
      if (signal?.aborted === true) throw new CanceledError(`Box ${what}: cancelled`, { cause: signal.reason });
      const release = await this.#acquire(request);
      let token: string | undefined;
      let response: Response;
      try {
        token = request.authenticated === false ? undefined : await this.auth.accessToken(signal);
        // The global fetch is looked up per call: something may wrap it after the connection is made.
        response = await (this.#fetch ?? globalThis.fetch)(urlOf(request), this.#init(request, token));
      } catch (error) {
        release();
        const translated = boxError(error, what, signal);
        if (translated.code === 'TRANSIENT' && retryTransient && transientRetries < this.#maxTransientRetries) {
          transientRetries += 1;
          await this.#sleep(this.#backoff(transientRetries), request);
          continue;
        }
        throw translated;
      }
      release();
      const { status } = response;
      if (status === 401 && token !== undefined && !renewed) {
        await discard(response);
        renewed = true;
        await this.auth.refresh(token, signal);
        continue;
      }
      const throttled = status === 429 || status === 503 || (status === 202 && request.waitOn202 === true);
      if (throttled && throttleWaits < this.#maxThrottleWaits) {
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        await discard(response);
        throttleWaits += 1;
        await this.#sleep(Math.min(retryAfter ?? this.#backoff(throttleWaits), this.#maxDelay), request);
        continue;
      }
      if (status >= 500 && status !== 503 && retryTransient && transientRetries < this.#maxTransientRetries) {
        await discard(response);
        transientRetries += 1;
        await this.#sleep(this.#backoff(transientRetries), request);
        continue;
      }
      if ((status >= 200 && status < 300 && !throttled) || request.accept?.includes(status) === true) return response;
      throw boxError(new BoxHttpError(status, await errorBody(response), response.headers), what, signal);
    }
  }

  /** Sends a call and parses its JSON answer. */
  async json<T>(request: BoxRequest): Promise<T> {
    const response = await this.send(request);
    const text = await readText(response, request);
    if (text.trim() === '') return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw boxError(error, `${request.what} (answer is not JSON)`, request.signal);
    }
  }

  /** Sends a call and returns its answer as text (for the events stream, whose int64 JSON.parse rounds). */
  async text(request: BoxRequest): Promise<string> {
    return readText(await this.send(request), request);
  }

  async #acquire(request: BoxRequest): Promise<() => void> {
    try {
      return await this.limiter.acquire(request.user, request.signal);
    } catch (error) {
      throw boxError(error, request.what, request.signal);
    }
  }

  #init(request: BoxRequest, token: string | undefined): RequestInit {
    const headers: Record<string, string> = { ...request.headers };
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    if (request.asUser !== undefined) headers['as-user'] = request.asUser;
    let body: RequestBody | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.body !== undefined) {
      body = request.body();
    }
    // `duplex: 'half'` lets a streamed body be sent (undici requires it; RequestInit's type lacks it).
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body, duplex: 'half' }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    };
    return init;
  }

  #backoff(attempt: number): number {
    const exponential = this.#baseDelay * 2 ** Math.min(attempt - 1, 16);
    return Math.min(this.#maxDelay, exponential * (0.5 + Math.random()));
  }

  async #sleep(ms: number, request: BoxRequest): Promise<void> {
    try {
      await this.#wait(ms, request.signal);
      if (request.signal?.aborted === true) throw request.signal.reason;
    } catch (error) {
      throw new CanceledError(`Box ${request.what}: cancelled`, { cause: request.signal?.reason ?? error });
    }
  }
}

function urlOf(request: BoxRequest): string {
  if (request.query === undefined) return request.url;
  const url = new URL(request.url);
  for (const [key, value] of Object.entries(request.query)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

async function readText(response: Response, request: BoxRequest): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    const translated = boxError(error, request.what, request.signal);
    throw isHoldfastError(translated) ? translated : error;
  }
}

/** The JSON error body of an answer, or its text, or undefined. */
async function errorBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { message: text.slice(0, 300) };
  }
}

/** Lets go of an answer's body so its connection can be reused. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
