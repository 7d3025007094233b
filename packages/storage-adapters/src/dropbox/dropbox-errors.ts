/**
 * The one table from Dropbox failures to the engine's taxonomy (STYLE.md §5).
 *
 * Dropbox answers an RPC with 200 and the result, or with an error status: 400 (a malformed request, a
 * plain-text body), 401 (`auth.AuthError`: `expired_access_token`, `invalid_access_token`,
 * `invalid_select_user`, `user_suspended`, `missing_scope`...), 403 (`auth.AccessError`), 409 (the route's
 * own error union, e.g. `files.LookupError` under `path`), 429 (`auth.RateLimitError`: `reason` and
 * `retry_after` in the body, and a `Retry-After` header) and 5xx (503 may carry `Retry-After` too). Every
 * JSON error body has an `error_summary`: the union's tags joined by `/` (`path/not_found/..`,
 * `path/conflict/file/..`, `reset/..`), which is what the rows match, by tag, so a tag nested under any
 * field (`path_lookup/not_found`, `lookup_failed/not_found`) matches the same way.
 *
 * Rows are tried in order; the first that matches decides. The original error stays the `cause`; the
 * message names the call, the status and the summary (never a token: bearer tokens and `access_token=`
 * / `refresh_token=` / `client_secret=` in any text are masked).
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
  ValidationError,
} from '@holdfast/engine';

/** An error answer of the Dropbox API (any status but 2xx), as the adapter's HTTP client saw it. */
export class DropboxApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The response headers. */
  readonly headers: Headers;
  /** The response body: parsed when it was JSON, else its text (400s are plain text). */
  readonly body: unknown;

  constructor(status: number, headers: Headers, body: unknown) {
    super(`Dropbox answered ${status}: ${summaryOf(body) ?? (typeof body === 'string' ? redact(body) : '')}`);
    this.name = 'DropboxApiError';
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /** `error_summary` of the JSON body (`path/not_found/..`), if any. */
  get summary(): string | undefined {
    return summaryOf(this.body);
  }
}

/** What the table looks at, read out of any error. */
export interface DropboxErrorFacts {
  /** The HTTP status, when the failure was an HTTP answer. */
  readonly status?: number | undefined;
  /** `error_summary`, e.g. `path/conflict/file/...`. */
  readonly summary?: string | undefined;
  /** The tags of the summary: `['path', 'conflict', 'file']`. */
  readonly tags: readonly string[];
  /** Milliseconds to wait, from the `Retry-After` header or the body's `error.retry_after`. */
  readonly retryAfter?: number | undefined;
  /** A Node or undici code (`ECONNRESET`), when the request never got an answer. */
  readonly code?: string | undefined;
  /** The error's own message (masked). */
  readonly message: string;
  /** The call was aborted (its signal fired, or an AbortError). */
  readonly aborted: boolean;
}

/** The engine error classes the table maps to. */
export type DropboxErrorClass =
  | typeof NotFoundError
  | typeof ConflictError
  | typeof ThrottledError
  | typeof TransientError
  | typeof PermanentError
  | typeof IntegrityError
  | typeof AuthError
  | typeof ValidationError
  | typeof CanceledError;

/** One row of {@link dropboxErrorTable}. */
export interface DropboxErrorRule {
  /** What the row matches, in words (`docs/connectors/dropbox.md` repeats these). */
  readonly when: string;
  readonly matches: (facts: DropboxErrorFacts) => boolean;
  readonly error: DropboxErrorClass;
}

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

const has =
  (...tags: string[]) =>
  (f: DropboxErrorFacts): boolean =>
    tags.some((tag) => f.tags.includes(tag));

/** The table, tried in order. See the module note and `docs/connectors/dropbox.md`. */
export const dropboxErrorTable: readonly DropboxErrorRule[] = [
  { when: 'the call was aborted (its signal fired)', matches: (f) => f.aborted, error: CanceledError },
  {
    when: '429 (too_many_requests, too_many_write_operations), with retry_after and/or Retry-After',
    matches: (f) => f.status === 429,
    error: ThrottledError,
  },
  {
    when: 'too_many_write_operations or too_many_requests under any tag of a 409 (e.g. path/too_many_write_operations)',
    matches: has('too_many_write_operations', 'too_many_requests'),
    error: ThrottledError,
  },
  { when: '503 (Dropbox is busy; may carry Retry-After)', matches: (f) => f.status === 503, error: ThrottledError },
  {
    when: 'invalid_select_user (the member named in Dropbox-API-Select-User is not, or no longer, on the team)',
    matches: has('invalid_select_user'),
    error: NotFoundError,
  },
  {
    when: '401 (expired_access_token, invalid_access_token, invalid_select_user, user_suspended, missing_scope...)',
    matches: (f) => f.status === 401,
    error: AuthError,
  },
  {
    when: '403 (access errors: no_permission, team_access_denied...)',
    matches: (f) => f.status === 403,
    error: AuthError,
  },
  {
    when: 'content_hash_mismatch (the body Dropbox received is not the one hashed)',
    matches: has('content_hash_mismatch'),
    error: IntegrityError,
  },
  {
    when: 'not_found, not_file, not_folder under any tag (path/not_found, path_lookup/not_found, lookup_failed/not_found...)',
    matches: has('not_found', 'not_file', 'not_folder'),
    error: NotFoundError,
  },
  {
    when: 'conflict (path/conflict/file, .../folder, .../file_ancestor), locked',
    matches: has('conflict', 'locked'),
    error: ConflictError,
  },
  { when: 'reset (a list_folder cursor Dropbox invalidated)', matches: has('reset'), error: ConflictError },
  {
    when: 'malformed_path, disallowed_name (a name or path Dropbox refuses)',
    matches: has('malformed_path', 'disallowed_name'),
    error: ValidationError,
  },
  {
    when: 'no_write_permission, access_restricted, team_folder (not allowed at that path)',
    matches: has('no_write_permission', 'access_restricted', 'team_folder'),
    error: AuthError,
  },
  {
    when: 'insufficient_space, restricted_content, payload_too_large, too_large, operation_suppressed',
    matches: has('insufficient_space', 'restricted_content', 'payload_too_large', 'too_large', 'operation_suppressed'),
    error: PermanentError,
  },
  {
    when: '500, 502, 504 and other 5xx',
    matches: (f) => f.status !== undefined && f.status >= 500,
    error: TransientError,
  },
  {
    when: 'a network failure (ECONNRESET, ECONNREFUSED, ETIMEDOUT, a dropped response...)',
    matches: (f) => f.status === undefined && f.code !== undefined && NETWORK_CODES.has(f.code),
    error: TransientError,
  },
  { when: 'anything else (400, other 409 tags, an unknown error)', matches: () => true, error: PermanentError },
];

/**
 * Translates what a Dropbox call threw. `what` names the call (`files/list_folder for dbmid:…`); `signal`
 * tells a cancellation apart from a dropped connection. Holdfast errors pass through unchanged.
 */
export function dropboxError(error: unknown, what: string, signal?: AbortSignal): HoldfastError {
  if (isHoldfastError(error)) return error;
  const facts = dropboxErrorFacts(error, signal);
  const rule = dropboxErrorTable.find((row) => row.matches(facts));
  const ErrorClass = rule?.error ?? PermanentError;
  if (ErrorClass === CanceledError) return new CanceledError(`Dropbox ${what}: cancelled`, { cause: error });
  const message = `Dropbox ${what} failed: ${describe(facts)}`;
  if (ErrorClass === ThrottledError) {
    return new ThrottledError(message, {
      cause: error,
      ...(facts.retryAfter === undefined ? {} : { retryAfter: facts.retryAfter }),
    });
  }
  if (ErrorClass === AuthError && facts.status === 401 && facts.tags.some((tag) => tag.includes('access_token'))) {
    return new AuthError(`${message} (the connection must be re-authorised)`, { cause: error });
  }
  return new ErrorClass(message, { cause: error });
}

/** Reads the facts the table needs out of any error shape. */
export function dropboxErrorFacts(error: unknown, signal?: AbortSignal): DropboxErrorFacts {
  const aborted =
    signal?.aborted === true ||
    (error instanceof Error && (error.name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR'));
  if (error instanceof DropboxApiError) {
    const summary = error.summary;
    const bodyRetry = retryAfterOfBody(error.body);
    const headerRetry = parseRetryAfter(error.headers.get('retry-after'));
    return {
      status: error.status,
      summary,
      tags: tagsOf(summary),
      retryAfter: maxDefined(headerRetry, bodyRetry),
      message: error.message,
      aborted,
    };
  }
  const message = redact(error instanceof Error ? error.message : String(error));
  return { tags: [], code: systemCode(error), message, aborted };
}

/** The HTTP status of a Dropbox failure, if it was an HTTP answer. */
export function dropboxStatusOf(error: unknown): number | undefined {
  return error instanceof DropboxApiError ? error.status : undefined;
}

/** Whether `error` is a Dropbox answer whose summary has `tag` (e.g. `reset`, `not_found`). */
export function hasDropboxTag(error: unknown, tag: string): boolean {
  return error instanceof DropboxApiError && tagsOf(error.summary).includes(tag);
}

/** Masks anything shaped like a credential in a message. */
export function redact(text: string): string {
  return text
    .replace(/\b(access_token|refresh_token|client_secret|code_verifier|code|token)=[^&\s"']+/gi, '$1=…')
    .replace(/"(access_token|refresh_token|client_secret|code_verifier)"\s*:\s*"[^"]*"/gi, '"$1":"…"')
    .replace(/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, '$1 …');
}

function describe(facts: DropboxErrorFacts): string {
  const head = facts.status === undefined ? (facts.code ?? 'error') : String(facts.status);
  if (facts.summary !== undefined) return `${head} ${redact(facts.summary)}`;
  const text = facts.message.replace(/\s+/g, ' ').trim();
  return text === '' ? head : `${head}: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
}

function summaryOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const summary = (body as { error_summary?: unknown }).error_summary;
  return typeof summary === 'string' ? summary : undefined;
}

/** `path/conflict/file/..` → `['path', 'conflict', 'file']` (Dropbox pads summaries with dots). */
function tagsOf(summary: string | undefined): string[] {
  if (summary === undefined) return [];
  return summary.split('/').filter((tag) => tag !== '' && !/^\.+$/.test(tag));
}

function retryAfterOfBody(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const inner = (body as { error?: unknown }).error;
  if (typeof inner !== 'object' || inner === null) return undefined;
  const value = (inner as { retry_after?: unknown }).retry_after;
  return typeof value === 'number' ? parseRetryAfter(value) : undefined;
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

function systemCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
