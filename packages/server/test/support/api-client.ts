/**
 * A minimal JSON client for tests: one call, as an injected principal (`X-Test-Principal`, with the test
 * CSRF token) or with a bearer token, answering the status, the parsed body and the headers.
 */
import { testCsrfToken } from './principals.ts';

export interface CallOptions {
  /** The name of a principal registered with the test resolver. */
  readonly as?: string;
  /** A bearer access token. */
  readonly bearer?: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Leave out the CSRF token that `as` calls send by default. */
  readonly withoutCsrf?: boolean;
}

export interface CallAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
  readonly text: string;
}

export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.as !== undefined) {
    headers['X-Test-Principal'] = options.as;
    if (options.withoutCsrf !== true) headers['X-CSRF-Token'] = testCsrfToken;
  }
  if (options.bearer !== undefined) headers['Authorization'] = `Bearer ${options.bearer}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text === '' ? undefined : JSON.parse(text)) as T,
    headers: response.headers,
    text,
  };
}
