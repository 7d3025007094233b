/**
 * GcsExportDestination against the fake GCS JSON API: the conformance suite with the default upload
 * settings and with every export sent through a resumable upload, then what is special to GCS (the
 * `ifGenerationMatch=0` precondition that keeps two racing exports from clobbering each other).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chunkedStream,
  describeExportDestination,
  expectBytes,
  expectHoldfastError,
  utf8,
} from '@holdfast/engine/testing';
import type { ExportDestination } from '@holdfast/engine';
import { GcsExportDestination } from '../../src/gcs/index.ts';
import { startFakeGcsServer, type FakeGcsServer } from './fake-gcs-server.ts';
import { destinationOn, emptyPrefix, objectAt, TEST_BUCKET } from './gcs-test-support.ts';

let fake: FakeGcsServer;
beforeAll(async () => {
  fake = await startFakeGcsServer();
});
afterAll(async () => {
  await fake.close();
});

function cleanup({ destination }: { destination: ExportDestination }): Promise<void> {
  if (destination instanceof GcsExportDestination) emptyPrefix(fake, destination.prefix);
  return Promise.resolve();
}

describeExportDestination({
  name: 'GcsExportDestination on the fake JSON API',
  create: async () => ({ destination: destinationOn(fake), read: async (location) => objectAt(fake, location) }),
  cleanup,
});

describeExportDestination({
  name: 'GcsExportDestination, every export resumable in 256 KiB chunks',
  create: async () => ({
    destination: destinationOn(fake, { resumableThreshold: 0, chunkSize: 256 * 1024 }),
    read: async (location) => objectAt(fake, location),
  }),
  cleanup,
});

describe('GcsExportDestination', () => {
  it('uploads with ifGenerationMatch=0, so an export that lost a race for the name is a ConflictError', async () => {
    for (const resumableThreshold of [8 * 1024 * 1024, 0]) {
      const destination = destinationOn(fake, { resumableThreshold, chunkSize: 256 * 1024 });
      const since = fake.requests.length;
      // The name is free when checked, then taken by a racing export before this upload completes.
      fake.injectFault({
        match: (request) => request.kind === 'upload-multipart' || request.kind === 'upload-chunk',
        beforeHandling: () => {
          fake.insertObject(TEST_BUCKET, `${destination.prefix}race.zip`, utf8('the other export'));
        },
      });
      await expectHoldfastError(destination.write('race.zip', chunkedStream(utf8('mine'))), 'CONFLICT');
      const uploads = fake.requests.slice(since).filter((request) => request.kind.startsWith('upload-'));
      expect(uploads[0]?.query.get('ifGenerationMatch')).toBe('0');
      expectBytes(objectAt(fake, `gs://${TEST_BUCKET}/${destination.prefix}race.zip`), utf8('the other export'));
      expect(fake.openSessions).toBe(0);
    }
  });

  it('reports its location as a gs:// URI and sets the content type given', async () => {
    const destination = destinationOn(fake);
    const result = await destination.write('a.zip', chunkedStream(utf8('zip')), { contentType: 'application/x-zip' });
    expect(result.location).toBe(`gs://${TEST_BUCKET}/${destination.prefix}a.zip`);
    expect(fake.objects(TEST_BUCKET).get(`${destination.prefix}a.zip`)?.contentType).toBe('application/x-zip');
    expect(destination.capabilities.maxSize).toBe(5 * 1024 ** 4);
  });
});
