/**
 * GcsObjectStore against the fake GCS JSON API (`fake-gcs-server.ts`: no GCS emulator can run here). The
 * conformance suite runs twice: with the default upload settings (bodies under 8 MiB in one request), and
 * with every body, down to the empty one, sent through a resumable upload in 256 KiB chunks. Then what is
 * special to GCS: which upload path a body takes, what travels with it for GCS to verify, and that a
 * resumable upload that fails, is aborted or is only partly persisted leaves the right thing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chunkedStream,
  collect,
  collectBytes,
  describeObjectStore,
  expectBytes,
  expectCanceled,
  expectHoldfastError,
  testBytes,
} from '@holdfast/engine/testing';
import type { ObjectStore } from '@holdfast/engine';
import { GcsObjectStore } from '../../src/gcs/index.ts';
import { crc32cBase64, startFakeGcsServer, type FakeGcsRequest, type FakeGcsServer } from './fake-gcs-server.ts';
import { emptyPrefix, storeOn, TEST_BUCKET } from './gcs-test-support.ts';

const KIB = 1024;
const MIB = 1024 * KIB;

let fake: FakeGcsServer;
beforeAll(async () => {
  fake = await startFakeGcsServer();
});
afterAll(async () => {
  await fake.close();
});

function cleanup({ store }: { store: ObjectStore }): Promise<void> {
  if (store instanceof GcsObjectStore) emptyPrefix(fake, store.prefix);
  return Promise.resolve();
}

describeObjectStore({
  name: 'GcsObjectStore on the fake JSON API',
  create: async () => ({ store: storeOn(fake) }),
  cleanup,
});

describeObjectStore({
  name: 'GcsObjectStore, every put resumable in 256 KiB chunks',
  create: async () => ({ store: storeOn(fake, { resumableThreshold: 0, chunkSize: 256 * KIB }) }),
  cleanup,
});

/** The requests the fake received for `store`'s object `key`, from `since` on. */
function requestsFor(store: GcsObjectStore, key: string, since = 0): FakeGcsRequest[] {
  return fake.requests.slice(since).filter((request) => request.object === store.prefix + key);
}

/** The object `key` of `store` as the fake holds it. */
function storedBytes(store: GcsObjectStore, key: string): Uint8Array | undefined {
  const object = fake.objects(TEST_BUCKET).get(store.prefix + key);
  return object === undefined ? undefined : new Uint8Array(object.data);
}

describe('GcsObjectStore uploads', () => {
  it('sends a body under the threshold as one multipart request carrying its MD5 and CRC32C', async () => {
    const store = storeOn(fake);
    const since = fake.requests.length;
    await store.put('small', chunkedStream(testBytes(100_000, 1)));
    expect(requestsFor(store, 'small', since).map((request) => request.kind)).toEqual(['upload-multipart']);
    // The fake refuses a multipart upload whose metadata hashes do not match; a corrupted byte proves
    // that they are sent and checked.
    fake.injectFault({ match: (request) => request.kind === 'upload-multipart', corrupt: true });
    await expectHoldfastError(store.put('small', testBytes(1000, 2)), 'INTEGRITY', 'put of a corrupted body');
    expectBytes(storedBytes(store, 'small') ?? new Uint8Array(0), testBytes(100_000, 1), 'the object kept');
  });

  it('sends a body of the threshold or more as a resumable upload, its CRC32C on the last chunk', async () => {
    const store = storeOn(fake, { resumableThreshold: MIB, chunkSize: MIB });
    const bytes = testBytes(3 * MIB, 3);
    const since = fake.requests.length;
    await store.put('large', chunkedStream(bytes));
    const requests = requestsFor(store, 'large', since);
    expect(requests.map((request) => request.kind)).toEqual([
      'upload-resumable-start',
      'upload-chunk',
      'upload-chunk',
      'upload-chunk',
    ]);
    expect(requests.map((request) => request.headers['content-range'])).toEqual([
      undefined,
      `bytes 0-${MIB - 1}/*`,
      `bytes ${MIB}-${2 * MIB - 1}/*`,
      `bytes ${2 * MIB}-${3 * MIB - 1}/${3 * MIB}`,
    ]);
    expect(requests.at(-1)?.headers['x-goog-hash']).toBe(`crc32c=${crc32cBase64(bytes)}`);
    expectBytes(storedBytes(store, 'large') ?? new Uint8Array(0), bytes, 'the stored object');
    expect(fake.openSessions).toBe(0);
  });

  it('goes straight to a resumable upload when the size hint reaches the threshold, and announces it', async () => {
    const store = storeOn(fake, { resumableThreshold: MIB, chunkSize: 256 * KIB });
    const bytes = testBytes(MIB + 5, 4);
    const since = fake.requests.length;
    await store.put('hinted', chunkedStream(bytes), { size: bytes.length });
    const start = requestsFor(store, 'hinted', since).find((request) => request.kind === 'upload-resumable-start');
    expect(start?.headers['x-upload-content-length']).toBe(String(bytes.length));
    expectBytes(storedBytes(store, 'hinted') ?? new Uint8Array(0), bytes, 'the stored object');
  });

  it('refuses a body whose size differs from the hint, on both paths, storing nothing', async () => {
    for (const resumableThreshold of [MIB, 0]) {
      const store = storeOn(fake, { resumableThreshold, chunkSize: 256 * KIB });
      await expectHoldfastError(store.put('short', chunkedStream(testBytes(1000)), { size: 1001 }), 'INTEGRITY');
      await expectHoldfastError(store.put('short', testBytes(300 * KIB), { size: 299 * KIB }), 'INTEGRITY');
      expect(storedBytes(store, 'short')).toBeUndefined();
    }
    expect(fake.openSessions).toBe(0);
  });

  it('resends what a 308 says was not persisted', async () => {
    const store = storeOn(fake, { resumableThreshold: 0, chunkSize: 256 * KIB });
    const bytes = testBytes(700 * KIB, 5);
    fake.injectFault({ match: (request) => request.kind === 'upload-chunk', persistAtMost: 100_000 });
    const since = fake.requests.length;
    await store.put('partly-persisted', chunkedStream(bytes));
    const ranges = requestsFor(store, 'partly-persisted', since)
      .filter((request) => request.kind === 'upload-chunk')
      .map((request) => request.headers['content-range']);
    expect(ranges[0]).toBe(`bytes 0-${256 * KIB - 1}/*`);
    expect(ranges[1]).toBe(`bytes 100000-${100_000 + 256 * KIB - 1}/*`);
    expectBytes(storedBytes(store, 'partly-persisted') ?? new Uint8Array(0), bytes, 'the stored object');
  });

  it('refuses a resumable upload GCS computes another CRC32C for, and cancels the session', async () => {
    const store = storeOn(fake, { resumableThreshold: 0, chunkSize: 256 * KIB });
    fake.injectFault({
      match: (request) => request.kind === 'upload-chunk' && /\/\d+$/.test(String(request.headers['content-range'])),
      corrupt: true,
    });
    await expectHoldfastError(store.put('corrupted', chunkedStream(testBytes(600 * KIB))), 'INTEGRITY');
    expect(storedBytes(store, 'corrupted')).toBeUndefined();
    expect(fake.openSessions).toBe(0);
  });

  it('a resumable upload whose stream fails after chunks were sent: the stream error, no object, session cancelled', async () => {
    const store = storeOn(fake, { resumableThreshold: 0, chunkSize: 256 * KIB });
    const original = testBytes(5000, 6);
    await store.put('index/kept', original);
    const failure = new Error('the source failed midway');
    async function* body(): AsyncGenerator<Uint8Array, void, undefined> {
      yield testBytes(300 * KIB, 7);
      yield testBytes(300 * KIB, 8);
      throw failure;
    }
    const since = fake.requests.length;
    await expect(store.put('index/kept', body())).rejects.toBe(failure);
    const kinds = requestsFor(store, 'index/kept', since).map((request) => request.kind);
    expect(kinds.filter((kind) => kind === 'upload-chunk').length).toBeGreaterThanOrEqual(2);
    expect(kinds.at(-1)).toBe('upload-cancel');
    expect(fake.openSessions).toBe(0);
    expectBytes(storedBytes(store, 'index/kept') ?? new Uint8Array(0), original, 'the object kept');
  });

  it('a resumable upload aborted after chunks were sent: CanceledError, no object, session cancelled', async () => {
    const store = storeOn(fake, { resumableThreshold: 0, chunkSize: 256 * KIB });
    const original = testBytes(5000, 9);
    await store.put('locks/kept', original);
    const controller = new AbortController();
    const reason = new Error('aborted by the test');
    async function* body(): AsyncGenerator<Uint8Array, void, undefined> {
      yield testBytes(300 * KIB, 10);
      yield testBytes(300 * KIB, 11);
      controller.abort(reason);
      yield testBytes(300 * KIB, 12);
    }
    const since = fake.requests.length;
    await expectCanceled(store.put('locks/kept', body(), { signal: controller.signal }), reason, 'put');
    const kinds = requestsFor(store, 'locks/kept', since).map((request) => request.kind);
    expect(kinds.filter((kind) => kind === 'upload-chunk').length).toBeGreaterThanOrEqual(2);
    expect(kinds.at(-1)).toBe('upload-cancel');
    expect(fake.openSessions).toBe(0);
    expectBytes(storedBytes(store, 'locks/kept') ?? new Uint8Array(0), original, 'the object kept');
  });
});

describe('GcsObjectStore reads and lists', () => {
  it('checks a whole read against the CRC32C GCS sends: a corrupted download is an IntegrityError', async () => {
    const store = storeOn(fake);
    await store.put('checked', testBytes(200_000, 13));
    fake.injectFault({ match: (request) => request.kind === 'object-media', corrupt: true });
    await expectHoldfastError(
      store.get('checked').then(async (stream) => collectBytes(stream)),
      'INTEGRITY',
      'a corrupted whole read',
    );
    expectBytes(await collectBytes(await store.get('checked')), testBytes(200_000, 13), 'a clean read');
  });

  it('sends a ranged read as Range: bytes=a-b', async () => {
    const store = storeOn(fake);
    await store.put('ranged', testBytes(1000, 14));
    const since = fake.requests.length;
    await collectBytes(await store.get('ranged', { range: { offset: 10, length: 20 } }));
    await collectBytes(await store.get('ranged', { range: { offset: 990 } }));
    const ranges = requestsFor(store, 'ranged', since).map((request) => request.headers.range);
    expect(ranges).toEqual(['bytes=10-29', 'bytes=990-']);
  });

  it('stops a download when the signal fires while it is read', async () => {
    const store = storeOn(fake);
    await store.put('data/big', testBytes(3 * MIB, 15));
    const controller = new AbortController();
    const reason = new Error('stop reading');
    const stream = await store.get('data/big', { signal: controller.signal });
    const read = (async () => {
      for await (const _chunk of stream) controller.abort(reason);
    })();
    await expectCanceled(read, reason, 'reading after abort');
  });

  it('lists with maxResults = pageSize (at most 1000) and follows nextPageToken', async () => {
    const store = storeOn(fake, { listPageSize: 1000 });
    for (const index of [1, 2, 3, 4, 5]) await store.put(`index/${String(index)}`, testBytes(index));
    const since = fake.requests.length;
    const listed: string[] = [];
    for await (const info of store.list('index/', { pageSize: 2 })) listed.push(info.key);
    expect(listed).toEqual(['index/1', 'index/2', 'index/3', 'index/4', 'index/5']);
    const pages = fake.requests.slice(since).filter((request) => request.kind === 'object-list');
    expect(pages.map((request) => request.query.get('maxResults'))).toEqual(['2', '2', '2']);
    expect(pages.map((request) => request.query.get('prefix'))).toEqual(Array(3).fill(`${store.prefix}index/`));
    expect(pages[0]?.query.has('pageToken')).toBe(false);
    expect(pages[1]?.query.get('pageToken')).toBeTruthy();
    const huge = fake.requests.length;
    for await (const _info of store.list('', { pageSize: 5000 })) break;
    expect(
      fake.requests
        .slice(huge)
        .find((request) => request.kind === 'object-list')
        ?.query.get('maxResults'),
    ).toBe('1000');
  });

  it('keeps keys under its prefix: names outside it are neither listed nor reachable', async () => {
    const a = storeOn(fake, { prefix: 'shared/a' });
    const b = storeOn(fake, { prefix: 'shared/ab' });
    await a.put('x', testBytes(1));
    await b.put('y', testBytes(2));
    expect((await collect(a.list(''))).map((info) => info.key)).toEqual(['x']);
    expect((await collect(b.list(''))).map((info) => info.key)).toEqual(['y']);
    await expectHoldfastError(a.head('y'), 'NOT_FOUND');
    expect(a.name).toBe(`gcs:${TEST_BUCKET}/shared/a/`);
    expect(a.capabilities).toEqual({ rangedReads: true, immutableWrites: false, listPageSize: 1000 });
  });
});
