/**
 * The stable error codes of Holdfast. A code never changes meaning once released: scripts, the server's
 * problem+json answers and the SDK's typed errors all key on it. Every code has a line in `docs/errors.md`
 * (a test keeps the two in step).
 */
export const errorCodes = {
  NOT_FOUND: {
    retryable: false,
    summary: 'The object, snapshot, item or entity asked for does not exist.',
  },
  CONFLICT: {
    retryable: false,
    summary: 'The operation clashes with the current state: a lock is held, a name is taken, a version moved on.',
  },
  THROTTLED: {
    retryable: true,
    summary: 'The service or store asked us to slow down; retry after `retryAfter` milliseconds when given.',
  },
  TRANSIENT: {
    retryable: true,
    summary: 'A temporary failure (a dropped connection, a 5xx answer); the same call may succeed if retried.',
  },
  PERMANENT: {
    retryable: false,
    summary: 'A failure that retrying will not fix (a rejected request, an unsupported operation).',
  },
  INTEGRITY: {
    retryable: false,
    summary: 'Stored data failed verification: a checksum, authentication tag or structure did not match.',
  },
  AUTH: {
    retryable: false,
    summary: 'Credentials are missing, wrong, expired or revoked, or lack the permission the call needs.',
  },
  VALIDATION: {
    retryable: false,
    summary: 'Input was refused before anything was done: a malformed id, an unsafe path, a bad option.',
  },
  CANCELED: {
    retryable: false,
    summary: 'The operation was cancelled through its AbortSignal; everything already stored stays consistent.',
  },
} as const satisfies Record<string, { retryable: boolean; summary: string }>;

/** A stable Holdfast error code: see {@link errorCodes} and `docs/errors.md`. */
export type ErrorCode = keyof typeof errorCodes;

/** Every error code, in documentation order. */
export const allErrorCodes = Object.keys(errorCodes) as readonly ErrorCode[];
