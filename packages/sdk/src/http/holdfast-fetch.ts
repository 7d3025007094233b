/**
 * The `fetch` the typed client runs on (openapi-fetch middleware cannot send a request twice, so this is a
 * fetch wrapper instead). For each request it:
 *
 * 1. reads the body into memory, so the request can be sent again;
 * 2. sets `User-Agent: holdfast-sdk/<version>` and, unless the request carries its own `Authorization`
 *    or goes to `/v1/oauth/*`, `Authorization: Bearer <access token>` from the {@link TokenProvider}
 *    (which exchanges or refreshes first when needed, once for all concurrent requests);
 * 3. on `401 TOKEN_EXPIRED`, gets a fresh token and sends the request again, once;
 * 4. on `429`/`503` for requests safe to repeat, waits `Retry-After` and sends again (see
 *    `retry-policy.ts`).
 *
 * Whatever answer is left goes back to openapi-fetch unchanged; a request that got no answer rejects
 * with a {@link HoldfastNetworkError}.
 */
import type { TokenProvider } from '../auth/token-provider.ts';
import { abortable, bufferRequest, sendOnce, sleep, type FetchFunction } from './buffered-request.ts';
import { mayRetry, retryDelayMs, type RetryPolicy } from './retry-policy.ts';

export interface HoldfastFetchOptions {
  /** The fetch that sends (the global one by default). */
  readonly fetch: FetchFunction;
  readonly userAgent: string;
  /** Where bearer tokens come from; null sends none (public endpoints only). */
  readonly tokens: TokenProvider | null;
  readonly retry: RetryPolicy;
}

function goesToOAuth(url: string): boolean {
  return /\/v1\/oauth\/[^/]*$/.test(new URL(url).pathname);
}

/** Whether `response` is the server's `401 TOKEN_EXPIRED` (read from a copy; the answer stays readable). */
async function isTokenExpired(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  try {
    const body = (await response.clone().json()) as { code?: unknown } | null;
    return body?.code === 'TOKEN_EXPIRED';
  } catch {
    return false;
  }
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Nothing to free.
  }
}

/** The fetch wrapper described in the module note. */
export function createHoldfastFetch(options: HoldfastFetchOptions): FetchFunction {
  const { tokens, retry, userAgent } = options;
  return async (input) => {
    const request = await bufferRequest(input);
    const authenticate = tokens !== null && !request.headers.has('authorization') && !goesToOAuth(request.url);
    const retryable = mayRetry(request);
    let refreshed = false;
    let retries = 0;
    for (;;) {
      const headers: Record<string, string> = { 'User-Agent': userAgent };
      let token: string | null = null;
      if (authenticate) {
        token = await abortable(tokens.accessToken(), request.signal);
        headers['Authorization'] = `Bearer ${token}`;
      }
      const response = await sendOnce(options.fetch, request, headers);
      if (token !== null && !refreshed && (await isTokenExpired(response)) && tokens?.expired(token) === true) {
        refreshed = true;
        await discard(response);
        continue;
      }
      const delay = retryable ? retryDelayMs(response, retries, retry) : null;
      if (delay === null) return response;
      retries += 1;
      await discard(response);
      await sleep(delay, request.signal);
    }
  };
}
