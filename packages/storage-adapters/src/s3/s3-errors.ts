/**
 * The one table from S3 (and S3-compatible) errors to the engine's taxonomy. The SDK's error stays the
 * `cause`; messages name the operation and key, never credentials.
 */
import {
  AuthError,
  CanceledError,
  ConflictError,
  type HoldfastError,
  isHoldfastError,
  NotFoundError,
  parseRetryAfter,
  PermanentError,
  ThrottledError,
  TransientError,
} from '@holdfast/engine';

/** The parts of an AWS SDK v3 error the table reads. */
interface SdkErrorShape {
  readonly name?: unknown;
  readonly Code?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Record<string, string | undefined> };
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'NoSuchUpload']);
const AUTH = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
  'AllAccessDisabled',
]);
const THROTTLED = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequests']);
const TRANSIENT = new Set([
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'NetworkingError',
]);

/**
 * Translates what an S3 call threw. `what` says which call (`get of "data/ab/12"`); `signal` tells a
 * cancellation apart from a network failure.
 */
export function s3Error(error: unknown, what: string, signal?: AbortSignal): HoldfastError {
  if (isHoldfastError(error)) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.Code === 'string' ? e.Code : typeof e.code === 'string' ? e.code : name;
  const status = e.$metadata?.httpStatusCode;
  const detail = typeof e.message === 'string' && e.message !== '' ? `: ${e.message}` : '';
  const message = `S3 ${what} failed (${[code || 'error', status].filter(Boolean).join(', ')})${detail}`;
  if (signal?.aborted === true || name === 'AbortError' || code === 'AbortError') {
    return new CanceledError(`S3 ${what} was cancelled`, { cause: error });
  }
  if (NOT_FOUND.has(code) || status === 404) return new NotFoundError(message, { cause: error });
  if (THROTTLED.has(code) || status === 429 || status === 503) {
    const retryAfter = parseRetryAfter(e.$response?.headers?.['retry-after']);
    return new ThrottledError(message, { cause: error, ...(retryAfter === undefined ? {} : { retryAfter }) });
  }
  if (AUTH.has(code) || status === 401 || status === 403) return new AuthError(message, { cause: error });
  if (code === 'ObjectLocked' || code === 'InvalidRetentionPeriod' || status === 409) {
    return new ConflictError(message, { cause: error });
  }
  if (TRANSIENT.has(code) || (status !== undefined && status >= 500))
    return new TransientError(message, { cause: error });
  return new PermanentError(message, { cause: error });
}
