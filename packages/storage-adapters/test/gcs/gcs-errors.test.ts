/**
 * The GCS error table: first table-driven over every error shape the adapter can be handed (the SDK's
 * ApiError, a GaxiosError, the adapter's GcsHttpError, SDK RequestErrors, Node and undici network errors,
 * aborts), then end to end through the fake, where injected answers (403, 503 with Retry-After, a dropped
 * connection...) must come out of the store as the right engine error, after exactly one request: the
 * SDK's own retries are off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, isHoldfastError, NotFoundError } from '@holdfast/engine';
import { chunkedStream, collect, expectHoldfastError, testBytes } from '@holdfast/engine/testing';
import { gcsError, gcsErrorTable, GcsHttpError } from '../../src/gcs/index.ts';
import { redact } from '../../src/gcs/gcs-errors.ts';
import { startFakeGcsServer, type FakeGcsRequest, type FakeGcsServer } from './fake-gcs-server.ts';
import { destinationOn, storeOn, TEST_BUCKET } from './gcs-test-support.ts';

/** An ApiError as the SDK builds it from a JSON error body. */
function apiError(code: number, reason: string, message: string, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), { code, errors: [{ reason, message }], response: { headers } });
}

/** A GaxiosError as gaxios 7 builds it (starting a resumable session). */
function gaxiosError(status: number, reason: string, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(`Request failed with status code ${String(status)}`), {
    name: 'GaxiosError',
    status,
    response: {
      status,
      headers: new Headers(headers),
      data: { error: { code: status, message: `GCS says ${String(status)}`, errors: [{ reason }] } },
    },
  });
}

function httpError(status: number, headers: Record<string, string> = {}, reason = 'backendError'): GcsHttpError {
  return new GcsHttpError(status, new Headers(headers), {
    error: { code: status, message: 'm', errors: [{ reason }] },
  });
}

const cases: readonly {
  readonly label: string;
  readonly error: unknown;
  readonly code: ErrorCode;
  readonly retryAfter?: number;
}[] = [
  { label: 'ApiError 404 notFound', error: apiError(404, 'notFound', 'No such object: b/o'), code: 'NOT_FOUND' },
  {
    label: 'a download ApiError: code 404, the raw JSON body as message',
    error: Object.assign(
      new Error('{"error":{"code":404,"message":"No such object: b/o","errors":[{"reason":"notFound"}]}}'),
      {
        code: 404,
        errors: [],
      },
    ),
    code: 'NOT_FOUND',
  },
  { label: 'ApiError 401', error: apiError(401, 'required', 'Login Required'), code: 'AUTH' },
  { label: 'ApiError 403 forbidden', error: apiError(403, 'forbidden', 'Forbidden'), code: 'AUTH' },
  {
    label: 'ApiError 403 userRateLimitExceeded',
    error: apiError(403, 'userRateLimitExceeded', 'slow down'),
    code: 'THROTTLED',
  },
  {
    label: '403 for a retention policy',
    error: apiError(
      403,
      'forbidden',
      "Object 'b/o' is subject to bucket's retention policy and cannot be deleted, overwritten or archived until 2031-01-01",
    ),
    code: 'CONFLICT',
  },
  {
    label: '403 for an event-based hold',
    error: apiError(
      403,
      'forbidden',
      "Object 'b/o' is under active Event-Based hold and cannot be deleted, overwritten or archived until hold is removed.",
    ),
    code: 'CONFLICT',
  },
  { label: 'ApiError 409', error: apiError(409, 'conflict', 'Conflict'), code: 'CONFLICT' },
  {
    label: 'ApiError 412 conditionNotMet',
    error: apiError(412, 'conditionNotMet', 'pre-conditions'),
    code: 'CONFLICT',
  },
  {
    label: 'ApiError 429 with Retry-After in seconds',
    error: apiError(429, 'rateLimitExceeded', 'slow', { 'retry-after': '7' }),
    code: 'THROTTLED',
    retryAfter: 7000,
  },
  {
    label: 'ApiError 503 with Retry-After as an HTTP-date in the past',
    error: apiError(503, 'backendError', 'Backend Error', { 'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT' }),
    code: 'THROTTLED',
    retryAfter: 0,
  },
  { label: 'ApiError 503 without Retry-After', error: apiError(503, 'backendError', 'x'), code: 'THROTTLED' },
  { label: 'ApiError 500', error: apiError(500, 'backendError', 'x'), code: 'TRANSIENT' },
  { label: 'ApiError 502', error: apiError(502, 'backendError', 'x'), code: 'TRANSIENT' },
  { label: 'ApiError 504', error: apiError(504, 'backendError', 'x'), code: 'TRANSIENT' },
  { label: 'ApiError 408', error: apiError(408, 'requestTimeout', 'x'), code: 'TRANSIENT' },
  { label: 'ApiError 400 invalid', error: apiError(400, 'invalid', 'Invalid argument.'), code: 'PERMANENT' },
  {
    label: 'ApiError 400 for an MD5 that does not match',
    error: apiError(400, 'invalid', 'Provided MD5 hash "a" doesn\'t match calculated MD5 hash "b".'),
    code: 'INTEGRITY',
  },
  { label: 'ApiError 416', error: apiError(416, 'requestedRangeNotSatisfiable', 'x'), code: 'PERMANENT' },
  {
    label: 'GaxiosError 503 with Retry-After (a Headers object)',
    error: gaxiosError(503, 'backendError', { 'Retry-After': '3' }),
    code: 'THROTTLED',
    retryAfter: 3000,
  },
  { label: 'GaxiosError 403', error: gaxiosError(403, 'forbidden'), code: 'AUTH' },
  {
    label: 'GcsHttpError 429 with Retry-After',
    error: httpError(429, { 'retry-after': '1.5' }, 'rateLimitExceeded'),
    code: 'THROTTLED',
    retryAfter: 1500,
  },
  { label: 'GcsHttpError 404 (session unknown)', error: httpError(404, {}, 'notFound'), code: 'NOT_FOUND' },
  { label: 'GcsHttpError 410 (session expired)', error: httpError(410), code: 'TRANSIENT' },
  {
    label: 'SDK RequestError CONTENT_DOWNLOAD_MISMATCH',
    error: Object.assign(new Error('The downloaded data did not match the data from the server.'), {
      code: 'CONTENT_DOWNLOAD_MISMATCH',
    }),
    code: 'INTEGRITY',
  },
  {
    label: 'SDK RequestError FILE_NO_UPLOAD',
    error: Object.assign(new Error('The uploaded data did not match'), { code: 'FILE_NO_UPLOAD' }),
    code: 'INTEGRITY',
  },
  {
    label: 'a Node system error ECONNRESET',
    error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    code: 'TRANSIENT',
  },
  {
    label: "undici's TypeError('fetch failed') with an ECONNREFUSED cause",
    error: new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }),
    code: 'TRANSIENT',
  },
  {
    label: "node-fetch's FetchError ETIMEDOUT",
    error: Object.assign(new Error('network timeout'), { name: 'FetchError', type: 'system', code: 'ETIMEDOUT' }),
    code: 'TRANSIENT',
  },
  {
    label: 'a response cut short (ERR_STREAM_PREMATURE_CLOSE)',
    error: Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
    code: 'TRANSIENT',
  },
  { label: 'an AbortError', error: new DOMException('This operation was aborted', 'AbortError'), code: 'CANCELED' },
  {
    label: 'no Application Default Credentials',
    error: new Error('Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication'),
    code: 'AUTH',
  },
  {
    label: 'a token refresh refused (invalid_grant)',
    error: new Error('invalid_grant: Invalid JWT Signature.'),
    code: 'AUTH',
  },
  {
    label: 'a key file that cannot be read (ENOENT)',
    error: Object.assign(new Error("ENOENT: no such file or directory, open '/etc/sa.json'"), { code: 'ENOENT' }),
    code: 'AUTH',
  },
  { label: 'anything else', error: new Error('something odd'), code: 'PERMANENT' },
  { label: 'a non-Error value', error: 'a string', code: 'PERMANENT' },
];

describe('gcsError: the table', () => {
  it.each(cases)('$label → $code', ({ error, code, retryAfter }) => {
    const translated = gcsError(error, 'get of "data/ab"');
    expect(translated.code).toBe(code);
    expect(translated.cause).toBe(error);
    expect(translated.message).toContain('GCS get of "data/ab"');
    if (isHoldfastError(translated, 'THROTTLED')) expect(translated.retryAfter).toBe(retryAfter);
    else expect(retryAfter).toBeUndefined();
  });

  it('makes any error a CanceledError when the call was aborted', () => {
    const signal = AbortSignal.abort(new Error('stop'));
    expect(gcsError(apiError(503, 'backendError', 'x'), 'head', signal).code).toBe('CANCELED');
    expect(gcsError(Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'head', signal).code).toBe('CANCELED');
  });

  it('passes Holdfast errors through unchanged', () => {
    const error = new NotFoundError('no');
    expect(gcsError(error, 'head')).toBe(error);
  });

  it('ends with a catch-all row, and documents every row', () => {
    expect(gcsErrorTable.at(-1)?.matches({ message: '', aborted: false })).toBe(true);
    for (const row of gcsErrorTable) expect(row.when).not.toBe('');
  });

  it('masks session ids, tokens and keys in messages', () => {
    const error = apiError(
      400,
      'invalid',
      'PUT https://storage.googleapis.com/upload/storage/v1/b/b/o?uploadType=resumable&upload_id=ADPycdsecret failed; ' +
        'Authorization: Bearer ya29.a0secret; -----BEGIN PRIVATE KEY-----\nMIIEsecret\n-----END PRIVATE KEY-----',
    );
    const { message } = gcsError(error, 'put of "x"');
    expect(message).not.toMatch(/secret/);
    expect(message).toContain('upload_id=…');
    expect(redact('access_token=abc&x=1 key=AIzaSecret')).toBe('access_token=…&x=1 key=…');
  });
});

describe('gcsError: through the fake JSON API', () => {
  let fake: FakeGcsServer;
  beforeAll(async () => {
    fake = await startFakeGcsServer();
  });
  afterAll(async () => {
    await fake.close();
  });

  /** The requests of `kind` made since `since`. */
  function count(kind: FakeGcsRequest['kind'], since: number): number {
    return fake.requests.slice(since).filter((request) => request.kind === kind).length;
  }

  it('403 → AuthError, once (no SDK retry), with GCS message and the SDK error as cause', async () => {
    const store = storeOn(fake);
    await store.put('secret', testBytes(10));
    fake.injectFault({ match: (request) => request.kind === 'object-get', status: 403 });
    const since = fake.requests.length;
    const error = await expectHoldfastError(store.head('secret'), 'AUTH');
    expect(error.message).toMatch(/403 forbidden: The caller does not have permission/);
    expect(error.cause).toBeInstanceOf(Error);
    expect(count('object-get', since)).toBe(1);
  });

  it('503 with Retry-After on a download → ThrottledError with retryAfter, once', async () => {
    const store = storeOn(fake);
    await store.put('busy', testBytes(100));
    fake.injectFault({
      match: (request) => request.kind === 'object-media',
      status: 503,
      headers: { 'Retry-After': '7' },
    });
    const since = fake.requests.length;
    const error = await expectHoldfastError(store.get('busy'), 'THROTTLED');
    expect(isHoldfastError(error, 'THROTTLED') ? error.retryAfter : undefined).toBe(7000);
    expect(count('object-media', since)).toBe(1);
  });

  it('429 with Retry-After on a list page → ThrottledError with retryAfter, once', async () => {
    const store = storeOn(fake);
    fake.injectFault({
      match: (request) => request.kind === 'object-list',
      status: 429,
      headers: { 'Retry-After': '2' },
    });
    const since = fake.requests.length;
    const error = await expectHoldfastError(collect(store.list('')), 'THROTTLED');
    expect(isHoldfastError(error, 'THROTTLED') ? error.retryAfter : undefined).toBe(2000);
    expect(count('object-list', since)).toBe(1);
  });

  it('503 with Retry-After on a single-request upload → ThrottledError, once, nothing stored', async () => {
    const store = storeOn(fake);
    fake.injectFault({
      match: (request) => request.kind === 'upload-multipart',
      status: 503,
      headers: { 'Retry-After': '4' },
    });
    const since = fake.requests.length;
    const error = await expectHoldfastError(store.put('refused', testBytes(100)), 'THROTTLED');
    expect(isHoldfastError(error, 'THROTTLED') ? error.retryAfter : undefined).toBe(4000);
    expect(count('upload-multipart', since)).toBe(1);
    await expectHoldfastError(store.head('refused'), 'NOT_FOUND');
  });

  it('503 with Retry-After when starting a resumable session → ThrottledError, once', async () => {
    const store = storeOn(fake, { resumableThreshold: 0, chunkSize: 256 * 1024 });
    fake.injectFault({
      match: (request) => request.kind === 'upload-resumable-start',
      status: 503,
      headers: { 'Retry-After': '5' },
    });
    const since = fake.requests.length;
    const error = await expectHoldfastError(store.put('refused', chunkedStream(testBytes(1000))), 'THROTTLED');
    expect(isHoldfastError(error, 'THROTTLED') ? error.retryAfter : undefined).toBe(5000);
    expect(count('upload-resumable-start', since)).toBe(1);
  });

  it('503 with Retry-After on a resumable chunk → ThrottledError; the session is cancelled, nothing stored', async () => {
    const store = storeOn(fake, { resumableThreshold: 0, chunkSize: 256 * 1024 });
    fake.injectFault({
      match: (request) => request.kind === 'upload-chunk',
      status: 503,
      headers: { 'Retry-After': '6' },
    });
    const since = fake.requests.length;
    const error = await expectHoldfastError(store.put('refused', chunkedStream(testBytes(600 * 1024))), 'THROTTLED');
    expect(isHoldfastError(error, 'THROTTLED') ? error.retryAfter : undefined).toBe(6000);
    expect(error.message).not.toContain('upload_id');
    expect(count('upload-chunk', since)).toBe(1);
    expect(count('upload-cancel', since)).toBe(1);
    expect(fake.openSessions).toBe(0);
    await expectHoldfastError(store.head('refused'), 'NOT_FOUND');
  });

  it('404 → NotFoundError for head, get and a ranged get', async () => {
    const store = storeOn(fake);
    await expectHoldfastError(store.head('nothing'), 'NOT_FOUND');
    await expectHoldfastError(store.get('nothing'), 'NOT_FOUND');
    await expectHoldfastError(store.get('nothing', { range: { offset: 5, length: 5 } }), 'NOT_FOUND');
  });

  it('a dropped connection → TransientError', async () => {
    const store = storeOn(fake);
    fake.injectFault({ match: (request) => request.kind === 'object-get', reset: true });
    await expectHoldfastError(store.head('anything'), 'TRANSIENT');
    fake.injectFault({ match: (request) => request.kind === 'upload-chunk', reset: true });
    await expectHoldfastError(
      storeOn(fake, { resumableThreshold: 0, chunkSize: 256 * 1024 }).put('dropped', chunkedStream(testBytes(1000))),
      'TRANSIENT',
    );
    expect(fake.openSessions).toBe(0);
  });

  it('403 for an object under retention on delete → ConflictError (the engine leaves it for later)', async () => {
    const store = storeOn(fake);
    await store.put('data/young', testBytes(10));
    fake.injectFault({
      match: (request) => request.kind === 'object-delete',
      status: 403,
      message: `Object '${TEST_BUCKET}/${store.prefix}data/young' is subject to bucket's retention policy and cannot be deleted, overwritten or archived until 2031-01-01T00:00:00Z`,
    });
    await expectHoldfastError(store.delete('data/young'), 'CONFLICT');
    expect(fake.objects(TEST_BUCKET).has(`${store.prefix}data/young`)).toBe(true);
  });

  it('412 on an export upload → ConflictError', async () => {
    const destination = destinationOn(fake);
    fake.injectFault({ match: (request) => request.kind === 'upload-multipart', status: 412 });
    await expectHoldfastError(destination.write('x.zip', chunkedStream(testBytes(10))), 'CONFLICT');
  });
});
