/**
 * The ObjectStore conformance suite: what every store (memory, fs, S3, Azure Blob, GCS, a partner's) must
 * do for a repository to be safe in it. The tests are in {@link objectStoreTests}; their bodies live in
 * `object-store-cases.ts` (reads, writes, ranges, errors) and `object-store-list-cases.ts` (listing,
 * concurrency, atomicity).
 *
 * Keys used are those a repository could use: `/`-separated, printable, unicode allowed. No test puts
 * both `a` and `a/b` (a file system cannot hold both; the engine never does).
 */
import type { ObjectStore } from '../ports/index.ts';
import { objectStoreListCases } from './object-store-list-cases.ts';
import { objectStoreCases } from './object-store-cases.ts';
import { type ConformanceSuiteOptions, registerSuite } from './suite.ts';

/** The titles of the ObjectStore conformance tests, by key. Name them in `skip` (with a reason). */
export const objectStoreTests = {
  capabilities: 'declares a name and capabilities with valid values',
  getMissing: 'get of a missing key rejects with NotFoundError before yielding',
  headMissing: 'head of a missing key rejects with NotFoundError',
  deleteMissing: 'delete of a missing key resolves',
  emptyObject: 'stores and reads back an empty object',
  oneByte: 'stores and reads back a 1-byte object',
  largeStream: 'stores a 20 MiB object streamed in odd-sized chunks',
  sizeHint: 'put with a size hint stores the whole stream',
  copies: 'keeps its own copy of the bytes put and got',
  head: 'head reports the size, and lastModified as a valid Date when given',
  overwrite: 'put over an existing key replaces the object whole',
  delete: 'delete removes the object from get, head and list, and is idempotent',
  rangeStart: 'ranged get: bytes from the start',
  rangeMiddle: 'ranged get: bytes from the middle',
  rangeEnd: 'ranged get: the last bytes',
  rangeNoLength: 'ranged get: an offset without a length reads to the end',
  rangeClipped: 'ranged get: a range running past the end is clipped',
  rangePastEnd: 'ranged get: a range starting at or past the end yields nothing',
  rangeZeroLength: 'ranged get: a length of 0 yields nothing',
  rangeLarge: 'ranged get: ranges across MiB boundaries of a 3 MiB object',
  rangeMissing: 'ranged get of a missing key rejects with NotFoundError',
  rangeInvalid: 'ranged get: a negative or fractional range is refused with ValidationError',
  abortBefore: 'calls with an already aborted signal reject with CanceledError',
  abortDuringPut: 'a put aborted midway rejects with CanceledError and leaves no object',
  listAll: 'list with prefix "" yields every key exactly once, with its size',
  listFolderPrefix: 'list with a folder prefix ("data/") yields only the keys under it',
  listMidSegmentPrefix: 'list with a prefix ending mid-name ("data/a") yields exactly the keys starting with it',
  listWholeKeyPrefix: 'list with a prefix equal to a whole key includes that key',
  listNoMatch: 'list with a prefix matching nothing yields nothing',
  listPaging: 'list pages through 23 keys with pageSize 5, yielding each once',
  listAbandoned: 'a list abandoned after its first key can be followed by other calls',
  unicodeKeys: 'unicode keys round-trip through put, get, head, list and delete',
  punctuationKeys: 'keys with spaces and punctuation round-trip',
  concurrentKeys: '20 concurrent puts of different keys all land',
  concurrentSameKey: 'concurrent puts of one key leave one of them, whole',
  failedPut: 'a put whose stream fails midway leaves no object and nothing listed',
  failedOverwrite: 'a put whose stream fails midway leaves the existing object intact',
} as const;

/** The title of one ObjectStore conformance test. */
export type ObjectStoreTestName = (typeof objectStoreTests)[keyof typeof objectStoreTests];

/** What a test of the ObjectStore suite works on. */
export interface ObjectStoreContext {
  /** An empty store, for this test alone. */
  readonly store: ObjectStore;
}

/** Options of {@link describeObjectStore}. */
export interface ObjectStoreSuiteOptions extends ConformanceSuiteOptions<ObjectStoreContext, ObjectStoreTestName> {
  /** Makes an empty store for one test (a fresh temp folder, a unique bucket prefix). */
  readonly create: () => Promise<ObjectStoreContext>;
}

/**
 * Registers the ObjectStore conformance suite (a vitest `describe`) for one implementation.
 *
 * @example
 * ```ts
 * describeObjectStore({
 *   name: 's3 on MinIO',
 *   create: async () => ({ store: new S3ObjectStore({ client, bucket, prefix: `t/${randomUUID()}/` }) }),
 *   cleanup: async ({ store }) => { for await (const o of store.list('')) await store.delete(o.key); },
 * });
 * ```
 */
export function describeObjectStore(options: ObjectStoreSuiteOptions): void {
  registerSuite('ObjectStore conformance', objectStoreTests, options, { ...objectStoreCases, ...objectStoreListCases });
}
