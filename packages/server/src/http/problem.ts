/**
 * `application/problem+json` answers (RFC 9457). Handlers and middleware throw an {@link HttpProblem}
 * with a status and a stable code from the contract (`components/schemas/ErrorCode`); the one error
 * middleware (`error-middleware.ts`) turns it, and every other error, into the body built here.
 */
import type { components } from '@holdfast/sdk';

/** A stable error code of the contract, or `NOT_IMPLEMENTED` for operations not built yet (501). */
export type ProblemCode = components['schemas']['ErrorCode'] | 'NOT_IMPLEMENTED';
export type FieldError = components['schemas']['FieldError'];
export type ProblemBody = components['schemas']['Problem'];

/** The media type of problem answers. */
export const problemMediaType = 'application/problem+json';

/** Short human titles per code; clients branch on `code`, never on these. */
const titles: Readonly<Record<ProblemCode, string>> = {
  VALIDATION: 'The request does not match the API contract',
  INVALID_CURSOR: 'Invalid cursor',
  UNAUTHENTICATED: 'Authentication required',
  TOKEN_EXPIRED: 'Access token expired',
  INVALID_CREDENTIALS: 'Invalid credentials',
  SECOND_FACTOR_REQUIRED: 'Second factor required',
  SECOND_FACTOR_INVALID: 'Second factor invalid',
  SECOND_FACTOR_ENROLMENT_REQUIRED: 'Two-factor enrolment required',
  PASSWORD_EXPIRED: 'Password expired',
  PERMISSION_DENIED: 'Permission denied',
  CSRF_FAILED: 'CSRF token missing or wrong',
  EMAIL_NOT_CONFIRMED: 'Email address not confirmed',
  ACCOUNT_PENDING_REMOVAL: 'Account pending removal',
  NOT_FOUND: 'Not found',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  CONFLICT: 'Conflict',
  EMAIL_TAKEN: 'Email address already in use',
  PRIMARY_USER_PROTECTED: 'The primary user is protected',
  INVITATION_NOT_PENDING: 'Invitation not pending',
  IDEMPOTENCY_KEY_IN_USE: 'Idempotency key in use',
  LINK_INVALID: 'This link is no longer valid',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  UNKNOWN_REGION: 'Unknown storage region',
  PASSWORD_REJECTED: 'Password rejected',
  AUTH_TYPE_NOT_ENABLED: 'Authentication type not enabled',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency key reused',
  THROTTLED: 'Too many requests',
  INTERNAL: 'Internal server error',
  TRANSIENT: 'Temporarily unavailable',
  IP_NOT_TRUSTED: 'Address not trusted',
  IP_RESTRICTION_LOCKOUT: 'The change would lock you out',
  LIMIT_REACHED: 'Limit reached',
  NOT_IMPLEMENTED: 'Not implemented yet',
};

export interface HttpProblemOptions {
  /** Per-field errors (`VALIDATION`, some 422 codes). */
  readonly errors?: readonly FieldError[];
  /** Headers to send with the answer (`Allow`, `Retry-After`, `WWW-Authenticate`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The underlying error, for the logs only. */
  readonly cause?: unknown;
  /** Extension members of the body (RFC 9457 section 3.2), e.g. the sign-in `challenge`. */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/**
 * An error that answers as a problem. `detail` is sent to the client: never put secrets or internals in
 * it. For 5xx statuses the error middleware drops it.
 *
 * @example
 * ```ts
 * throw new HttpProblem(409, 'EMAIL_TAKEN', 'A user already has this address.');
 * ```
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly code: ProblemCode;
  readonly detail: string | undefined;
  readonly errors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(status: number, code: ProblemCode, detail?: string, options: HttpProblemOptions = {}) {
    super(detail ?? titles[code], 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'HttpProblem';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

/** The title of a code. */
export function problemTitle(code: ProblemCode): string {
  return titles[code];
}

/**
 * The body of a problem answer; `instance` names the request (its `X-Request-Id`). A 5xx answer carries
 * no `detail` (501 excepted: it only names the operation) unless `exposeServerDetail` (tests that check
 * answers against the contract use it to say what was off-contract).
 */
export function problemBody(problem: HttpProblem, requestId: string, exposeServerDetail = false): ProblemBody {
  const body: ProblemBody = {
    ...(problem.status < 500 ? problem.extensions : {}),
    type: `urn:holdfast:error:${problem.code}`,
    title: titles[problem.code],
    status: problem.status,
    code: problem.code as ProblemBody['code'],
    instance: `urn:holdfast:request:${requestId}`,
  };
  if (problem.detail !== undefined && (problem.status < 500 || problem.status === 501 || exposeServerDetail))
    body.detail = problem.detail;
  if (problem.errors !== undefined && problem.errors.length > 0) body.errors = [...problem.errors];
  return body;
}
