/**
 * The engine's ObjectStore and ExportDestination conformance suites against the S3 adapter on a real
 * S3-compatible server (s3rver), each test under a fresh key prefix of one bucket.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describeExportDestination, describeObjectStore } from '@holdfast/engine/testing';
import { afterAll, beforeAll } from 'vitest';
import { S3ExportDestination, S3ObjectStore } from '../../src/s3/index.ts';
import { startS3rver, type S3rver } from './s3rver.ts';

let server: S3rver;
let prefixes = 0;
const bucket = 'conformance';

beforeAll(async () => {
  server = await startS3rver();
  await server.createBucket(bucket);
}, 60_000);
afterAll(async () => server.stop());

function options(): ConstructorParameters<typeof S3ObjectStore>[0] {
  return {
    bucket,
    prefix: `test-${String(++prefixes)}/`,
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: server.credentials,
    // The smallest part S3 allows, so the 20 MiB conformance object goes up in several parts.
    partSize: 5 * 1024 * 1024,
  };
}

describeObjectStore({
  name: 'S3ObjectStore on s3rver',
  create: async () => Promise.resolve({ store: new S3ObjectStore(options()) }),
});

describeExportDestination({
  name: 'S3ExportDestination on s3rver',
  create: async () => {
    const destinationOptions = options();
    return Promise.resolve({
      destination: new S3ExportDestination(destinationOptions),
      read: async (location: string) => {
        const key = location.slice(`s3://${bucket}/`.length);
        const response = await server.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return new Uint8Array((await response.Body?.transformToByteArray()) ?? new Uint8Array(0));
      },
    });
  },
});
