/**
 * Requests the client can send more than once. openapi-fetch hands its `fetch` a `Request` whose body is a
 * stream that can be read once; re-sending after a token refresh or a `429` needs the bytes, so the
 * client reads the body once into a {@link BufferedRequest} and builds a fresh `Request` per attempt.
 * Bodies here are small (JSON and forms; the server refuses JSON over 1 MiB).
 */
import { HoldfastNetworkError } from '../errors/network-error.ts';

/** The `fetch` this client sends through: the global one, or one given in the client's options. */
export type FetchFunction = (input: Request) => Promise<Response>;

/** A request with its body in memory, to be sent any number of times. */
export interface BufferedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly body: ArrayBuffer | null;
  readonly signal: AbortSignal | null;
  readonly redirect: Request['redirect'];
}

/** Reads `request`'s body (if any) into memory. */
export async function bufferRequest(request: Request): Promise<BufferedRequest> {
  return {
    method: request.method,
    url: request.url,
    headers: new Headers(request.headers),
    body: request.body === null ? null : await request.arrayBuffer(),
    signal: request.signal,
    redirect: request.redirect,
  };
}

/** A fresh `Request` for one attempt, with `headers` set on top of the buffered ones. */
export function toRequest(buffered: BufferedRequest, headers: Readonly<Record<string, string>> = {}): Request {
  const merged = new Headers(buffered.headers);
  for (const [name, value] of Object.entries(headers)) merged.set(name, value);
  return new Request(buffered.url, {
    method: buffered.method,
    headers: merged,
    body: buffered.body,
    signal: buffered.signal,
    redirect: buffered.redirect,
  });
}

/**
 * Sends one attempt. A failure to get any answer becomes a {@link HoldfastNetworkError} with the cause; an
 * abort by the caller's signal rejects with the signal's reason, unwrapped.
 */
export async function sendOnce(
  fetchFunction: FetchFunction,
  buffered: BufferedRequest,
  headers: Readonly<Record<string, string>> = {},
): Promise<Response> {
  try {
    return await fetchFunction(toRequest(buffered, headers));
  } catch (error) {
    if (buffered.signal?.aborted === true) throw buffered.signal.reason;
    throw new HoldfastNetworkError(buffered.method, buffered.url, error);
  }
}

/** Waits `ms`, or rejects with the signal's reason when it fires first. */
export function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `promise`, or a rejection with the signal's reason when the signal fires first (the work goes on). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | null): Promise<T> {
  if (signal === null) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}
