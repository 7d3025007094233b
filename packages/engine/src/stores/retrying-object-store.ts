/**
 * An {@link ObjectStore} wrapper that retries what failed with a retryable error (THROTTLED, TRANSIENT)
 * with jittered exponential backoff, waiting at least as long as a `ThrottledError.retryAfter` asks, so
 * throttling slows a run down and never fails it.
 *
 * What is retried, and what cannot be: `head`, `delete` and `get` (up to the first chunk) are retried
 * whole. A `put` is retried when its body is bytes, or a stream that failed before its first chunk was
 * taken; a stream already partly sent cannot be replayed, so that failure is the caller's (the engine
 * retries its own puts with replayable bodies). A `list` that fails between pages starts over and skips
 * the keys it yielded already.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import { isHoldfastError } from '../errors/index.ts';
import type {
  ByteStream,
  CallOptions,
  GetOptions,
  ListOptions,
  ObjectInfo,
  ObjectStore,
  ObjectStoreCapabilities,
  PutOptions,
} from '../ports/index.ts';

export interface RetryingObjectStoreOptions {
  /** Retries after the first attempt. Default 8. */
  readonly retries?: number | undefined;
  /** Backoff before the first retry, ms. Default 200; doubling, jittered, at most `maxTimeout`. */
  readonly minTimeout?: number | undefined;
  /** Longest backoff between attempts, ms. Default 30,000. */
  readonly maxTimeout?: number | undefined;
  /** Told of every failed attempt that will be retried (for logs). */
  readonly onRetry?: ((error: Error, attempt: number) => void) | undefined;
}

export class RetryingObjectStore implements ObjectStore {
  readonly name: string;
  readonly capabilities: ObjectStoreCapabilities;
  readonly #inner: ObjectStore;
  readonly #options: RetryingObjectStoreOptions;
  #retries = 0;

  constructor(inner: ObjectStore, options: RetryingObjectStoreOptions = {}) {
    this.#inner = inner;
    this.#options = options;
    this.name = inner.name;
    this.capabilities = inner.capabilities;
  }

  /** Attempts retried so far. */
  get retries(): number {
    return this.#retries;
  }

  async put(key: string, body: Uint8Array | ByteStream, options: PutOptions = {}): Promise<void> {
    if (body instanceof Uint8Array) {
      await this.#retry(() => this.#inner.put(key, body, options), options.signal);
      return;
    }
    let started = false;
    const guarded: ByteStream = {
      [Symbol.asyncIterator]: () => {
        const iterator = body[Symbol.asyncIterator]();
        return {
          next: async () => {
            started = true;
            return iterator.next();
          },
          ...(iterator.return === undefined
            ? {}
            : { return: async (value?: unknown) => iterator.return?.(value) ?? { done: true, value: undefined } }),
        };
      },
    };
    await this.#retry(
      () => this.#inner.put(key, guarded, options),
      options.signal,
      () => !started,
    );
  }

  async get(key: string, options: GetOptions = {}): Promise<ByteStream> {
    return this.#retry(() => this.#inner.get(key, options), options.signal);
  }

  async head(key: string, options: CallOptions = {}): Promise<ObjectInfo> {
    return this.#retry(() => this.#inner.head(key, options), options.signal);
  }

  async delete(key: string, options: CallOptions = {}): Promise<void> {
    await this.#retry(() => this.#inner.delete(key, options), options.signal);
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncGenerator<ObjectInfo, void, undefined> {
    const seen = new Set<string>();
    for (let attempt = 0; ; attempt++) {
      try {
        for await (const info of this.#inner.list(prefix, options)) {
          if (seen.has(info.key)) continue;
          seen.add(info.key);
          yield info;
        }
        return;
      } catch (error) {
        if (!this.#retryable(error) || attempt >= (this.#options.retries ?? 8)) throw error;
        await this.#pause(error as Error, attempt + 1, options.signal);
      }
    }
  }

  #retryable(error: unknown): boolean {
    return isHoldfastError(error) && error.retryable;
  }

  async #pause(error: Error, attempt: number, signal: AbortSignal | undefined): Promise<void> {
    this.#retries++;
    this.#options.onRetry?.(error, attempt);
    const base = Math.min(this.#options.maxTimeout ?? 30_000, (this.#options.minTimeout ?? 200) * 2 ** (attempt - 1));
    const jittered = base * (0.5 + Math.random() / 2);
    const asked = isHoldfastError(error, 'THROTTLED') ? (error.retryAfter ?? 0) : 0;
    await sleep(Math.max(jittered, Math.min(asked, 300_000)), undefined, { signal });
  }

  async #retry<T>(
    call: () => Promise<T>,
    signal: AbortSignal | undefined,
    canRetry: () => boolean = () => true,
  ): Promise<T> {
    return pRetry(call, {
      retries: this.#options.retries ?? 8,
      minTimeout: this.#options.minTimeout ?? 200,
      maxTimeout: this.#options.maxTimeout ?? 30_000,
      randomize: true,
      ...(signal === undefined ? {} : { signal }),
      shouldRetry: ({ error }) => this.#retryable(error) && canRetry(),
      onFailedAttempt: async ({ error, attemptNumber }) => {
        if (!this.#retryable(error) || !canRetry()) return;
        this.#retries++;
        this.#options.onRetry?.(error, attemptNumber);
        if (isHoldfastError(error, 'THROTTLED') && error.retryAfter !== undefined) {
          await sleep(Math.min(error.retryAfter, 300_000), undefined, { signal });
        }
      },
    });
  }
}
