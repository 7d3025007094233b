/** The S3 error table, on constructed SDK errors and against s3rver with wrong credentials. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Error, S3ObjectStore } from '../../src/s3/index.ts';
import { startS3rver, type S3rver } from './s3rver.ts';

function sdkError(name: string, status: number, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(`${name} from the service`), {
    name,
    $metadata: { httpStatusCode: status },
    $response: { headers },
  });
}

describe('s3Error', () => {
  it.each([
    [sdkError('NoSuchKey', 404), 'NOT_FOUND'],
    [sdkError('NotFound', 404), 'NOT_FOUND'],
    [sdkError('NoSuchBucket', 404), 'NOT_FOUND'],
    [sdkError('AccessDenied', 403), 'AUTH'],
    [sdkError('InvalidAccessKeyId', 403), 'AUTH'],
    [sdkError('SignatureDoesNotMatch', 403), 'AUTH'],
    [sdkError('ExpiredToken', 400), 'AUTH'],
    [sdkError('SlowDown', 503), 'THROTTLED'],
    [sdkError('Unknown', 429), 'THROTTLED'],
    [sdkError('InternalError', 500), 'TRANSIENT'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'TRANSIENT'],
    [sdkError('ObjectLocked', 400), 'CONFLICT'],
    [sdkError('InvalidArgument', 400), 'PERMANENT'],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'CANCELED'],
  ])('%s → %s', (error, code) => {
    const mapped = s3Error(error, 'get of "k"');
    expect(mapped.code).toBe(code);
    expect(mapped.cause).toBe(error);
    expect(mapped.message).toMatch(/^S3 get of "k"/);
  });

  it('takes Retry-After from a throttling answer', () => {
    const mapped = s3Error(sdkError('SlowDown', 503, { 'retry-after': '7' }), 'put of "k"');
    expect(mapped).toMatchObject({ code: 'THROTTLED', retryAfter: 7000 });
  });

  it('reports a cancel as CANCELED whatever the SDK threw', () => {
    const controller = new AbortController();
    controller.abort();
    expect(s3Error(new Error('socket closed'), 'get', controller.signal).code).toBe('CANCELED');
  });
});

describe('against s3rver', () => {
  let server: S3rver;
  beforeAll(async () => {
    server = await startS3rver();
    await server.createBucket('errors');
  }, 60_000);
  afterAll(async () => server.stop());

  it('an unknown access key is an AuthError whose message shows no secret', async () => {
    const store = new S3ObjectStore({
      bucket: 'errors',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'UNKNOWNKEY', secretAccessKey: 'not-the-secret-123' },
    });
    const error = await store.put('x', new Uint8Array(3)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ code: 'AUTH' });
    expect(error?.message).not.toContain('not-the-secret-123');
  });

  it('a missing bucket is NOT_FOUND', async () => {
    const store = new S3ObjectStore({
      bucket: 'no-such-bucket',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: server.credentials,
    });
    await expect(store.put('x', new Uint8Array(1))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it.each([
    [{ bucket: 'Bad_Bucket' }, /not a valid bucket name/],
    [{ bucket: 'ok-bucket', prefix: '/abs' }, /must be relative/],
    [{ bucket: 'ok-bucket', endpoint: 'not a url' }, /is not a URL/],
    [{ bucket: 'ok-bucket', partSize: 1024 }, /partSize must be from 5 MiB/],
    [{ bucket: 'ok-bucket', objectLock: { mode: 'GOVERNANCE' as const, days: 0 } }, /objectLock.days/],
  ])('refuses options %j', (options, message) => {
    expect(() => new S3ObjectStore(options)).toThrow(message);
  });
});
