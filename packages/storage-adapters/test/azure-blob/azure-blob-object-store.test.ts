/**
 * AzureBlobObjectStore against a real Azurite: the ObjectStore conformance suite (each test in a fresh
 * container, under a key prefix, beside blobs outside the prefix that the store must never see), then
 * what is special to Azure: staged block uploads, their failure modes, and the requests each call costs.
 */
import { type ContainerClient, newPipeline, type RequestPolicyFactory } from '@azure/storage-blob';
import {
  chunkedStream,
  collect,
  collectBytes,
  describeObjectStore,
  expectBytes,
  expectCanceled,
  expectHoldfastError,
  failingStream,
  testBytes,
  utf8,
} from '@holdfast/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobObjectStore } from '../../src/azure-blob/index.ts';
import { type Azurite, startAzurite } from './azurite.ts';

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await (azurite as Azurite | undefined)?.stop();
});

/** Blobs beside the store's prefix: a store under `repos/alice/` must not list, read or delete them. */
const outside = ['repos/alice', 'repos/alicex/config', 'repos/bob/config', 'config'];

describeObjectStore({
  name: 'AzureBlobObjectStore on Azurite (key prefix, fresh container per test)',
  create: async () => {
    const container = await azurite.newContainer();
    for (const name of outside) await container.getBlockBlobClient(name).upload('outside', 7);
    const store = new AzureBlobObjectStore({
      container: container.containerName,
      prefix: 'repos/alice/',
      credentials: { connectionString: azurite.connectionString },
    });
    return { store };
  },
  cleanup: async ({ store }) => {
    if (!(store instanceof AzureBlobObjectStore)) throw new Error('not the store create made');
    const container = store.containerClient;
    const names = (await collect(container.listBlobsFlat())).map((blob) => blob.name);
    expect(names.filter((name) => !name.startsWith('repos/alice/')).sort()).toEqual([...outside].sort());
    await container.delete();
  },
});

/** A store on a fresh container with 64 KiB blocks, so small bodies take the staged path. */
async function smallBlockStore(uploadConcurrency = 2): Promise<AzureBlobObjectStore> {
  const container = await azurite.newContainer();
  return new AzureBlobObjectStore({
    container: container.containerName,
    credentials: { connectionString: azurite.connectionString },
    blockSize: 64 * 1024,
    uploadConcurrency,
  });
}

/** The committed block sizes of a blob. */
async function committedBlocks(store: AzureBlobObjectStore, key: string): Promise<number[]> {
  const list = await store.containerClient.getBlockBlobClient(key).getBlockList('committed');
  return (list.committedBlocks ?? []).map((block) => block.size);
}

describe('AzureBlobObjectStore: staged uploads', () => {
  it('stages a stream in blocks of blockSize and commits them in order', async () => {
    const store = await smallBlockStore();
    const bytes = testBytes(5 * 64 * 1024 + 1234, 1);
    await store.put('data/staged', chunkedStream(bytes));
    expectBytes(await collectBytes(await store.get('data/staged')), bytes);
    expect(await committedBlocks(store, 'data/staged')).toEqual([...Array<number>(5).fill(64 * 1024), 1234]);
  });

  it('stages a Uint8Array larger than one block, and sends one that fits in one request', async () => {
    const store = await smallBlockStore(1);
    const big = testBytes(3 * 64 * 1024, 2);
    await store.put('data/big', big);
    expectBytes(await collectBytes(await store.get('data/big')), big);
    expect(await committedBlocks(store, 'data/big')).toEqual([65536, 65536, 65536]);
    await store.put('data/small', testBytes(64 * 1024, 3));
    expect(await committedBlocks(store, 'data/small')).toEqual([]); // Put Blob: no block list
  });

  it('a stream failing after blocks were staged leaves no object, and an existing one intact', async () => {
    const store = await smallBlockStore();
    const injected = new Error('injected');
    const bytes = testBytes(10 * 64 * 1024, 4);
    await expect(store.put('data/failed', failingStream(bytes, 7 * 64 * 1024 + 5, injected))).rejects.toBe(injected);
    await expectHoldfastError(store.head('data/failed'), 'NOT_FOUND');
    expect(await collect(store.list(''))).toEqual([]);

    const original = testBytes(100, 5);
    await store.put('index/kept', original);
    await expect(store.put('index/kept', failingStream(bytes, 6 * 64 * 1024, injected))).rejects.toBe(injected);
    expectBytes(await collectBytes(await store.get('index/kept')), original);
  });

  it('an abort after blocks were staged rejects with CanceledError and leaves no object', async () => {
    const store = await smallBlockStore();
    const controller = new AbortController();
    const reason = new Error('stop');
    const bytes = testBytes(8 * 64 * 1024, 6);
    async function* body(): AsyncGenerator<Uint8Array, void, undefined> {
      yield bytes.slice(0, 5 * 64 * 1024);
      controller.abort(reason);
      yield bytes.slice(5 * 64 * 1024);
    }
    await expectCanceled(store.put('data/aborted', body(), { signal: controller.signal }), reason);
    await expectHoldfastError(store.get('data/aborted'), 'NOT_FOUND');
    expect(await collect(store.list(''))).toEqual([]);
  });

  it('a size hint that differs from the body rejects with IntegrityError and writes nothing', async () => {
    const store = await smallBlockStore();
    for (const length of [100, 3 * 64 * 1024]) {
      const bytes = testBytes(length, 7);
      await expectHoldfastError(store.put('data/sized', chunkedStream(bytes), { size: length + 1 }), 'INTEGRITY');
      await expectHoldfastError(store.put('data/sized', bytes, { size: length - 1 }), 'INTEGRITY');
      await expectHoldfastError(store.put('data/sized', chunkedStream(bytes), { size: length - 1 }), 'INTEGRITY');
    }
    expect(await collect(store.list(''))).toEqual([]);
  });

  it('concurrent staged puts of one key leave one of them whole; a loser rejects with ConflictError', async () => {
    const store = await smallBlockStore();
    const bodies = Array.from({ length: 4 }, (_, index) => testBytes(4 * 64 * 1024 + index, 10 + index));
    const outcomes = await Promise.allSettled(bodies.map(async (bytes) => store.put('locks/x', chunkedStream(bytes))));
    expect(outcomes.some((outcome) => outcome.status === 'fulfilled')).toBe(true);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toMatchObject({ code: 'CONFLICT' });
        expect((outcome.reason as Error).message).toContain('InvalidBlockList');
      }
    }
    const got = await collectBytes(await store.get('locks/x'));
    const winner = bodies.find((bytes) => bytes.length === got.length);
    expectBytes(got, winner ?? new Uint8Array(0), 'the surviving object');
  });
});

describe('AzureBlobObjectStore: keys and options', () => {
  it('refuses keys Azure cannot hold as given, before any request', async () => {
    const store = new AzureBlobObjectStore({
      container: 'never-created',
      credentials: { connectionString: azurite.connectionString },
    });
    for (const key of ['', '/abs', 'a//b', 'a/./b', 'a/../b', 'trailing/', 'back\\slash', 'dot.', 'x'.repeat(1025)]) {
      await expectHoldfastError(store.put(key, utf8('x')), 'VALIDATION', `put ${JSON.stringify(key)}`);
      await expectHoldfastError(store.get(key), 'VALIDATION', `get ${JSON.stringify(key)}`);
    }
  });

  it('names itself by container URL and prefix, and declares its capabilities', () => {
    const store = new AzureBlobObjectStore({
      container: 'backups',
      prefix: 'repos/alice',
      credentials: { connectionString: azurite.connectionString },
      listPageSize: 250,
    });
    expect(store.name).toBe(`azure-blob:${azurite.endpoint}/backups/repos/alice/`);
    expect(store.prefix).toBe('repos/alice/');
    expect(store.capabilities).toEqual({ rangedReads: true, immutableWrites: false, listPageSize: 250 });
    const plain = new AzureBlobObjectStore({
      container: 'backups',
      credentials: { connectionString: 'UseDevelopmentStorage=true' },
    });
    expect(plain.capabilities).toEqual({ rangedReads: true, immutableWrites: false, listPageSize: 5000 });
  });
});

/** Counts the HTTP requests a client sends, as `METHOD comp` (e.g. `PUT block`, `GET list`). */
function countingClient(container: ContainerClient): { client: ContainerClient; requests: string[] } {
  const requests: string[] = [];
  const pipeline = newPipeline(azurite.credential, { retryOptions: { maxTries: 1 } });
  const counter: RequestPolicyFactory = {
    create: (next) => ({
      sendRequest: async (request) => {
        const comp = new URL(request.url).searchParams.get('comp');
        requests.push(`${request.method}${comp === null ? '' : ` ${comp}`}`);
        return next.sendRequest(request);
      },
    }),
  };
  pipeline.factories.unshift(counter);
  return { client: new (container.constructor as typeof ContainerClient)(container.url, pipeline), requests };
}

describe('AzureBlobObjectStore: requests per call (as docs/storage/azure-blob.md says)', () => {
  it('put, get, head, list and delete cost what the docs say', async () => {
    const { client, requests } = countingClient(await azurite.newContainer());
    const store = new AzureBlobObjectStore({ containerClient: client, blockSize: 64 * 1024 });
    const take = (): string[] => requests.splice(0);

    await store.put('small', testBytes(1000));
    expect(take()).toEqual(['PUT']);
    await store.put('one-block', chunkedStream(testBytes(64 * 1024)));
    expect(take()).toEqual(['PUT']);
    await store.put('large', chunkedStream(testBytes(3 * 64 * 1024 + 1)));
    expect(take()).toEqual(['PUT block', 'PUT block', 'PUT block', 'PUT block', 'PUT blocklist']);
    await collectBytes(await store.get('large'));
    expect(take()).toEqual(['GET']);
    await collectBytes(await store.get('large', { range: { offset: 10, length: 100 } }));
    expect(take()).toEqual(['GET']);
    await collectBytes(await store.get('large', { range: { offset: 10, length: 0 } }));
    expect(take()).toEqual(['HEAD']);
    await store.head('small');
    expect(take()).toEqual(['HEAD']);
    await Promise.all(Array.from({ length: 9 }, async (_, index) => store.put(`index/${index}`, utf8('i'))));
    take();
    expect(await collect(store.list('index/', { pageSize: 4 }))).toHaveLength(9);
    expect(take()).toEqual(['GET list', 'GET list', 'GET list']);
    await store.delete('small');
    await store.delete('small');
    expect(take()).toEqual(['DELETE', 'DELETE']);
  });
});
