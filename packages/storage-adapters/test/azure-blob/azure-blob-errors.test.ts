/**
 * The Azure error table: table-driven over `RestError`s shaped like the SDK's (code, status, headers),
 * then the same translation end to end: against Azurite (a wrong key, a missing container, a cancelled
 * download) and against a stub HTTP server answering what Azure documents for throttling and timeouts
 * (Azurite never throttles).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestError } from '@azure/storage-blob';
import { AuthError, type ErrorCode, isHoldfastError, NotFoundError, ThrottledError } from '@holdfast/engine';
import { collect, collectBytes, expectCanceled, expectHoldfastError, testBytes, utf8 } from '@holdfast/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobObjectStore, azureBlobError, azureBlobErrorTable } from '../../src/azure-blob/index.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from './azurite.ts';

/** A RestError as the SDK throws it: `code` (unset for HEAD answers), status, response headers, parsed body. */
function restError(
  statusCode: number | undefined,
  code: string | undefined,
  headers: Record<string, string> = {},
  options: { headOnly?: boolean; message?: string } = {},
): RestError {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  if (code !== undefined && statusCode !== undefined) lower.set('x-ms-error-code', code);
  const response = { status: statusCode ?? 0, headers: { get: (name: string) => lower.get(name.toLowerCase()) } };
  const error = new RestError(options.message ?? 'The specified blob does not exist.', {
    ...(options.headOnly === true || code === undefined ? {} : { code }),
    ...(statusCode === undefined ? {} : { statusCode }),
    ...(statusCode === undefined ? {} : { response: response as unknown as NonNullable<RestError['response']> }),
  });
  if (statusCode !== undefined && code !== undefined && options.headOnly !== true) {
    Object.assign(error, { details: { errorCode: code } });
  }
  return error;
}

describe('azureBlobError: the table', () => {
  const cases: [string, Error, ErrorCode, (number | undefined)?][] = [
    ['404 BlobNotFound', restError(404, 'BlobNotFound'), 'NOT_FOUND'],
    [
      '404 BlobNotFound of a HEAD (code only in the header)',
      restError(404, 'BlobNotFound', {}, { headOnly: true }),
      'NOT_FOUND',
    ],
    ['404 ContainerNotFound', restError(404, 'ContainerNotFound'), 'NOT_FOUND'],
    ['404 without a code', restError(404, undefined), 'NOT_FOUND'],
    ['409 BlobAlreadyExists', restError(409, 'BlobAlreadyExists'), 'CONFLICT'],
    ['412 ConditionNotMet', restError(412, 'ConditionNotMet'), 'CONFLICT'],
    ['409 BlobImmutableDueToPolicy', restError(409, 'BlobImmutableDueToPolicy'), 'CONFLICT'],
    ['409 BlobImmutableDueToLegalHold', restError(409, 'BlobImmutableDueToLegalHold'), 'CONFLICT'],
    ['400 InvalidBlockList (a concurrent commit)', restError(400, 'InvalidBlockList'), 'CONFLICT'],
    ['409 BlobArchived', restError(409, 'BlobArchived'), 'PERMANENT'],
    ['503 ServerBusy with Retry-After: 7', restError(503, 'ServerBusy', { 'Retry-After': '7' }), 'THROTTLED', 7000],
    ['500 ServerBusy (ingress over the limit)', restError(500, 'ServerBusy'), 'THROTTLED', undefined],
    [
      '503 ServerBusy with x-ms-retry-after-ms',
      restError(503, 'ServerBusy', { 'x-ms-retry-after-ms': '1500' }),
      'THROTTLED',
      1500,
    ],
    ['429 without a code', restError(429, undefined, { 'retry-after': '2' }), 'THROTTLED', 2000],
    ['503 without Retry-After', restError(503, undefined), 'THROTTLED', undefined],
    ['403 AuthenticationFailed', restError(403, 'AuthenticationFailed'), 'AUTH'],
    ['403 AuthorizationPermissionMismatch', restError(403, 'AuthorizationPermissionMismatch'), 'AUTH'],
    ['403 KeyBasedAuthenticationNotPermitted', restError(403, 'KeyBasedAuthenticationNotPermitted'), 'AUTH'],
    ['401 without a code', restError(401, undefined), 'AUTH'],
    ['500 InternalError', restError(500, 'InternalError'), 'TRANSIENT'],
    ['500 OperationTimedOut', restError(500, 'OperationTimedOut'), 'TRANSIENT'],
    ['502 without a code', restError(502, undefined), 'TRANSIENT'],
    ['408 without a code', restError(408, undefined), 'TRANSIENT'],
    ['400 Md5Mismatch', restError(400, 'Md5Mismatch'), 'TRANSIENT'],
    ['a RestError ECONNRESET (no answer)', restError(undefined, 'ECONNRESET'), 'TRANSIENT'],
    ['a RestError REQUEST_SEND_ERROR', restError(undefined, 'REQUEST_SEND_ERROR'), 'TRANSIENT'],
    ['a Node socket error ETIMEDOUT', Object.assign(new Error('read ETIMEDOUT'), { code: 'ETIMEDOUT' }), 'TRANSIENT'],
    ['400 InvalidHeaderValue', restError(400, 'InvalidHeaderValue'), 'PERMANENT'],
    ['413 RequestBodyTooLarge', restError(413, 'RequestBodyTooLarge'), 'PERMANENT'],
    ['an AbortError', Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }), 'CANCELED'],
    ['a plain TypeError', new TypeError('x is not a function'), 'PERMANENT'],
  ];

  it.each(cases)('%s', (_label, error, code, retryAfter) => {
    const translated = azureBlobError(error, 'get of key "data/ab"');
    expect(isHoldfastError(translated, code), `${translated.name}: ${translated.message}`).toBe(true);
    expect(translated.cause).toBe(error);
    expect(translated.message).toMatch(/^Azure Blob get of key "data\/ab"/);
    if (isHoldfastError(translated, 'THROTTLED')) expect(translated.retryAfter).toBe(retryAfter);
  });

  it('every row of the table maps to an engine error class', () => {
    for (const [code, row] of Object.entries(azureBlobErrorTable)) {
      const translated = azureBlobError(restError(400, code), 'call');
      expect(translated, code).toBeInstanceOf(row.error);
    }
  });

  it('any error is CanceledError when the call was cancelled', () => {
    const signal = AbortSignal.abort(new Error('stop'));
    expect(azureBlobError(restError(500, 'InternalError'), 'put', signal).code).toBe('CANCELED');
    expect(azureBlobError(new Error('socket hang up'), 'put', signal).code).toBe('CANCELED');
  });

  it('passes Holdfast errors through', () => {
    const error = new NotFoundError('already translated');
    expect(azureBlobError(error, 'get')).toBe(error);
  });

  it('names the code, status and request id, and never repeats the service message or a URL', () => {
    const secret = 'sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D';
    const error = restError(
      403,
      'AuthenticationFailed',
      { 'x-ms-request-id': 'req-1' },
      {
        message: `Signature did not match. String to sign used was r\n/blob/acct/c\nhttps://acct.blob.core.windows.net/c?${secret}`,
      },
    );
    const translated = azureBlobError(error, 'head of key "config"');
    expect(translated).toBeInstanceOf(AuthError);
    expect(translated.message).toBe(
      'Azure Blob head of key "config" failed (AuthenticationFailed, HTTP 403, request id req-1): the account key, SAS or token was refused, has expired, or lacks the permission',
    );
    expect(JSON.stringify(translated)).not.toContain('sig=');
  });
});

describe('azureBlobError against Azurite', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  }, 60_000);
  afterAll(async () => {
    await (azurite as Azurite | undefined)?.stop();
  });

  it('a wrong account key is AuthError on every call, and the message holds no key', async () => {
    const container = await azurite.newContainer();
    await container.getBlockBlobClient('config').upload('x', 1);
    const wrongKey = Buffer.from('not the key of this account, not the key at all!').toString('base64');
    const store = new AzureBlobObjectStore({
      container: container.containerName,
      credentials: { accountName: AZURITE_ACCOUNT, accountKey: wrongKey, endpoint: azurite.endpoint },
    });
    const errors = [
      await expectHoldfastError(store.put('config', utf8('y')), 'AUTH'),
      await expectHoldfastError(store.get('config'), 'AUTH'),
      await expectHoldfastError(store.head('config'), 'AUTH'),
      await expectHoldfastError(collect(store.list('')), 'AUTH'),
      await expectHoldfastError(store.delete('config'), 'AUTH'),
    ];
    for (const error of errors) {
      expect(error.message).not.toContain(wrongKey);
      expect(error.message).not.toContain(AZURITE_KEY);
    }
  });

  it('a missing container is NotFoundError saying so, also for delete', async () => {
    const store = new AzureBlobObjectStore({
      container: 'no-such-container',
      credentials: { connectionString: azurite.connectionString },
    });
    for (const call of [
      () => store.put('config', utf8('x')),
      () => store.get('config'),
      () => store.head('config'),
      () => collect(store.list('')),
      () => store.delete('config'),
    ]) {
      const error = await expectHoldfastError(call(), 'NOT_FOUND');
      expect(error.message).toContain('ContainerNotFound');
    }
  });

  it('nothing listening is TransientError', async () => {
    const store = new AzureBlobObjectStore({
      container: 'any',
      credentials: {
        accountName: AZURITE_ACCOUNT,
        accountKey: AZURITE_KEY,
        endpoint: 'http://127.0.0.1:1/devstoreaccount1',
      },
    });
    const error = await expectHoldfastError(store.head('config'), 'TRANSIENT');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('a download cancelled midway rejects with CanceledError', async () => {
    const container = await azurite.newContainer();
    const store = new AzureBlobObjectStore({
      container: container.containerName,
      credentials: { connectionString: azurite.connectionString },
    });
    await store.put('data/large', testBytes(4 * 1024 * 1024));
    const controller = new AbortController();
    const reason = new Error('stop reading');
    const stream = await store.get('data/large', { signal: controller.signal });
    const reading = (async () => {
      for await (const chunk of stream) {
        expect(chunk.length).toBeGreaterThan(0);
        controller.abort(reason);
      }
    })();
    await expectCanceled(reading, reason, 'reading the download');
  });

  it('a read stopped early releases the connection: later calls work', async () => {
    const container = await azurite.newContainer();
    const store = new AzureBlobObjectStore({
      container: container.containerName,
      credentials: { connectionString: azurite.connectionString },
    });
    await store.put('data/large', testBytes(4 * 1024 * 1024));
    for (let round = 0; round < 20; round += 1) {
      for await (const chunk of await store.get('data/large')) {
        expect(chunk.length).toBeGreaterThan(0);
        break;
      }
    }
    expect((await collectBytes(await store.get('data/large', { range: { offset: 5, length: 5 } }))).length).toBe(5);
  });
});

describe('azureBlobError against a server answering as Azure documents', () => {
  /** What the stub answers next: status, error code, extra headers. */
  let answer: { status: number; code: string; headers?: Record<string, string> } = { status: 503, code: 'ServerBusy' };
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${answer.code}</Code><Message>Operations per second is over the account limit.\nRequestId:stub-1\nTime:2026-11-23T10:00:00.0000000Z</Message></Error>`;
      response.writeHead(answer.status, {
        'content-type': 'application/xml',
        'x-ms-error-code': answer.code,
        'x-ms-request-id': 'stub-1',
        'x-ms-version': '2025-11-05',
        ...answer.headers,
        ...(request.method === 'HEAD' ? {} : { 'content-length': Buffer.byteLength(body) }),
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${AZURITE_ACCOUNT}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  function stubStore(): AzureBlobObjectStore {
    return new AzureBlobObjectStore({
      container: 'backups',
      credentials: { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, endpoint },
    });
  }

  it('503 ServerBusy with Retry-After is ThrottledError with retryAfter, for GET, PUT and HEAD', async () => {
    answer = { status: 503, code: 'ServerBusy', headers: { 'retry-after': '5' } };
    const store = stubStore();
    for (const call of [() => store.get('config'), () => store.put('config', utf8('x')), () => store.head('config')]) {
      const error = await expectHoldfastError(call(), 'THROTTLED');
      expect(error).toBeInstanceOf(ThrottledError);
      expect(isHoldfastError(error, 'THROTTLED') && error.retryAfter).toBe(5000);
      expect(error.message).toContain('ServerBusy, HTTP 503, request id stub-1');
    }
  });

  it('500 OperationTimedOut is TransientError; 403 AuthenticationFailed is AuthError', async () => {
    answer = { status: 500, code: 'OperationTimedOut' };
    await expectHoldfastError(stubStore().get('config'), 'TRANSIENT');
    answer = { status: 403, code: 'AuthenticationFailed' };
    await expectHoldfastError(stubStore().head('config'), 'AUTH');
    await expectHoldfastError(collect(stubStore().list('')), 'AUTH');
  });
});
