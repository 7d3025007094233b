/**
 * RequestCountingObjectStore: wraps any {@link ObjectStore} and counts calls per method and bytes moved,
 * so tests can assert that work grows with what changed (DESIGN.md "Incremental diff"): a second backup
 * of an unchanged source puts no packs, a restore reads each pack range once.
 */
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

/** Calls per method of an {@link ObjectStore}. */
export interface ObjectStoreCallCounts {
  put: number;
  get: number;
  head: number;
  list: number;
  delete: number;
}

/** Fresh zero counts. */
export function zeroCounts(): ObjectStoreCallCounts {
  return { put: 0, get: 0, head: 0, list: 0, delete: 0 };
}

/**
 * An {@link ObjectStore} that passes every call through to `inner` and counts it.
 *
 * @example
 * ```ts
 * const store = new RequestCountingObjectStore(new MemoryObjectStore());
 * await backup(store);
 * expect(store.counts.put).toBe(0);
 * ```
 */
export class RequestCountingObjectStore implements ObjectStore {
  /** `counting(<inner name>)`. */
  readonly name: string;
  /** The inner store's. */
  readonly capabilities: ObjectStoreCapabilities;
  /** Calls per method since construction or {@link reset}, counted when the call starts. */
  readonly counts: ObjectStoreCallCounts = zeroCounts();
  readonly #inner: ObjectStore;
  #bytesWritten = 0;
  #bytesRead = 0;

  /** Wraps `inner`, with every count at zero. */
  constructor(inner: ObjectStore) {
    this.#inner = inner;
    this.name = `counting(${inner.name})`;
    this.capabilities = inner.capabilities;
  }

  /** Bytes of put bodies passed to the inner store (including those of puts that later failed). */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** Bytes yielded by get streams to their consumers. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** The number of calls of every method together. */
  get total(): number {
    const { put, get, head, list } = this.counts;
    return put + get + head + list + this.counts.delete;
  }

  /** Sets every count back to zero. */
  reset(): void {
    Object.assign(this.counts, zeroCounts());
    this.#bytesWritten = 0;
    this.#bytesRead = 0;
  }

  /** Counts the call and the body's bytes as the inner store reads them, then delegates. */
  async put(key: string, body: Uint8Array | ByteStream, options?: PutOptions): Promise<void> {
    this.counts.put += 1;
    if (body instanceof Uint8Array) {
      this.#bytesWritten += body.length;
      return this.#inner.put(key, body, options);
    }
    return this.#inner.put(key, this.#countWritten(body), options);
  }

  /** Counts the call, and the stream's bytes as the consumer reads them. */
  async get(key: string, options?: GetOptions): Promise<ByteStream> {
    this.counts.get += 1;
    return this.#countRead(await this.#inner.get(key, options));
  }

  /** Counts the call, then delegates. */
  async head(key: string, options?: CallOptions): Promise<ObjectInfo> {
    this.counts.head += 1;
    return this.#inner.head(key, options);
  }

  /** Counts the call (once per listing, not per page), then delegates. */
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo> {
    this.counts.list += 1;
    return this.#inner.list(prefix, options);
  }

  /** Counts the call, then delegates. */
  async delete(key: string, options?: CallOptions): Promise<void> {
    this.counts.delete += 1;
    return this.#inner.delete(key, options);
  }

  async *#countWritten(body: ByteStream): AsyncGenerator<Uint8Array, void, undefined> {
    for await (const chunk of body) {
      this.#bytesWritten += chunk.length;
      yield chunk;
    }
  }

  async *#countRead(stream: ByteStream): AsyncGenerator<Uint8Array, void, undefined> {
    for await (const chunk of stream) {
      this.#bytesRead += chunk.length;
      yield chunk;
    }
  }
}
