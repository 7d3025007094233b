/**
 * The wire format of the Dropbox mock, shaped from the Stone specs and Dropbox's HTTP conventions: error
 * answers (`{error_summary, error}` with the route's error union as JSON, the summary its tags joined by
 * `/`), the auth and rate-limit errors of `auth.stone`, 400s as plain text, and the route table entry type
 * that ties each mocked route to its Stone definition (so every response can be checked against it).
 */
import { HttpResponse } from 'msw';

/** A Stone route: namespace, name and version (`files`, `list_folder/continue`, 1). */
export interface StoneRouteRef {
  readonly namespace: string;
  readonly name: string;
  readonly version: number;
}

/** What a route handler returns. */
export type MockResult =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'download'; readonly result: unknown; readonly bytes: Uint8Array };

/** An error answer a handler throws. */
export class MockApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  /** The Stone type the `error` field has (`auth.AuthError`...), when not the route's own error type. */
  readonly errorType: string | undefined;

  constructor(status: number, body: unknown, headers: Record<string, string> = {}, errorType?: string) {
    super(`mock ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
    this.errorType = errorType;
  }
}

/**
 * A union value from its tags: `['path', 'conflict', 'file']` becomes
 * `{".tag": "path", "path": {".tag": "conflict", "conflict": {".tag": "file"}}}`. `leaf` is merged into the
 * innermost object (a struct-valued tag's fields).
 */
export function unionOf(tags: readonly string[], leaf: Record<string, unknown> = {}): Record<string, unknown> {
  const [head, ...rest] = tags;
  if (head === undefined) return leaf;
  if (rest.length === 0) return { '.tag': head, ...leaf };
  return { '.tag': head, [head]: unionOf(rest, leaf) };
}

/** `path/not_found/..`: Dropbox's summaries end with a slash and padding dots. */
export function summaryOf(tags: readonly string[]): string {
  return `${tags.join('/')}/..`;
}

/** A 409 with the route's error union built from `tags`. */
export function routeError(tags: readonly string[], leaf?: Record<string, unknown>): MockApiError {
  return new MockApiError(409, { error_summary: summaryOf(tags), error: unionOf(tags, leaf) });
}

/** A 401 with an `auth.AuthError`. */
export function authError(tag: string): MockApiError {
  return new MockApiError(401, { error_summary: summaryOf([tag]), error: { '.tag': tag } }, {}, 'auth.AuthError');
}

/** A 400: Dropbox answers malformed requests in plain text. */
export function badRequest(route: string, message: string): MockApiError {
  return new MockApiError(400, `Error in call to API function "${route}": ${message}`);
}

/** A 429 with an `auth.RateLimitError`, the delay in the header, the body or both. */
export function rateLimited(
  reason: 'too_many_requests' | 'too_many_write_operations',
  retryAfter: number,
  via: 'header' | 'body' | 'both' | 'none',
  status: 429 | 503 = 429,
): MockApiError {
  const headers: Record<string, string> =
    via === 'header' || via === 'both' ? { 'Retry-After': String(retryAfter) } : {};
  if (status === 503) return new MockApiError(503, 'Service Unavailable', headers);
  const error: Record<string, unknown> = { reason: { '.tag': reason } };
  if (via === 'body' || via === 'both') error['retry_after'] = retryAfter;
  return new MockApiError(429, { error_summary: summaryOf([reason]), error }, headers, 'auth.RateLimitError');
}

/** The HTTP response of a mock error. */
export function errorResponse(error: MockApiError): Response {
  if (typeof error.body === 'string') {
    return new HttpResponse(error.body, {
      status: error.status,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', ...error.headers },
    });
  }
  return HttpResponse.json(error.body as Record<string, unknown>, { status: error.status, headers: error.headers });
}

/** JSON for an HTTP header, every non-ASCII character escaped (as Dropbox sends `Dropbox-API-Result`). */
export function headerJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Parses JSON from a body or header; a 400 for anything else. */
export function parseArg(route: string, text: string | null): unknown {
  if (text === null || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(route, 'could not decode input as JSON');
  }
}

/** Reads a request body fully. */
export async function bodyBytes(request: Request): Promise<Uint8Array> {
  return new Uint8Array(await request.arrayBuffer());
}

/** A field of a parsed argument object. */
export function field(arg: unknown, name: string): unknown {
  return typeof arg === 'object' && arg !== null ? (arg as Record<string, unknown>)[name] : undefined;
}

/** A string field, or a 400 naming it. */
export function stringField(route: string, arg: unknown, name: string): string {
  const value = field(arg, name);
  if (typeof value !== 'string') throw badRequest(route, `missing required field "${name}"`);
  return value;
}

/** A `WriteMode` union (`{".tag": "add"}`, or the shorthand string `"add"`), as its tag. */
export function writeModeOf(route: string, value: unknown): 'add' | 'overwrite' {
  const tag = typeof value === 'string' ? value : (field(value, '.tag') ?? 'add');
  if (value === undefined) return 'add';
  if (tag === 'add' || tag === 'overwrite') return tag;
  throw badRequest(route, `the mock supports write modes add and overwrite, not ${JSON.stringify(tag)}`);
}
