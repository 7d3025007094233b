/**
 * FaultInjectingObjectStore: wraps any {@link ObjectStore} and makes chosen calls fail, for the engine's
 * crash-consistency tests ("a crash at any point leaves a repository that `check` passes and the next
 * backup completes"). Each method has a counter; a decision function gets the call's number (1-based,
 * per method) and key and says whether, and how, that call fails:
 *
 * - `'before'` (or `true`): rejects without touching the inner store;
 * - `'midway'`: for `put`, the inner store receives the first half of the body and then a stream error,
 *   so the inner store's own atomicity is exercised; for `get`, the stream yields the first half of its
 *   first chunk and then fails;
 * - `'after'`: the inner call completes, then the wrapper rejects anyway: the object is stored (or
 *   deleted) but the caller believes it failed, as when a response is lost on the way back.
 *
 * Every injected failure is the error from `options.error` (default: `TransientError('injected fault')`),
 * whatever the inner store threw on the way, so tests can tell injected faults from real ones.
 */
import { type HoldfastError, TransientError } from '../errors/index.ts';
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
import { type ObjectStoreCallCounts, zeroCounts } from '../stores/request-counting-object-store.ts';

/** How an injected fault strikes; `true` means `'before'`, `false` or `undefined` no fault. */
export type InjectedFault = boolean | 'before' | 'midway' | 'after' | undefined;

/** Decides whether the `n`-th call (1-based, per method) fails, given its key (or prefix for `list`). */
export type FaultDecision<Fault extends InjectedFault = InjectedFault> = (n: number, key: string) => Fault;

/** Options of {@link FaultInjectingObjectStore}. */
export interface FaultInjectingObjectStoreOptions {
  readonly failOnPut?: FaultDecision | undefined;
  /** `'after'` is treated as `'midway'` for gets (the data was on its way). */
  readonly failOnGet?: FaultDecision | undefined;
  readonly failOnHead?: FaultDecision<boolean | undefined> | undefined;
  /** A failing list rejects on its first page. */
  readonly failOnList?: FaultDecision<boolean | undefined> | undefined;
  /** `'midway'` is treated as `'after'` for deletes. */
  readonly failOnDelete?: FaultDecision | undefined;
  /** The error each injected fault throws. Default: `new TransientError('injected fault: <method> <key>')`. */
  readonly error?: ((method: keyof ObjectStoreCallCounts, key: string) => HoldfastError) | undefined;
}

/** Normalises a decision: `true` is `'before'`, `false` none. */
function faultOf(fault: InjectedFault): 'before' | 'midway' | 'after' | undefined {
  return fault === true ? 'before' : fault === false ? undefined : fault;
}

/**
 * An {@link ObjectStore} that fails chosen calls of `inner` (see the module note) and counts calls.
 *
 * @example
 * ```ts
 * // The third pack upload dies halfway through.
 * const store = new FaultInjectingObjectStore(new MemoryObjectStore(), {
 *   failOnPut: (n, key) => (key.startsWith('data/') && n === 3 ? 'midway' : false),
 * });
 * await expect(backup(store)).rejects.toThrow('injected fault');
 * ```
 */
export class FaultInjectingObjectStore implements ObjectStore {
  /** `faulty(<inner name>)`. */
  readonly name: string;
  /** The inner store's. */
  readonly capabilities: ObjectStoreCapabilities;
  /** Calls per method, failed ones included, counted when the call starts. */
  readonly counts: ObjectStoreCallCounts = zeroCounts();
  /** Faults injected per method. */
  readonly injected: ObjectStoreCallCounts = zeroCounts();
  readonly #inner: ObjectStore;
  readonly #options: FaultInjectingObjectStoreOptions;

  /** Wraps `inner`; with no options it injects nothing and only counts. */
  constructor(inner: ObjectStore, options: FaultInjectingObjectStoreOptions = {}) {
    this.#inner = inner;
    this.#options = options;
    this.name = `faulty(${inner.name})`;
    this.capabilities = inner.capabilities;
  }

  /** Delegates, unless `failOnPut` picks this call: `'before'`, `'midway'` or `'after'` (see the module note). */
  async put(key: string, body: Uint8Array | ByteStream, options?: PutOptions): Promise<void> {
    const n = (this.counts.put += 1);
    const fault = faultOf(this.#options.failOnPut?.(n, key));
    if (fault === 'before') throw this.#fault('put', key);
    if (fault === 'midway') {
      const error = this.#fault('put', key);
      await this.#inner.put(key, halfThenFail(body, options?.size, error), options).catch(() => undefined);
      throw error;
    }
    await this.#inner.put(key, body, options);
    if (fault === 'after') throw this.#fault('put', key);
  }

  /** Delegates, unless `failOnGet` picks this call: it then rejects, or its stream fails midway. */
  async get(key: string, options?: GetOptions): Promise<ByteStream> {
    const n = (this.counts.get += 1);
    const fault = faultOf(this.#options.failOnGet?.(n, key));
    if (fault === 'before') throw this.#fault('get', key);
    const stream = await this.#inner.get(key, options);
    return fault === undefined ? stream : firstHalfThenFail(stream, () => this.#fault('get', key));
  }

  /** Delegates, unless `failOnHead` picks this call. */
  async head(key: string, options?: CallOptions): Promise<ObjectInfo> {
    const n = (this.counts.head += 1);
    if (faultOf(this.#options.failOnHead?.(n, key)) !== undefined) throw this.#fault('head', key);
    return this.#inner.head(key, options);
  }

  /** Delegates, unless `failOnList` picks this call: the listing then rejects before its first key. */
  async *list(prefix: string, options?: ListOptions): AsyncGenerator<ObjectInfo, void, undefined> {
    const n = (this.counts.list += 1);
    await Promise.resolve();
    if (faultOf(this.#options.failOnList?.(n, prefix)) !== undefined) throw this.#fault('list', prefix);
    yield* this.#inner.list(prefix, options);
  }

  /** Delegates, unless `failOnDelete` picks this call: it then rejects before, or after deleting. */
  async delete(key: string, options?: CallOptions): Promise<void> {
    const n = (this.counts.delete += 1);
    const fault = faultOf(this.#options.failOnDelete?.(n, key));
    if (fault === 'before') throw this.#fault('delete', key);
    await this.#inner.delete(key, options);
    if (fault !== undefined) throw this.#fault('delete', key);
  }

  #fault(method: keyof ObjectStoreCallCounts, key: string): HoldfastError {
    this.injected[method] += 1;
    return this.#options.error?.(method, key) ?? new TransientError(`injected fault: ${method} ${JSON.stringify(key)}`);
  }
}

/**
 * The first half of `body`'s bytes, then `error`. For a stream of unknown `size`, the first half of its
 * first chunk.
 */
async function* halfThenFail(
  body: Uint8Array | ByteStream,
  size: number | undefined,
  error: Error,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (body instanceof Uint8Array) {
    yield body.subarray(0, body.length >>> 1);
    throw error;
  }
  let left = size === undefined ? undefined : size >>> 1;
  for await (const chunk of body) {
    const take = left ?? chunk.length >>> 1;
    yield chunk.subarray(0, Math.min(take, chunk.length));
    if (left === undefined || take <= chunk.length) break;
    left -= chunk.length;
  }
  throw error;
}

/** The first half of `stream`'s first chunk, then the fault. */
async function* firstHalfThenFail(stream: ByteStream, fault: () => Error): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const chunk of stream) {
    if (chunk.length > 1) yield chunk.subarray(0, chunk.length >>> 1);
    break;
  }
  throw fault();
}
