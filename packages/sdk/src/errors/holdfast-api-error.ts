/**
 * {@link HoldfastApiError}: an answer of the Holdfast API that is not a success, with its problem details
 * (RFC 9457). The server answers `application/problem+json` with a stable `code` everywhere except the
 * OAuth endpoints (those throw {@link OAuthError}); an answer without a problem body (a proxy's 502, say)
 * still becomes a `HoldfastApiError`, with `code` `UNKNOWN` and its status.
 */
import type { components } from '../generated/holdfast.ts';

/** The stable error codes of the contract (`components/schemas/ErrorCode`, `openapi/README.md`). */
export type ErrorCode = components['schemas']['ErrorCode'];

/**
 * The `code` of a {@link HoldfastApiError}: one of the contract's {@link ErrorCode}s, `UNKNOWN` when the
 * answer carried no problem, or a code this SDK does not know yet (the server may add codes; treat an
 * unknown one by its `status`).
 */
export type ApiErrorCode = ErrorCode | 'UNKNOWN' | (string & {});

/** One invalid field of a `VALIDATION` (or some `422`) problem. */
export type FieldError = components['schemas']['FieldError'];

/** An RFC 9457 problem as the server sends it. */
export type Problem = components['schemas']['Problem'];

const brand = Symbol.for('@holdfast/sdk:HoldfastApiError');

/** What a {@link HoldfastApiError} is made of. */
export interface HoldfastApiErrorInit {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly title: string;
  readonly detail?: string | undefined;
  readonly type?: string | undefined;
  readonly instance?: string | undefined;
  readonly errors?: readonly FieldError[] | undefined;
  readonly requestId?: string | null | undefined;
  readonly retryAfter?: number | null | undefined;
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  /** The answer's body as parsed: the problem, or text when it was not JSON. */
  readonly body?: unknown;
}

/**
 * The API answered with an error status. Branch on {@link HoldfastApiError.code} (stable), not on
 * `title` or the message (for people, may change).
 *
 * @example
 * ```ts
 * try {
 *   await holdfast.users.get(userId);
 * } catch (error) {
 *   if (isHoldfastApiError(error, 'NOT_FOUND')) return undefined;
 *   throw error;
 * }
 * ```
 */
export class HoldfastApiError extends Error {
  override readonly name = 'HoldfastApiError';
  /** The HTTP status, 400–599. */
  readonly status: number;
  /** The problem's stable code, `UNKNOWN` when the answer was not a problem. */
  readonly code: ApiErrorCode;
  /** A short summary for people (may change; never branch on it). */
  readonly title: string;
  /** What went wrong this time, when the server says. */
  readonly detail: string | undefined;
  /** `urn:holdfast:error:<code>`. */
  readonly type: string | undefined;
  /** `urn:holdfast:request:<request id>`. */
  readonly instance: string | undefined;
  /** One entry per invalid field (`VALIDATION`, some `422` codes); empty otherwise. */
  readonly errors: readonly FieldError[];
  /** The answer's `X-Request-Id`: quote it when asking the server's operators about this request. */
  readonly requestId: string | null;
  /** Seconds to wait before trying again (`Retry-After`), when the answer said. */
  readonly retryAfter: number | null;
  /** The request's method. */
  readonly method: string | undefined;
  /** The request's URL. */
  readonly url: string | undefined;
  /** The answer's body as parsed. */
  readonly body: unknown;

  constructor(init: HoldfastApiErrorInit) {
    const where = init.method !== undefined && init.url !== undefined ? ` (${init.method} ${init.url})` : '';
    super(`${String(init.status)} ${init.code}: ${init.detail ?? init.title}${where}`);
    Object.defineProperty(this, brand, { value: true });
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type;
    this.instance = init.instance;
    this.errors = init.errors ?? [];
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter ?? null;
    this.method = init.method;
    this.url = init.url;
    this.body = init.body;
  }
}

/**
 * Whether `value` is a {@link HoldfastApiError} (from any copy of this package) and, if `code` is given, has
 * that code (then `error.code` is typed as it).
 */
export function isHoldfastApiError<C extends ApiErrorCode = ApiErrorCode>(
  value: unknown,
  code?: C,
): value is HoldfastApiError & { readonly code: C } {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[brand] !== true) return false;
  return code === undefined || (value as { code?: unknown }).code === code;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function fieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isRecord)
    .map((entry) => ({ path: optionalString(entry['path']) ?? '', message: optionalString(entry['message']) ?? '' }));
}

/**
 * Seconds to wait from a `Retry-After` header (delay-seconds or an HTTP date), or null when there is
 * none or it does not parse.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP date names its day and month; anything else (`-5`, `1.5`) is not a Retry-After.
  if (!/[A-Za-z]{3}/.test(trimmed)) return null;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * The {@link HoldfastApiError} for an error answer whose body has been read (`body`: the parsed JSON, or
 * the text when it was not JSON, or undefined when empty).
 */
export function apiErrorFromResponse(
  response: Response,
  body: unknown,
  request?: { readonly method: string; readonly url: string },
): HoldfastApiError {
  const problem = isRecord(body) ? body : {};
  const code = optionalString(problem['code']) ?? 'UNKNOWN';
  const title =
    optionalString(problem['title']) ??
    (response.statusText === '' ? `HTTP ${String(response.status)}` : response.statusText);
  return new HoldfastApiError({
    status: response.status,
    code,
    title,
    detail: optionalString(problem['detail']),
    type: optionalString(problem['type']),
    instance: optionalString(problem['instance']),
    errors: fieldErrors(problem['errors']),
    requestId: response.headers.get('x-request-id'),
    retryAfter: parseRetryAfter(response.headers.get('retry-after')),
    method: request?.method,
    url: request?.url ?? (response.url === '' ? undefined : response.url),
    body,
  });
}

/** Reads an error answer's body (JSON when it parses, else text; undefined when empty) and builds the error. */
export async function readApiError(
  response: Response,
  request?: { readonly method: string; readonly url: string },
): Promise<HoldfastApiError> {
  return apiErrorFromResponse(response, await readBody(response), request);
}

/** The body as JSON when it parses, else as text; undefined when it is empty. */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
