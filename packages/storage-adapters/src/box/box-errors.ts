/**
 * The one table from Box failures to the engine's taxonomy (STYLE.md §5). Every failure the adapter sees
 * is read into {@link BoxErrorFacts} first: an HTTP answer of the API ({@link BoxHttpError}: status, Box's
 * `code` from the JSON error body or OAuth's `error`, the `retry-after` header), an error of
 * box-node-sdk's token calls (`BoxApiError`, whose `responseInfo` holds the same), or a Node/undici
 * network error. The rows of {@link boxErrorTable} are tried in order; the first that matches decides.
 *
 * Messages name the call, the status, Box's code and Box's own message, with anything shaped like a
 * credential (a bearer token, `client_secret=`, `refresh_token=`, a JWT assertion, a private key) masked.
 * The cause kept on the translated error is a sanitised copy, never the SDK's error itself: the SDK's
 * error holds the request, and a token request's body holds the client secret.
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
  ValidationError,
} from '@holdfast/engine';

/** An HTTP answer of the Box API that the adapter does not accept. */
export class BoxHttpError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** Box's error code (`item_name_in_use`, `not_found`...) or OAuth's `error` (`invalid_grant`). */
  readonly code: string | undefined;
  /** The `retry-after` header, if any. */
  readonly retryAfter: string | undefined;
  /** Box's `context_info` of the error body (e.g. the `conflicts` of a 409), if any. */
  readonly contextInfo: Readonly<Record<string, unknown>> | undefined;

  constructor(status: number, body: unknown, headers?: Headers) {
    const record = asRecord(body);
    const code = stringOf(record['code']) ?? stringOf(record['error']);
    const message = stringOf(record['message']) ?? stringOf(record['error_description']) ?? '';
    super(redact(`HTTP ${status}${code === undefined ? '' : ` ${code}`}${message === '' ? '' : `: ${message}`}`));
    this.name = 'BoxHttpError';
    this.status = status;
    this.code = code;
    this.retryAfter = headers?.get('retry-after') ?? undefined;
    const context = record['context_info'];
    this.contextInfo =
      typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : undefined;
  }
}

/** What the table looks at, read out of any error shape. */
export interface BoxErrorFacts {
  /** The HTTP status, when the failure was an HTTP answer. */
  readonly status?: number | undefined;
  /** Box's error code, or OAuth's `error`. */
  readonly code?: string | undefined;
  /** Box's message, or the error's own. */
  readonly message: string;
  /** A Node or undici error code (`ECONNRESET`, `UND_ERR_SOCKET`), along the cause chain. */
  readonly systemCode?: string | undefined;
  /** The `retry-after` header, if any. */
  readonly retryAfter?: string | undefined;
  /** The call's signal fired, or the error is an abort. */
  readonly aborted: boolean;
}

/** The engine error classes the table maps to. */
export type BoxErrorClass =
  | typeof NotFoundError
  | typeof ConflictError
  | typeof ThrottledError
  | typeof TransientError
  | typeof PermanentError
  | typeof AuthError
  | typeof ValidationError
  | typeof CanceledError;

/** One row of {@link boxErrorTable}. */
export interface BoxErrorRule {
  /** What the row matches, in words (`docs/connectors/box.md` repeats these). */
  readonly when: string;
  readonly matches: (facts: BoxErrorFacts) => boolean;
  readonly error: BoxErrorClass;
}

/** OAuth errors of the token endpoint that mean the credentials or the grant are no good. */
const OAUTH_REFUSALS = new Set([
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'unsupported_grant_type',
  'access_denied',
]);

/** Node and undici codes of a connection that failed or dropped: a retry may cure them. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const is =
  (...codes: string[]) =>
  (facts: BoxErrorFacts): boolean =>
    facts.code !== undefined && codes.includes(facts.code);

/** The table, tried in order. See the module note and `docs/connectors/box.md`. */
export const boxErrorTable: readonly BoxErrorRule[] = [
  {
    when: 'the call was aborted (its signal fired, or an AbortError)',
    matches: (f) => f.aborted,
    error: CanceledError,
  },
  {
    when: 'the token endpoint refused the grant (invalid_grant, invalid_client, unauthorized_client...)',
    matches: (f) => f.code !== undefined && OAUTH_REFUSALS.has(f.code),
    error: AuthError,
  },
  { when: '401 (token missing, expired or revoked; unauthorized)', matches: (f) => f.status === 401, error: AuthError },
  {
    when: '429 (rate_limit_exceeded, too_many_requests, user_too_many_concurrent_downloads...)',
    matches: (f) => f.status === 429,
    error: ThrottledError,
  },
  { when: '503 (unavailable; Box sends retry-after)', matches: (f) => f.status === 503, error: ThrottledError },
  {
    when: '202 still not ready after every wait (a download or an upload commit being processed)',
    matches: (f) => f.status === 202,
    error: ThrottledError,
  },
  {
    when: '409 operation_blocked_temporary (another move, copy or delete holds the folder)',
    matches: is('operation_blocked_temporary'),
    error: TransientError,
  },
  {
    when: '403 storage_limit_exceeded (the account is full)',
    matches: is('storage_limit_exceeded'),
    error: PermanentError,
  },
  {
    when: '403 (access_denied_insufficient_permissions, insufficient_scope, forbidden, forbidden_by_policy...)',
    matches: (f) => f.status === 403,
    error: AuthError,
  },
  {
    when: '404 or 410 (not_found, trashed, the item or user is gone)',
    matches: (f) => f.status === 404 || f.status === 410 || f.code === 'trashed',
    error: NotFoundError,
  },
  {
    when: '409, 412 (item_name_in_use, conflict, name_temporarily_reserved, precondition_failed)',
    matches: (f) => f.status === 409 || f.status === 412,
    error: ConflictError,
  },
  { when: '400 folder_not_empty', matches: is('folder_not_empty'), error: ConflictError },
  {
    when: '400 item_name_invalid or item_name_too_long (Box refuses the name)',
    matches: is('item_name_invalid', 'item_name_too_long'),
    error: ValidationError,
  },
  {
    when: '408, 500, 502, 504 and other 5xx',
    matches: (f) => f.status === 408 || (f.status !== undefined && f.status >= 500),
    error: TransientError,
  },
  {
    when: 'a network failure (ECONNRESET, ECONNREFUSED, ETIMEDOUT, a dropped response...)',
    matches: (f) => f.status === undefined && f.systemCode !== undefined && NETWORK_CODES.has(f.systemCode),
    error: TransientError,
  },
  { when: 'anything else (400 bad_request, 416, an unknown error)', matches: () => true, error: PermanentError },
];

/**
 * Translates what a Box call threw. `what` names the call (`list folder 123 of user 42`); `signal` tells
 * a cancellation apart from a dropped connection. Holdfast errors pass through unchanged.
 */
export function boxError(error: unknown, what: string, signal?: AbortSignal): HoldfastError {
  if (isHoldfastError(error)) return error;
  const facts = boxErrorFacts(error, signal);
  const rule = boxErrorTable.find((row) => row.matches(facts));
  const ErrorClass = rule?.error ?? PermanentError;
  const cause = sanitisedCause(error, facts);
  if (ErrorClass === CanceledError)
    return new CanceledError(`Box ${what}: cancelled`, { cause: signal?.reason ?? cause });
  const message = `Box ${what} failed: ${describe(facts)}`;
  if (ErrorClass === ThrottledError) {
    const retryAfter = parseRetryAfter(facts.retryAfter);
    return new ThrottledError(message, { cause, ...(retryAfter === undefined ? {} : { retryAfter }) });
  }
  if (ErrorClass === AuthError && facts.code !== undefined && OAUTH_REFUSALS.has(facts.code)) {
    return new AuthError(
      `Box refused the connection's credentials (${facts.code}) during ${what}: the connection must be re-authorised`,
      { cause },
    );
  }
  return new ErrorClass(message, { cause });
}

/** Reads the facts the table needs out of any error shape (see the module note). */
export function boxErrorFacts(error: unknown, signal?: AbortSignal): BoxErrorFacts {
  const aborted = signal?.aborted === true || isAbort(error);
  if (error instanceof BoxHttpError) {
    return { status: error.status, code: error.code, message: error.message, retryAfter: error.retryAfter, aborted };
  }
  const e = asRecord(error);
  // box-node-sdk's BoxApiError: responseInfo { statusCode, headers, body, code }.
  const response = asRecord(e['responseInfo']);
  const status = typeof response['statusCode'] === 'number' ? response['statusCode'] : undefined;
  const body = asRecord(response['body']);
  const code = stringOf(response['code']) ?? stringOf(body['code']) ?? stringOf(body['error']);
  const boxMessage = stringOf(body['message']) ?? stringOf(body['error_description']);
  const headers = asRecord(response['headers']);
  const retryAfter = Object.entries(headers).find(([key]) => key.toLowerCase() === 'retry-after')?.[1];
  return {
    status,
    code,
    message: boxMessage ?? (typeof e['message'] === 'string' ? e['message'] : String(error)),
    systemCode: systemCode(error),
    retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    aborted,
  };
}

/** `409 item_name_in_use: Item with the same name already exists` — masked and bounded. */
function describe(facts: BoxErrorFacts): string {
  const head = [facts.status ?? facts.systemCode ?? 'error', facts.code].filter((part) => part !== undefined).join(' ');
  let text = redact(facts.message).replace(/\s+/g, ' ').trim();
  if (text.startsWith('HTTP ')) text = text.replace(/^HTTP \d+( [a-z_]+)?:? ?/, '');
  return text === '' ? head : `${head}: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
}

/** Masks what could be a credential in a message. */
export function redact(text: string): string {
  return text
    .replace(
      /\b(access_token|refresh_token|client_secret|assertion|code|subject_token|token|passphrase)=[^&\s"']+/gi,
      '$1=…',
    )
    .replace(
      /"(access_token|refresh_token|client_secret|assertion|subject_token|privateKey|private_key|passphrase)"\s*:\s*"[^"]*"/gi,
      '"$1":"…"',
    )
    .replace(/\bBearer\s+[\w.~+/=-]+/gi, 'Bearer …')
    .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, '[jwt]')
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[private key]');
}

/** A cause safe to keep: the facts, never the SDK error with its request. */
function sanitisedCause(error: unknown, facts: BoxErrorFacts): Error {
  if (error instanceof BoxHttpError) return error;
  const cause = new Error(redact(facts.message));
  cause.name = error instanceof Error ? error.name : 'Error';
  if (facts.systemCode !== undefined) Object.assign(cause, { code: facts.systemCode });
  return cause;
}

function isAbort(error: unknown): boolean {
  const e = asRecord(error);
  return e['name'] === 'AbortError' || e['code'] === 'ABORT_ERR';
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The first string code that looks like a Node/undici code, along the `cause` chain (and box-node-sdk's
 * `error` field, where its BoxSdkError keeps node-fetch's error).
 */
function systemCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const record = current as { code?: unknown; cause?: unknown; error?: unknown };
    if (typeof record.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(record.code)) return record.code;
    current = record.cause ?? record.error;
  }
  return undefined;
}
