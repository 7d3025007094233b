/**
 * Shared by the GCS tests: stores and destinations on a {@link FakeGcsServer}, each under a fresh prefix
 * so tests never see each other's objects, and the clean-up that empties a prefix.
 */
import { randomUUID } from 'node:crypto';
import { GcsExportDestination, GcsObjectStore, type GcsObjectStoreOptions } from '../../src/gcs/index.ts';
import type { FakeGcsServer } from './fake-gcs-server.ts';

export const TEST_BUCKET = 'holdfast-test';

/** Extra options of a test store (anything but the endpoint). */
export type TestStoreOptions = Partial<Omit<GcsObjectStoreOptions, 'apiEndpoint'>>;

/** A store on the fake, under a fresh prefix. */
export function storeOn(fake: FakeGcsServer, options: TestStoreOptions = {}): GcsObjectStore {
  return new GcsObjectStore({
    bucket: TEST_BUCKET,
    prefix: `t/${randomUUID()}`,
    apiEndpoint: fake.url,
    ...options,
  });
}

/** An export destination on the fake, under a fresh prefix. */
export function destinationOn(fake: FakeGcsServer, options: TestStoreOptions = {}): GcsExportDestination {
  return new GcsExportDestination({
    bucket: TEST_BUCKET,
    prefix: `exports/${randomUUID()}`,
    apiEndpoint: fake.url,
    ...options,
  });
}

/** Deletes every object under the store's prefix (the fake's state, so a failed test leaves nothing). */
export function emptyPrefix(fake: FakeGcsServer, prefix: string): void {
  fake.deleteObjects(TEST_BUCKET, prefix);
}

/** The bytes of the object a `gs://bucket/name` URI names, read from the fake directly. */
export function objectAt(fake: FakeGcsServer, location: string): Uint8Array {
  const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(location);
  if (match === null) throw new Error(`not a gs:// URI: ${location}`);
  const object = fake.objects(match[1] ?? '').get(match[2] ?? '');
  if (object === undefined) throw new Error(`no object at ${location}`);
  return new Uint8Array(object.data);
}
