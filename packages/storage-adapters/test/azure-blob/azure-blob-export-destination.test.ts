/**
 * AzureBlobExportDestination against a real Azurite: the ExportDestination conformance suite, each test in
 * a fresh container and reading exports back from their location URL with the account key, then the
 * blob properties a download sees and the race for one name.
 */
import { BlobClient } from '@azure/storage-blob';
import {
  chunkedStream,
  describeExportDestination,
  expectBytes,
  expectHoldfastError,
  testBytes,
  utf8,
} from '@holdfast/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobExportDestination } from '../../src/azure-blob/index.ts';
import { type Azurite, startAzurite } from './azurite.ts';

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await (azurite as Azurite | undefined)?.stop();
});

/** The bytes of the blob at `location`, read with the account key (the location itself carries no SAS). */
async function download(location: string): Promise<Uint8Array> {
  expect(location).not.toContain('?');
  return new BlobClient(location, azurite.credential).downloadToBuffer();
}

describeExportDestination({
  name: 'AzureBlobExportDestination on Azurite (fresh container per test)',
  create: async () => {
    const container = await azurite.newContainer();
    const destination = new AzureBlobExportDestination({
      container: container.containerName,
      prefix: 'exports/',
      credentials: { connectionString: azurite.connectionString },
    });
    return { destination, read: download };
  },
  cleanup: async ({ destination }) => {
    if (destination instanceof AzureBlobExportDestination) await destination.containerClient.delete();
  },
});

describe('AzureBlobExportDestination', () => {
  it('writes under its prefix, with the content type and a download name, at a location without the SAS', async () => {
    const container = await azurite.newContainer();
    const destination = new AzureBlobExportDestination({
      container: container.containerName,
      prefix: 'exports/alice',
      credentials: { connectionString: azurite.connectionString },
    });
    const bytes = testBytes(3000, 1);
    const name = 'Export ü 2026.zip';
    const result = await destination.write(name, chunkedStream(bytes), { contentType: 'application/zip', size: 3000 });
    expect(result).toEqual({ location: container.getBlobClient(`exports/alice/${name}`).url, size: 3000 });
    const properties = await container.getBlobClient(`exports/alice/${name}`).getProperties();
    expect(properties.contentType).toBe('application/zip');
    expect(properties.contentDisposition).toBe(`attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
    expectBytes(await download(result.location), bytes);
    expect(destination.capabilities).toEqual({ maxSize: 50_000 * 8 * 1024 * 1024 });
  });

  it('of two writes racing for one name, one wins whole and the other rejects with ConflictError', async () => {
    const container = await azurite.newContainer();
    const destination = new AzureBlobExportDestination({
      container: container.containerName,
      credentials: { connectionString: azurite.connectionString },
      blockSize: 64 * 1024,
    });
    const bodies = [testBytes(200_000, 1), testBytes(200_001, 2), utf8('small'), utf8('smaller')];
    const outcomes = await Promise.allSettled(
      bodies.map(async (bytes) => destination.write('race.zip', chunkedStream(bytes))),
    );
    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'CONFLICT' });
    }
    const got = new Uint8Array(await container.getBlobClient('race.zip').downloadToBuffer());
    expectBytes(got, bodies.find((bytes) => bytes.length === got.length) ?? new Uint8Array(0), 'the winner');
  });

  it('a size that differs from the content rejects with IntegrityError and leaves the name free', async () => {
    const container = await azurite.newContainer();
    const destination = new AzureBlobExportDestination({
      container: container.containerName,
      credentials: { connectionString: azurite.connectionString },
    });
    await expectHoldfastError(destination.write('x.zip', chunkedStream(utf8('four')), { size: 5 }), 'INTEGRITY');
    expect((await destination.write('x.zip', chunkedStream(utf8('four')), { size: 4 })).size).toBe(4);
  });

  it('reports a missing container as NotFoundError', async () => {
    const destination = new AzureBlobExportDestination({
      container: 'no-such-container',
      credentials: { connectionString: azurite.connectionString },
    });
    const error = await expectHoldfastError(destination.write('x.zip', chunkedStream(utf8('x'))), 'NOT_FOUND');
    expect(error.message).toContain('ContainerNotFound');
  });
});
