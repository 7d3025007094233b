/**
 * {@link unwrap}: from openapi-fetch's `{ data, error, response }` to the data, or a thrown
 * {@link HoldfastApiError}. The typed client (`holdfast.api`) never throws for an error status, as
 * openapi-fetch never does; `unwrap` is the one place that turns its result into "data or throw".
 */
import { apiErrorFromResponse } from './holdfast-api-error.ts';

/** What openapi-fetch answers: data on success, the parsed error body otherwise, and the response. */
export interface ApiResult {
  readonly data?: unknown;
  readonly error?: unknown;
  readonly response: Response;
}

/** The success data of an openapi-fetch result; `undefined` for answers without a body (`204`). */
export type ResultData<R> = R extends { readonly data: infer D } ? ([D] extends [never] ? undefined : D) : never;

/** The request each answer came from, kept by the client's fetch so errors can name it. */
const requests = new WeakMap<Response, { readonly method: string; readonly url: string }>();

/** Remembers the request that got `response` (the client's fetch calls this). */
export function rememberRequest(response: Response, request: Request): void {
  requests.set(response, { method: request.method, url: request.url });
}

/**
 * The data of a successful call, or throws a {@link HoldfastApiError} with the problem details of a failed
 * one.
 *
 * @example
 * ```ts
 * const me = unwrap(await holdfast.api.GET('/v1/me'));
 * const user = unwrap(await holdfast.api.GET('/v1/users/{userId}', { params: { path: { userId } } }));
 * ```
 */
export function unwrap<R extends ApiResult>(result: R): ResultData<R> {
  const { response } = result;
  if (response.ok) return result.data as ResultData<R>;
  throw apiErrorFromResponse(response, result.error, requests.get(response));
}
