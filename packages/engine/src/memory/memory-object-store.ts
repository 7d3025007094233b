/**
 * MemoryObjectStore: an {@link ObjectStore} in a `Map`, for tests and for trying the engine without a
 * disk. It behaves like a real store where tests can tell the difference:
 *
 * - every method is asynchronous and checks its `signal` (`CanceledError`);
 * - `put` copies the body (so a caller reusing its buffer cannot change a stored object) and only stores
 *   it once the whole stream was read: a failed or cancelled put leaves nothing, and concurrent readers
 *   see the old object or the new one whole;
 * - `get` yields a copy, so a consumer writing into what it got cannot change the store;
 * - `list` really pages: it fetches `pageSize` keys at a time from a sorted key index as iteration
 *   proceeds, so keys put or deleted during a listing may or may not appear, as with a remote store.
 *
 * Memory grows with the data stored; nothing is evicted.
 */
import { CanceledError, NotFoundError, ValidationError } from '../errors/index.ts';
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

/** Options of {@link MemoryObjectStore}. */
export interface MemoryObjectStoreOptions {
  /** `name` of the store. Default: `memory`. */
  readonly name?: string | undefined;
  /** `capabilities.listPageSize`: the most keys one list page fetches. Default: 1000. */
  readonly listPageSize?: number | undefined;
}

/** One stored object. Its bytes are never mutated; an overwrite replaces the entry. */
interface StoredObject {
  readonly bytes: Uint8Array;
  readonly lastModified: Date;
}

/** Throws `CanceledError` when `signal` is aborted. */
function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw new CanceledError(`${what}: cancelled`, { cause: signal.reason });
}

/** The first index in sorted `keys` whose key is above `bound` (or at it, when `inclusive`). */
function searchKeys(keys: readonly string[], bound: string, inclusive: boolean): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const key = keys[middle] ?? '';
    if (key < bound || (!inclusive && key === bound)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * An {@link ObjectStore} held in memory.
 *
 * @example
 * ```ts
 * const store = new MemoryObjectStore();
 * await store.put('config', new TextEncoder().encode('{}'));
 * ```
 */
export class MemoryObjectStore implements ObjectStore {
  /** `memory`, or the name given in the options. */
  readonly name: string;
  /** Ranged reads, mutable objects, `listPageSize` from the options (default 1000). */
  readonly capabilities: ObjectStoreCapabilities;
  readonly #objects = new Map<string, StoredObject>();
  /** The keys in sorted order, rebuilt lazily after a key is added or removed. */
  #sortedKeys: string[] | undefined;

  /** An empty store. Throws `ValidationError` for a `listPageSize` that is not a positive integer. */
  constructor(options: MemoryObjectStoreOptions = {}) {
    this.name = options.name ?? 'memory';
    const listPageSize = options.listPageSize ?? 1000;
    if (!Number.isInteger(listPageSize) || listPageSize < 1) {
      throw new ValidationError(`listPageSize must be a positive integer, got ${String(listPageSize)}`);
    }
    this.capabilities = { rangedReads: true, immutableWrites: false, listPageSize };
  }

  /** How many objects the store holds. */
  get size(): number {
    return this.#objects.size;
  }

  /**
   * Stores a copy of `body` under `key` once the whole body was read; replaces an existing object.
   * Rejects with `ValidationError` for an empty key and `CanceledError` when `signal` aborts, storing
   * nothing; errors of `body` propagate unchanged, storing nothing.
   */
  async put(key: string, body: Uint8Array | ByteStream, options: PutOptions = {}): Promise<void> {
    const what = `put of key ${JSON.stringify(key)}`;
    checkKey(key);
    throwIfAborted(options.signal, what);
    let bytes: Uint8Array;
    if (body instanceof Uint8Array) {
      bytes = body.slice();
    } else {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body) {
        throwIfAborted(options.signal, what);
        chunks.push(chunk.slice());
        size += chunk.length;
      }
      bytes = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
    }
    await Promise.resolve(); // Let a concurrent abort land, as it could during a real upload.
    throwIfAborted(options.signal, what);
    if (!this.#objects.has(key)) this.#sortedKeys = undefined;
    this.#objects.set(key, { bytes, lastModified: new Date() });
  }

  /**
   * Streams a copy of the object, or of `options.range` (clipped at the end; at or past the end: empty).
   * Rejects with `NotFoundError` before returning when `key` does not exist, and `ValidationError` for a
   * negative or fractional range. The stream holds the object as it was when `get` resolved.
   */
  async get(key: string, options: GetOptions = {}): Promise<ByteStream> {
    const what = `get of key ${JSON.stringify(key)}`;
    checkKey(key);
    await Promise.resolve();
    throwIfAborted(options.signal, what);
    const stored = this.#objects.get(key);
    if (stored === undefined) throw new NotFoundError(`${what}: no such object`);
    const range = options.range;
    let start = 0;
    let end = stored.bytes.length;
    if (range !== undefined) {
      const { offset, length } = range;
      if (
        !Number.isSafeInteger(offset) ||
        offset < 0 ||
        (length !== undefined && (!Number.isSafeInteger(length) || length < 0))
      ) {
        throw new ValidationError(`${what}: invalid range ${JSON.stringify(range)}`);
      }
      start = Math.min(offset, end);
      if (length !== undefined) end = Math.min(end, offset + length);
    }
    const signal = options.signal;
    return (async function* (): AsyncGenerator<Uint8Array, void, undefined> {
      await Promise.resolve();
      throwIfAborted(signal, what);
      if (end > start) yield stored.bytes.slice(start, end);
    })();
  }

  /** The object's size and time of writing; `NotFoundError` when `key` does not exist. */
  async head(key: string, options: CallOptions = {}): Promise<ObjectInfo> {
    const what = `head of key ${JSON.stringify(key)}`;
    checkKey(key);
    await Promise.resolve();
    throwIfAborted(options.signal, what);
    const stored = this.#objects.get(key);
    if (stored === undefined) throw new NotFoundError(`${what}: no such object`);
    return { key, size: stored.bytes.length, lastModified: stored.lastModified };
  }

  /**
   * Every object whose key starts with `prefix`, in key order, fetched `pageSize` keys (default and cap:
   * `capabilities.listPageSize`) at a time, each page after the last key of the one before.
   */
  async *list(prefix: string, options: ListOptions = {}): AsyncGenerator<ObjectInfo, void, undefined> {
    const what = `list of prefix ${JSON.stringify(prefix)}`;
    const pageSize = Math.min(this.capabilities.listPageSize, Math.max(1, options.pageSize ?? Infinity));
    let after: string | undefined;
    for (;;) {
      await Promise.resolve();
      throwIfAborted(options.signal, what);
      const page = this.#page(prefix, after, pageSize);
      yield* page;
      const last = page.at(-1);
      if (last === undefined || page.length < pageSize) return;
      after = last.key;
    }
  }

  /** Removes the object at `key`; resolves when there is none. */
  async delete(key: string, options: CallOptions = {}): Promise<void> {
    checkKey(key);
    await Promise.resolve();
    throwIfAborted(options.signal, `delete of key ${JSON.stringify(key)}`);
    if (this.#objects.delete(key)) this.#sortedKeys = undefined;
  }

  /** Up to `pageSize` objects with `prefix`, in key order, after `after` (or from the first). */
  #page(prefix: string, after: string | undefined, pageSize: number): ObjectInfo[] {
    this.#sortedKeys ??= [...this.#objects.keys()].sort();
    const keys = this.#sortedKeys;
    let index = after === undefined ? searchKeys(keys, prefix, true) : searchKeys(keys, after, false);
    const page: ObjectInfo[] = [];
    for (; index < keys.length && page.length < pageSize; index += 1) {
      const key = keys[index] ?? '';
      if (!key.startsWith(prefix)) break;
      const stored = this.#objects.get(key);
      if (stored !== undefined) page.push({ key, size: stored.bytes.length, lastModified: stored.lastModified });
    }
    return page;
  }
}

/** Keys are opaque, but never empty. */
function checkKey(key: string): void {
  if (key === '') throw new ValidationError('key "" is empty');
}
