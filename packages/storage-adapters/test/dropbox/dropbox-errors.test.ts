/**
 * The Dropbox error table, row by row: each Dropbox answer (status, `error_summary`, `Retry-After`,
 * `retry_after`) and each network failure becomes the engine error the docs promise, with the delay of a
 * throttled answer kept and no credential in any message.
 */
import { describe, expect, it } from 'vitest';
import { CanceledError, isHoldfastError, type ErrorCode } from '@holdfast/engine';
import { DropboxApiError, dropboxError, dropboxErrorTable, redact } from '../../src/dropbox/dropbox-errors.ts';

const json = (summary: string, error: Record<string, unknown> = {}): Record<string, unknown> => ({
  error_summary: summary,
  error,
});

const cases: readonly [string, number, unknown, Record<string, string>, ErrorCode][] = [
  ['path not found', 409, json('path/not_found/..'), {}, 'NOT_FOUND'],
  ['delete: path_lookup not found', 409, json('path_lookup/not_found/...'), {}, 'NOT_FOUND'],
  ['download of a folder', 409, json('path/not_file/.'), {}, 'NOT_FOUND'],
  ['listing a file', 409, json('path/not_folder/..'), {}, 'NOT_FOUND'],
  ['expired upload session', 409, json('lookup_failed/not_found/..'), {}, 'NOT_FOUND'],
  ['a member not on the team', 401, json('invalid_select_user/..'), {}, 'NOT_FOUND'],
  ['conflict with a file', 409, json('path/conflict/file/..'), {}, 'CONFLICT'],
  ['conflict with a folder', 409, json('path/conflict/folder/.'), {}, 'CONFLICT'],
  ['a file above', 409, json('path/conflict/file_ancestor/..'), {}, 'CONFLICT'],
  ['a locked file', 409, json('path/locked/..'), {}, 'CONFLICT'],
  ['a reset cursor', 409, json('reset/..'), {}, 'CONFLICT'],
  [
    'too many requests',
    429,
    json('too_many_requests/..', { reason: { '.tag': 'too_many_requests' }, retry_after: 3 }),
    {},
    'THROTTLED',
  ],
  ['too many write operations', 429, json('too_many_write_operations/..'), { 'Retry-After': '2' }, 'THROTTLED'],
  ['write throttling inside a 409', 409, json('path/too_many_write_operations/...'), {}, 'THROTTLED'],
  ['delete throttling', 409, json('too_many_write_operations/..'), {}, 'THROTTLED'],
  ['busy', 503, 'Service Unavailable', { 'Retry-After': '1' }, 'THROTTLED'],
  ['expired token', 401, json('expired_access_token/..'), {}, 'AUTH'],
  ['invalid token', 401, json('invalid_access_token/...'), {}, 'AUTH'],
  ['suspended user', 401, json('user_suspended/..'), {}, 'AUTH'],
  [
    'missing scope',
    401,
    json('missing_scope/..', { '.tag': 'missing_scope', required_scope: 'files.content.read' }),
    {},
    'AUTH',
  ],
  ['no permission', 403, json('no_permission/..'), {}, 'AUTH'],
  ['no write permission', 409, json('path/no_write_permission/..'), {}, 'AUTH'],
  ['content hash mismatch', 409, json('content_hash_mismatch/..'), {}, 'INTEGRITY'],
  ['malformed path', 409, json('path/malformed_path/..'), {}, 'VALIDATION'],
  ['disallowed name', 409, json('path/disallowed_name/..'), {}, 'VALIDATION'],
  ['insufficient space', 409, json('path/insufficient_space/..'), {}, 'PERMANENT'],
  ['payload too large', 409, json('payload_too_large/..'), {}, 'PERMANENT'],
  ['a bad request', 400, 'Error in call to API function "files/list_folder": bad', {}, 'PERMANENT'],
  ['an unknown 409', 409, json('unsupported_file/..'), {}, 'PERMANENT'],
  ['internal error', 500, 'oops', {}, 'TRANSIENT'],
  ['bad gateway', 502, 'oops', {}, 'TRANSIENT'],
];

describe('the Dropbox error table', () => {
  it.each(cases)('%s (%i) is %s', (_label, status, body, headers, code) => {
    const error = dropboxError(new DropboxApiError(status, new Headers(headers), body), 'files/x as dbmid:1');
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^Dropbox files\/x as dbmid:1 failed: \d{3}/);
  });

  it('keeps the longer of Retry-After and retry_after, in milliseconds', () => {
    const both = dropboxError(
      new DropboxApiError(429, new Headers({ 'Retry-After': '2' }), json('too_many_requests/..', { retry_after: 5 })),
      'x',
    );
    expect(isHoldfastError(both, 'THROTTLED') && both.retryAfter).toBe(5000);
    const none = dropboxError(new DropboxApiError(429, new Headers(), json('too_many_requests/..')), 'x');
    expect(isHoldfastError(none, 'THROTTLED') && none.retryAfter).toBeUndefined();
  });

  it('says an expired or invalid token needs the connection re-authorised', () => {
    const error = dropboxError(new DropboxApiError(401, new Headers(), json('expired_access_token/..')), 'x');
    expect(error.message).toMatch(/re-authorised/);
  });

  it('maps network failures, aborts and unknown errors', () => {
    const reset = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('socket'), { code: 'ECONNRESET' }),
    });
    expect(dropboxError(reset, 'x').code).toBe('TRANSIENT');
    const controller = new AbortController();
    controller.abort();
    expect(dropboxError(new Error('whatever'), 'x', controller.signal)).toBeInstanceOf(CanceledError);
    expect(dropboxError(new Error('strange'), 'x').code).toBe('PERMANENT');
    const passthrough = new CanceledError('mine');
    expect(dropboxError(passthrough, 'x')).toBe(passthrough);
  });

  it('masks credentials in any text, and documents every row', () => {
    expect(
      redact('Authorization: Bearer sl.ABC-123_x refresh_token=rt-1&client_secret=s3cret "access_token": "sl.zzz"'),
    ).toBe('Authorization: Bearer … refresh_token=…&client_secret=… "access_token":"…"');
    const error = dropboxError(new DropboxApiError(400, new Headers(), 'bad Bearer sl.SECRET'), 'x');
    expect(error.message).not.toContain('sl.SECRET');
    for (const row of dropboxErrorTable) expect(row.when.length).toBeGreaterThan(5);
  });
});
