/**
 * ObjectStore: where a repository lives. Keys are opaque strings chosen by the engine (`/`-separated,
 * printable, no `..` segment, no leading `/`); values are immutable byte strings. The engine never
 * rewrites a key with different content except the few documented mutable objects (locks), so a store
 * need not be strongly consistent for overwrites, but it MUST be read-after-write consistent for new keys
 * and for `list` after `put` (S3, Azure Blob and GCS all are).
 */
import type { ByteStream, CallOptions } from './common.ts';

/** What a store can do beyond the required members. Every field has a documented default. */
export interface ObjectStoreCapabilities {
  /**
   * `get` honours `range` by reading only those bytes from the backend. When false the engine still
   * passes ranges, and the store slices a whole read itself (correct, just costlier). Default: true.
   */
  readonly rangedReads: boolean;
  /**
   * Objects are immutable for a retention period once written (e.g. S3 Object Lock): `delete` of such
   * an object throws `ConflictError` until it expires, and prune leaves it for a later run. Default: false.
   */
  readonly immutableWrites: boolean;
  /** The largest number of keys one `list` page fetches from the backend. Default: 1000. */
  readonly listPageSize: number;
}

/** The defaults of {@link ObjectStoreCapabilities}. */
export const defaultObjectStoreCapabilities: ObjectStoreCapabilities = {
  rangedReads: true,
  immutableWrites: false,
  listPageSize: 1000,
};

/** An object's key and size, as `head` and `list` report it. */
export interface ObjectInfo {
  readonly key: string;
  /** Size in bytes. */
  readonly size: number;
  /** When the backend last wrote it, if the backend says. */
  readonly lastModified?: Date | undefined;
}

/** A byte range of an object: `length` bytes from `offset`, clipped at the object's end. */
export interface ByteRange {
  readonly offset: number;
  /** Omitted: to the end of the object. */
  readonly length?: number | undefined;
}

/** Options of {@link ObjectStore.put}. */
export interface PutOptions extends CallOptions {
  /** The body's size in bytes when known in advance (lets a store choose single-part or multipart). */
  readonly size?: number | undefined;
}

/** Options of {@link ObjectStore.get}. */
export interface GetOptions extends CallOptions {
  /** Read only these bytes. Bytes past the object's end are not returned: a range starting at or past
   * the end yields an empty stream. */
  readonly range?: ByteRange | undefined;
}

/** Options of {@link ObjectStore.list}. */
export interface ListOptions extends CallOptions {
  /** Fetch at most this many keys per backend request (the store may cap it). */
  readonly pageSize?: number | undefined;
}

/**
 * The storage of one repository. Every member rejects with an engine error (`docs/errors.md`):
 * `NotFoundError` for a missing key, `ThrottledError`/`TransientError` for what a retry may cure,
 * `AuthError` for credentials, `PermanentError` otherwise. Implementations translate their backend's
 * errors in one place and never leak raw SDK errors.
 */
export interface ObjectStore {
  /** A short description for messages and logs, without secrets (e.g. `fs:/srv/backups/repo`). */
  readonly name: string;
  /** What this store can do; see {@link defaultObjectStoreCapabilities}. */
  readonly capabilities: ObjectStoreCapabilities;

  /**
   * Stores `body` under `key`. Atomic: a concurrent or later reader sees the whole new object or (before
   * the put resolves) the old one or none, never a part; a put that fails or is cancelled leaves no
   * partial object under `key`. Putting an existing key replaces it. Resolves once the object is durable.
   */
  put(key: string, body: Uint8Array | ByteStream, options?: PutOptions): Promise<void>;

  /**
   * Reads an object, or a range of it, as a stream. Rejects with `NotFoundError` when `key` does not
   * exist: before the first chunk is yielded, never with an empty stream.
   */
  get(key: string, options?: GetOptions): Promise<ByteStream>;

  /** The object's size (and time); rejects with `NotFoundError` when it does not exist. */
  head(key: string, options?: CallOptions): Promise<ObjectInfo>;

  /**
   * Every object whose key starts with `prefix` (`''` for all), in no guaranteed order, fetched page by
   * page as iteration proceeds. Each key appears once. Objects put before the call started are listed;
   * those put or deleted during the listing may or may not be.
   */
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo>;

  /** Removes an object. Idempotent: deleting a missing key resolves. */
  delete(key: string, options?: CallOptions): Promise<void>;
}
