/**
 * GCS options: what is refused (and how the message says so), the client the adapter makes (SDK retries
 * off, authentication to a custom endpoint), and every credential form, each used for real against the
 * fake (which ignores authentication: with an `http:` endpoint the SDK sends none).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bucket, Storage } from '@google-cloud/storage';
import { ValidationError } from '@holdfast/engine';
import { collectBytes, expectBytes, testBytes } from '@holdfast/engine/testing';
import { GcsExportDestination, GcsObjectStore, type GcsObjectStoreOptions } from '../../src/gcs/index.ts';
import { resolveGcsOptions } from '../../src/gcs/gcs-options.ts';
import { startFakeGcsServer, type FakeGcsServer } from './fake-gcs-server.ts';
import { TEST_BUCKET } from './gcs-test-support.ts';

const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
const serviceAccountKey = {
  type: 'service_account',
  project_id: 'holdfast-test',
  private_key_id: 'test',
  private_key: privateKey,
  client_email: 'backup@holdfast-test.iam.gserviceaccount.com',
  client_id: '1',
};

describe('GCS options: what is refused', () => {
  const endpoint = 'http://127.0.0.1:1';
  const refused: readonly [string, GcsObjectStoreOptions, RegExp][] = [
    ['an empty bucket name', { bucket: '' }, /not a bucket name/],
    ['an upper-case bucket name', { bucket: 'Backups' }, /not a bucket name/],
    ['a bucket name with ".."', { bucket: 'a..b' }, /not a bucket name/],
    ['two credential forms', { bucket: 'b-1', credentials: serviceAccountKey, keyFilename: '/k.json' }, /at most one/],
    [
      'a Bucket of your own with credentials',
      { bucket: new Storage().bucket('b-1'), keyFilename: '/k.json' },
      /Bucket of your own, so keyFilename/,
    ],
    [
      'a Bucket of your own with an endpoint',
      { bucket: new Storage().bucket('b-1'), apiEndpoint: endpoint },
      /Bucket of your own, so apiEndpoint/,
    ],
    [
      'a Storage of your own with an endpoint',
      { bucket: 'b-1', storage: new Storage(), apiEndpoint: endpoint },
      /storage is a client of your own/,
    ],
    [
      'a key without private_key',
      { bucket: 'b-1', credentials: { client_email: 'a@b', private_key: '' } },
      /private_key/,
    ],
    [
      'a key without client_email',
      { bucket: 'b-1', credentials: { client_email: '', private_key: privateKey } },
      /client_email/,
    ],
    ['an empty keyFilename', { bucket: 'b-1', keyFilename: ' ' }, /keyFilename/],
    ['an endpoint that is not a URL', { bucket: 'b-1', apiEndpoint: 'storage' }, /not an http\(s\) URL/],
    [
      'an endpoint with credentials',
      { bucket: 'b-1', apiEndpoint: 'https://u:p@example.com' },
      /must not carry credentials/,
    ],
    ['a prefix starting with /', { bucket: 'b-1', prefix: '/repos' }, /must be relative/],
    ['a prefix with ".."', { bucket: 'b-1', prefix: 'repos/../x' }, /must be relative/],
    ['a prefix with an empty segment', { bucket: 'b-1', prefix: 'repos//x' }, /must be relative/],
    ['a chunk size that is not a multiple of 256 KiB', { bucket: 'b-1', chunkSize: 1_000_000 }, /multiple of 256 KiB/],
    ['a chunk size of 0', { bucket: 'b-1', chunkSize: 0 }, /multiple of 256 KiB/],
    ['a negative threshold', { bucket: 'b-1', resumableThreshold: -1 }, /resumableThreshold/],
    ['a list page of 0', { bucket: 'b-1', listPageSize: 0 }, /listPageSize/],
    ['a list page of 1001', { bucket: 'b-1', listPageSize: 1001 }, /listPageSize/],
  ];

  it.each(refused)('refuses %s', (_label, options, message) => {
    expect(() => new GcsObjectStore(options)).toThrow(ValidationError);
    expect(() => new GcsObjectStore(options)).toThrow(message);
  });

  it('reads a key file when the store is made, and refuses one that is missing, not JSON or not a service account', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'holdfast-gcs-bad-key-'));
    try {
      const notJson = join(folder, 'not.json');
      await writeFile(notJson, 'not json');
      const external = join(folder, 'external.json');
      await writeFile(external, JSON.stringify({ type: 'external_account', credential_source: { executable: {} } }));
      for (const [keyFilename, message] of [
        [join(folder, 'missing.json'), /cannot read the key file .*missing\.json.* \(ENOENT\)/],
        [notJson, /is not JSON/],
        [external, /"external_account" credential; only service-account keys/],
      ] as const) {
        expect(() => new GcsObjectStore({ bucket: 'b-1', keyFilename })).toThrow(message);
      }
      expect(
        () => new GcsObjectStore({ bucket: 'b-1', credentials: { ...serviceAccountKey, type: 'authorized_user' } }),
      ).toThrow(/only service-account keys/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('adds the / a prefix lacks, and keeps one that has it', () => {
    expect(new GcsObjectStore({ bucket: 'b-1', prefix: 'repos/ana' }).prefix).toBe('repos/ana/');
    expect(new GcsObjectStore({ bucket: 'b-1', prefix: 'repos/ana/' }).prefix).toBe('repos/ana/');
    expect(new GcsObjectStore({ bucket: 'b-1' }).prefix).toBe('');
  });
});

describe('GCS options: the client the adapter makes', () => {
  function storageOf(options: GcsObjectStoreOptions): Storage {
    const { bucket } = resolveGcsOptions(options);
    if (!(bucket instanceof Bucket)) throw new Error('expected a Bucket of the SDK');
    return bucket.storage;
  }

  it('turns the SDK’s automatic retries off, so only the engine retries', () => {
    expect(storageOf({ bucket: 'b-1' }).retryOptions.autoRetry).toBe(false);
  });

  it('authenticates to an https endpoint by default, not to an http one (an emulator)', () => {
    const https = storageOf({ bucket: 'b-1', apiEndpoint: 'https://storage.europe-west3.rep.googleapis.com/' });
    expect(https.apiEndpoint).toBe('https://storage.europe-west3.rep.googleapis.com');
    expect(https.useAuthWithCustomEndpoint).toBe(true);
    expect(storageOf({ bucket: 'b-1', apiEndpoint: 'http://127.0.0.1:4443' }).useAuthWithCustomEndpoint).toBe(false);
    expect(
      storageOf({ bucket: 'b-1', apiEndpoint: 'http://127.0.0.1:4443', useAuthWithCustomEndpoint: true })
        .useAuthWithCustomEndpoint,
    ).toBe(true);
  });

  it('uses a Storage or Bucket of your own as it is', () => {
    const storage = new Storage({ retryOptions: { autoRetry: true } });
    expect(storageOf({ bucket: 'b-1', storage })).toBe(storage);
    const bucket = storage.bucket('b-2');
    expect(resolveGcsOptions({ bucket }).bucket).toBe(bucket);
    expect(resolveGcsOptions({ bucket }).bucketName).toBe('b-2');
  });
});

describe('GCS options: every credential form works', () => {
  let fake: FakeGcsServer;
  let folder: string;
  beforeAll(async () => {
    fake = await startFakeGcsServer();
    folder = await mkdtemp(join(tmpdir(), 'holdfast-gcs-key-'));
  });
  afterAll(async () => {
    await fake.close();
    await rm(folder, { recursive: true, force: true });
  });

  async function roundTrip(store: GcsObjectStore): Promise<void> {
    const bytes = testBytes(1000, store.prefix.length);
    await store.put('config', bytes);
    expectBytes(await collectBytes(await store.get('config')), bytes);
    await store.delete('config');
  }

  it('Application Default Credentials (nothing given)', async () => {
    await roundTrip(new GcsObjectStore({ bucket: TEST_BUCKET, prefix: 'adc', apiEndpoint: fake.url }));
  });

  it('a service-account key object', async () => {
    await roundTrip(
      new GcsObjectStore({ bucket: TEST_BUCKET, prefix: 'key', apiEndpoint: fake.url, credentials: serviceAccountKey }),
    );
  });

  it('a service-account key file', async () => {
    const keyFilename = join(folder, 'sa.json');
    await writeFile(keyFilename, JSON.stringify(serviceAccountKey), { mode: 0o600 });
    await roundTrip(
      new GcsObjectStore({ bucket: TEST_BUCKET, prefix: 'key-file', apiEndpoint: fake.url, keyFilename }),
    );
  });

  it('a Storage of your own', async () => {
    const storage = new Storage({
      apiEndpoint: fake.url,
      useAuthWithCustomEndpoint: false,
      retryOptions: { autoRetry: false },
    });
    await roundTrip(new GcsObjectStore({ bucket: TEST_BUCKET, prefix: 'storage', storage }));
  });

  it('a Bucket of your own, also for exports', async () => {
    const storage = new Storage({ apiEndpoint: fake.url, useAuthWithCustomEndpoint: false });
    const bucket = storage.bucket(TEST_BUCKET);
    await roundTrip(new GcsObjectStore({ bucket, prefix: 'bucket' }));
    const destination = new GcsExportDestination({ bucket, prefix: 'bucket-exports' });
    const { location } = await destination.write(
      'x.zip',
      (async function* () {
        yield testBytes(10);
      })(),
    );
    expect(location).toBe(`gs://${TEST_BUCKET}/bucket-exports/x.zip`);
  });
});
