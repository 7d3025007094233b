/**
 * The Box error table, case by case: HTTP answers as Box sends them (status, JSON error body with its
 * `code`, lowercase `retry-after`, the empty 401), errors of box-node-sdk's token calls, network errors
 * and cancellations, each to the engine's error class; and messages that never show a credential.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '@holdfast/engine';
import { isHoldfastError } from '@holdfast/engine';
import { boxError, boxErrorTable, BoxHttpError } from '../../src/box/index.ts';

const http = (status: number, body?: unknown, headers: Record<string, string> = {}): BoxHttpError =>
  new BoxHttpError(status, body, new Headers(headers));
const box = (status: number, code: string, message = 'x'): BoxHttpError =>
  http(status, { type: 'error', status, code, message });

const cases: readonly [string, unknown, ErrorCode][] = [
  ['401 with an empty body (what Box sends)', http(401), 'AUTH'],
  ['401 unauthorized', box(401, 'unauthorized'), 'AUTH'],
  ['403 access_denied_insufficient_permissions', box(403, 'access_denied_insufficient_permissions'), 'AUTH'],
  ['403 insufficient_scope', box(403, 'insufficient_scope'), 'AUTH'],
  ['403 storage_limit_exceeded', box(403, 'storage_limit_exceeded'), 'PERMANENT'],
  ['404 not_found', box(404, 'not_found'), 'NOT_FOUND'],
  ['404 trashed', box(404, 'trashed'), 'NOT_FOUND'],
  ['410 gone', box(410, 'gone'), 'NOT_FOUND'],
  ['409 item_name_in_use', box(409, 'item_name_in_use'), 'CONFLICT'],
  ['409 name_temporarily_reserved', box(409, 'name_temporarily_reserved'), 'CONFLICT'],
  ['409 operation_blocked_temporary', box(409, 'operation_blocked_temporary'), 'TRANSIENT'],
  ['412 precondition_failed', box(412, 'precondition_failed'), 'CONFLICT'],
  ['400 folder_not_empty', box(400, 'folder_not_empty'), 'CONFLICT'],
  ['400 item_name_invalid', box(400, 'item_name_invalid'), 'VALIDATION'],
  ['400 item_name_too_long', box(400, 'item_name_too_long'), 'VALIDATION'],
  ['400 bad_request', box(400, 'bad_request'), 'PERMANENT'],
  ['400 file_size_too_small', box(400, 'file_size_too_small'), 'PERMANENT'],
  ['416 a range Box refuses', box(416, 'bad_request'), 'PERMANENT'],
  ['429 rate_limit_exceeded', box(429, 'rate_limit_exceeded'), 'THROTTLED'],
  ['429 too_many_requests', box(429, 'too_many_requests'), 'THROTTLED'],
  ['429 user_too_many_concurrent_downloads', box(429, 'user_too_many_concurrent_downloads'), 'THROTTLED'],
  ['503 unavailable', box(503, 'unavailable'), 'THROTTLED'],
  ['202 that stayed not ready', http(202), 'THROTTLED'],
  ['500 internal_server_error', box(500, 'internal_server_error'), 'TRANSIENT'],
  ['502 with an HTML body', http(502, { message: '<html>Bad Gateway</html>' }), 'TRANSIENT'],
  [
    '400 invalid_grant (token endpoint)',
    http(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' }),
    'AUTH',
  ],
  [
    '400 invalid_client (token endpoint)',
    http(400, { error: 'invalid_client', error_description: 'bad client' }),
    'AUTH',
  ],
  [
    "box-node-sdk's BoxApiError for invalid_grant",
    Object.assign(new Error('400 Request ID: x; invalid_grant - Invalid refresh token'), {
      name: 'BoxApiError',
      responseInfo: {
        statusCode: 400,
        headers: {},
        body: { error: 'invalid_grant', error_description: 'Invalid refresh token' },
      },
    }),
    'AUTH',
  ],
  [
    "box-node-sdk's BoxApiError for a 429 with retry-after",
    Object.assign(new Error('429'), { responseInfo: { statusCode: 429, headers: { 'retry-after': '3' }, body: {} } }),
    'THROTTLED',
  ],
  [
    'a reset connection',
    Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    }),
    'TRANSIENT',
  ],
  [
    "box-node-sdk's BoxSdkError around node-fetch's refused connection",
    Object.assign(new Error('request to https://api.box.com/oauth2/token failed, reason: connect ECONNREFUSED'), {
      name: 'BoxSdkError',
      error: Object.assign(new Error('connect ECONNREFUSED'), { name: 'FetchError', code: 'ECONNREFUSED' }),
    }),
    'TRANSIENT',
  ],
  [
    'an undici socket error',
    Object.assign(new TypeError('terminated'), { cause: { code: 'UND_ERR_SOCKET' } }),
    'TRANSIENT',
  ],
  ['an AbortError', Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), 'CANCELED'],
  ['anything else', new Error('surprise'), 'PERMANENT'],
];

describe('boxError', () => {
  it.each(cases)('%s', (_label, error, code) => {
    const translated = boxError(error, 'list folder 123');
    expect(translated.code).toBe(code);
    expect(translated.message).toContain('list folder 123');
  });

  it('keeps the lowercase retry-after as milliseconds', () => {
    const translated = boxError(
      http(429, { type: 'error', code: 'rate_limit_exceeded' }, { 'retry-after': '12' }),
      'x',
    );
    expect(isHoldfastError(translated, 'THROTTLED') && translated.retryAfter).toBe(12_000);
  });

  it('says to re-authorise when Box refuses the grant', () => {
    expect(boxError(http(400, { error: 'invalid_grant' }), 'token request').message).toMatch(/must be re-authorised/);
  });

  it('is CanceledError when the signal fired, whatever the error', () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    expect(boxError(box(500, 'internal_server_error'), 'x', controller.signal).code).toBe('CANCELED');
  });

  it('passes Holdfast errors through', () => {
    const original = boxError(box(404, 'not_found'), 'x');
    expect(boxError(original, 'y')).toBe(original);
  });

  it('never shows a credential that Box or the SDK put in a message', () => {
    const leaky = [
      http(400, { error: 'invalid_request', error_description: 'client_secret=s3cr3t&refresh_token=r3fr3sh' }),
      http(401, { message: 'Bearer abc.def-ghi was refused' }),
      Object.assign(new Error('failed with assertion=eyJhbGciOi.eyJpc3Mi.c2lnbmF0dXJl'), {
        responseInfo: { statusCode: 400, body: { error: 'invalid_grant' } },
      }),
      new Error('key -----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----'),
      new Error('{"client_secret":"s3cr3t","access_token":"t0k3n"}'),
    ];
    for (const error of leaky) {
      const translated = boxError(error, 'token request');
      const text = `${translated.message} ${String(translated.cause)} ${JSON.stringify(translated)}`;
      for (const secret of ['s3cr3t', 'r3fr3sh', 'abc.def-ghi', 'eyJhbGciOi', 'MIIE', 't0k3n'])
        expect(text).not.toContain(secret);
    }
  });

  it('has a description for every row', () => {
    for (const row of boxErrorTable) expect(row.when.length).toBeGreaterThan(3);
  });
});
