/**
 * The one table from GCS failures to the engine's taxonomy (STYLE.md §5). What the adapter can be handed
 * comes in several shapes, all read by {@link gcsErrorFacts}: the SDK's `ApiError` (JSON calls and
 * single-request uploads: `code` is the HTTP status, `errors[].reason`, `response.headers`), a
 * `GaxiosError` (starting a resumable session: `status`, `response.data`, `response.headers`), the
 * adapter's own {@link GcsHttpError} (resumable chunks), the SDK's `RequestError` for a checksum mismatch,
 * and Node's system errors (`ECONNRESET`...) wherever they are wrapped.
 *
 * The rows of {@link gcsErrorTable} are tried in order; the first that matches decides. The SDK's error
 * stays the `cause`; the message names the call, the HTTP status, the GCS reason and GCS's own message,
 * with anything shaped like a token or a session id (`upload_id=`, `access_token=`, `Bearer ...`) masked.
 */
import {
  AuthError,
  CanceledError,
  ConflictError,
  type HoldfastError,
  IntegrityError,
  isHoldfastError,
  NotFoundError,
  parseRetryAfter,
  PermanentError,
  ThrottledError,
  TransientError,
} from '@holdfast/engine';

/** An HTTP answer of a request the adapter makes itself (the chunks of a resumable upload). */
export class GcsHttpError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The response headers. */
  readonly headers: Headers;
  /** The response body, parsed when it was JSON. */
  readonly body: unknown;

  constructor(status: number, headers: Headers, body: unknown) {
    super(`HTTP ${status}`);
    this.name = 'GcsHttpError';
    this.status = status;
    this.headers = headers;
    this.body = body;
  }
}

/** What the table looks at, read out of any error shape. */
export interface GcsErrorFacts {
  /** The HTTP status, when the failure was an HTTP answer. */
  readonly status?: number | undefined;
  /** `error.errors[0].reason` of GCS's JSON error body (`notFound`, `rateLimitExceeded`...). */
  readonly reason?: string | undefined;
  /** GCS's `error.message`, or the error's own message. */
  readonly message: string;
  /** A string code: a Node system error (`ECONNRESET`) or an SDK code (`CONTENT_DOWNLOAD_MISMATCH`). */
  readonly code?: string | undefined;
  /** The `Retry-After` header of the answer, if any. */
  readonly retryAfter?: string | undefined;
  /** The error is an abort (`AbortError`), or the call's signal fired. */
  readonly aborted: boolean;
}

/** The engine error classes the table maps to. */
export type GcsErrorClass =
  | typeof NotFoundError
  | typeof ConflictError
  | typeof ThrottledError
  | typeof TransientError
  | typeof PermanentError
  | typeof IntegrityError
  | typeof AuthError
  | typeof CanceledError;

/** One row of {@link gcsErrorTable}. */
export interface GcsErrorRule {
  /** What the row matches, in words (the docs table repeats these). */
  readonly when: string;
  readonly matches: (facts: GcsErrorFacts) => boolean;
  readonly error: GcsErrorClass;
}

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

/** The SDK's codes for a checksum that did not match (download or upload). */
const CHECKSUM_CODES = new Set([
  'CONTENT_DOWNLOAD_MISMATCH',
  'FILE_NO_UPLOAD',
  'FILE_NO_UPLOAD_DELETE',
  'MD5_NOT_AVAILABLE',
]);

/** google-auth-library's words for credentials that cannot be found, read or used. */
const AUTH_MESSAGE =
  /Could not load the default credentials|invalid_grant|invalid_client|unauthorized_client|Could not refresh access token|does not contain a (client_email|private_key) field|error:1E08010C|DECODER routines/i;

/** GCS's words for an object a retention policy, object retention or hold protects (a 403). */
const RETENTION_MESSAGE = /retention policy|object retention|retention period|under active \w*[ -]?\w* ?hold/i;

/** GCS's words for a checksum it computed differently (a 400 of an upload). */
const HASH_MISMATCH_MESSAGE = /doesn'?t match calculated|checksum mismatch|hash mismatch/i;

const THROTTLE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

/** The table, tried in order. See the module note and `docs/storage/gcs.md`. */
export const gcsErrorTable: readonly GcsErrorRule[] = [
  {
    when: 'the call was aborted (its signal fired, or an AbortError)',
    matches: (f) => f.aborted,
    error: CanceledError,
  },
  {
    when: 'the SDK found a checksum mismatch (CONTENT_DOWNLOAD_MISMATCH, FILE_NO_UPLOAD...)',
    matches: (f) => f.code !== undefined && CHECKSUM_CODES.has(f.code),
    error: IntegrityError,
  },
  {
    when: '400 whose message says a provided MD5/CRC32C does not match the data',
    matches: (f) => f.status === 400 && HASH_MISMATCH_MESSAGE.test(f.message),
    error: IntegrityError,
  },
  {
    when: 'reason rateLimitExceeded or userRateLimitExceeded (GCS sends these with 429 and sometimes 403)',
    matches: (f) => f.reason !== undefined && THROTTLE_REASONS.has(f.reason),
    error: ThrottledError,
  },
  {
    when: '403 for an object under a retention policy, object retention or a hold',
    matches: (f) => f.status === 403 && RETENTION_MESSAGE.test(f.message),
    error: ConflictError,
  },
  { when: '401, 403', matches: (f) => f.status === 401 || f.status === 403, error: AuthError },
  { when: '404', matches: (f) => f.status === 404, error: NotFoundError },
  {
    when: '409, 412 (a precondition such as ifGenerationMatch failed)',
    matches: (f) => f.status === 409 || f.status === 412,
    error: ConflictError,
  },
  { when: '429, 503', matches: (f) => f.status === 429 || f.status === 503, error: ThrottledError },
  {
    when: '408, 410 (resumable session gone), 500, 502, 504 and other 5xx',
    matches: (f) => f.status === 408 || f.status === 410 || (f.status !== undefined && f.status >= 500),
    error: TransientError,
  },
  {
    when: 'a network failure (ECONNRESET, ECONNREFUSED, ETIMEDOUT, EAI_AGAIN, a dropped response...)',
    matches: (f) => f.status === undefined && f.code !== undefined && NETWORK_CODES.has(f.code),
    error: TransientError,
  },
  {
    when: 'credentials that cannot be found, read or used (google-auth-library; ENOENT/EACCES of a key file)',
    matches: (f) =>
      f.status === undefined && (AUTH_MESSAGE.test(f.message) || f.code === 'ENOENT' || f.code === 'EACCES'),
    error: AuthError,
  },
  { when: 'anything else (400, 416, an unknown error)', matches: () => true, error: PermanentError },
];

/**
 * Translates what a GCS call threw. `what` names the call (`get of "data/ab/12"`); `signal` tells a
 * cancellation apart from a dropped connection. Holdfast errors pass through unchanged.
 */
export function gcsError(error: unknown, what: string, signal?: AbortSignal): HoldfastError {
  if (isHoldfastError(error)) return error;
  const facts = gcsErrorFacts(error, signal);
  const rule = gcsErrorTable.find((row) => row.matches(facts)) ?? gcsErrorTable[gcsErrorTable.length - 1];
  const ErrorClass = rule?.error ?? PermanentError;
  if (ErrorClass === CanceledError) return new CanceledError(`GCS ${what}: cancelled`, { cause: error });
  const message = `GCS ${what} failed: ${describe(facts)}`;
  if (ErrorClass === ThrottledError) {
    const retryAfter = parseRetryAfter(facts.retryAfter);
    return new ThrottledError(message, { cause: error, ...(retryAfter === undefined ? {} : { retryAfter }) });
  }
  return new ErrorClass(message, { cause: error });
}

/** The HTTP status of a GCS failure, if it was an HTTP answer (for callers that handle one status). */
export function gcsStatusOf(error: unknown): number | undefined {
  return gcsErrorFacts(error).status;
}

/** Reads the facts the table needs out of any error shape (see the module note). */
export function gcsErrorFacts(error: unknown, signal?: AbortSignal): GcsErrorFacts {
  const e = asRecord(error);
  const response = asRecord(e['response']);
  const status = firstStatus(e['status'], response['status'], response['statusCode'], e['code']);
  const body = parseBody(error instanceof GcsHttpError ? error.body : (response['data'] ?? response['body']));
  const ownMessage = typeof e['message'] === 'string' ? e['message'] : String(error);
  // The SDK puts a download's raw JSON error body into the message.
  const messageBody = ownMessage.trimStart().startsWith('{') ? parseBody(ownMessage) : {};
  const gcs = asRecord(body['error'] ?? messageBody['error']);
  const errors = Array.isArray(gcs['errors']) ? gcs['errors'] : Array.isArray(e['errors']) ? e['errors'] : [];
  const reason = asRecord(errors[0])['reason'];
  const serviceMessage = typeof gcs['message'] === 'string' ? gcs['message'] : undefined;
  const headers = error instanceof GcsHttpError ? error.headers : response['headers'];
  const code = systemCode(error);
  const name = typeof e['name'] === 'string' ? e['name'] : '';
  return {
    status,
    reason: typeof reason === 'string' ? reason : undefined,
    message: serviceMessage ?? ownMessage,
    code,
    retryAfter: headerOf(headers, 'retry-after'),
    aborted: signal?.aborted === true || name === 'AbortError' || code === 'ABORT_ERR',
  };
}

/** `404 notFound: No such object: b/o` — masked and bounded. */
function describe(facts: GcsErrorFacts): string {
  const head = [facts.status ?? facts.code ?? 'error', facts.reason].filter((part) => part !== undefined).join(' ');
  const text = redact(facts.message).replace(/\s+/g, ' ').trim();
  return text === '' ? head : `${head}: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
}

/** Masks what could be a credential or a resumable session id in a message. */
export function redact(text: string): string {
  return text
    .replace(
      /\b(upload_id|access_token|id_token|refresh_token|token|key|sig|signature|X-Goog-Signature)=[^&\s"']+/gi,
      '$1=…',
    )
    .replace(/\bBearer\s+[\w.~+/=-]+/gi, 'Bearer …')
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[private key]');
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function firstStatus(...candidates: unknown[]): number | undefined {
  for (const candidate of candidates) {
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 100 && candidate <= 599) {
      return candidate;
    }
  }
  return undefined;
}

function parseBody(body: unknown): Record<string, unknown> {
  if (typeof body === 'string') {
    try {
      return asRecord(JSON.parse(body));
    } catch {
      return {};
    }
  }
  return asRecord(body);
}

/** The first string code that looks like a Node/undici/SDK code, along the `cause` chain. */
function systemCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A header of a `Headers` (of any fetch implementation) or of a plain header object. */
function headerOf(headers: unknown, name: string): string | undefined {
  const record = asRecord(headers);
  const get = record['get'];
  if (typeof get === 'function') {
    const value: unknown = get.call(headers, name);
    return typeof value === 'string' ? value : undefined;
  }
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}
