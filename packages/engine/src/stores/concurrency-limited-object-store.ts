/**
 * An {@link ObjectStore} wrapper that lets at most `limit` calls run at once (p-limit), for services that
 * throttle per connection or per second. A `get` holds its slot until its stream is read to the end or
 * abandoned, a `list` until its iteration ends, so the limit counts open connections, not promises.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { ValidationError } from '../errors/index.ts';
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

export class ConcurrencyLimitedObjectStore implements ObjectStore {
  readonly name: string;
  readonly capabilities: ObjectStoreCapabilities;
  readonly #inner: ObjectStore;
  readonly #limit: LimitFunction;

  constructor(inner: ObjectStore, limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new ValidationError(`a concurrency limit is at least 1, not ${String(limit)}`);
    this.#inner = inner;
    this.#limit = pLimit(limit);
    this.name = inner.name;
    this.capabilities = inner.capabilities;
  }

  async put(key: string, body: Uint8Array | ByteStream, options?: PutOptions): Promise<void> {
    return this.#limit(() => this.#inner.put(key, body, options));
  }

  async head(key: string, options?: CallOptions): Promise<ObjectInfo> {
    return this.#limit(() => this.#inner.head(key, options));
  }

  async delete(key: string, options?: CallOptions): Promise<void> {
    return this.#limit(() => this.#inner.delete(key, options));
  }

  async get(key: string, options?: GetOptions): Promise<ByteStream> {
    let release: () => void = () => undefined;
    const slot = new Promise<void>((resolve) => (release = resolve));
    let opened: (stream: ByteStream) => void = () => undefined;
    let failed: (error: unknown) => void = () => undefined;
    const result = new Promise<ByteStream>((resolve, reject) => {
      opened = resolve;
      failed = reject;
    });
    void this.#limit(async () => {
      try {
        opened(await this.#inner.get(key, options));
      } catch (error) {
        failed(error);
        return;
      }
      await slot;
    });
    const stream = await result;
    return {
      [Symbol.asyncIterator]: () => {
        const iterator = stream[Symbol.asyncIterator]();
        return {
          next: async () => {
            try {
              const next = await iterator.next();
              if (next.done === true) release();
              return next;
            } catch (error) {
              release();
              throw error;
            }
          },
          return: async (value?: unknown) => {
            release();
            return (await iterator.return?.(value)) ?? { done: true as const, value: undefined };
          },
        };
      },
    };
  }

  async *list(prefix: string, options?: ListOptions): AsyncGenerator<ObjectInfo, void, undefined> {
    let release: () => void = () => undefined;
    const slot = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    void this.#limit(async () => {
      started();
      await slot;
    });
    await running;
    try {
      yield* this.#inner.list(prefix, options);
    } finally {
      release();
    }
  }
}
