import { AuthError, CanceledError, IntegrityError, ThrottledError } from '@holdfast/engine';
import { describe, expect, it } from 'vitest';
import { describeFailure } from './exit-codes.ts';

describe('examples/exit-codes', () => {
  it.each([
    [new ThrottledError('Box answered 429', { retryAfter: 1_200 }), 75, 'THROTTLED: Box answered 429 (retry in 2 s)'],
    [new ThrottledError('S3 SlowDown'), 75, 'THROTTLED: S3 SlowDown'],
    [new AuthError('token revoked'), 77, 'AUTH: token revoked'],
    [new IntegrityError('pack 9c damaged'), 70, 'INTEGRITY: pack 9c damaged'],
    [new CanceledError('stopped by user'), 130, 'CANCELED: stopped by user'],
    [new Error('boom'), 1, 'unexpected error: boom'],
    ['a thrown string', 1, 'unexpected error: a thrown string'],
  ])('%s', (error, exitCode, message) => {
    expect(describeFailure(error)).toEqual({ exitCode, message });
  });
});
