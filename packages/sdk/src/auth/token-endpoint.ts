/**
 * Calls to the OAuth endpoints (`POST /v1/oauth/token`, `POST /v1/oauth/revoke`): form-encoded (RFC
 * 6749), the API key's credentials in HTTP Basic (RFC 6749 section 2.3.1). Errors arrive in RFC 6749's
 * format and become {@link OAuthError}s; `429` and `500` there are problems, which become
 * {@link HoldfastApiError}s.
 */
import type { components } from '../generated/holdfast.ts';
import { apiErrorFromResponse, readBody } from '../errors/holdfast-api-error.ts';
import { OAuthError } from '../errors/oauth-error.ts';
import { sendOnce, type BufferedRequest, type FetchFunction } from '../http/buffered-request.ts';

type TokenResponse = components['schemas']['TokenResponse'];

/** Where and as whom the client asks for tokens. */
export interface TokenEndpoint {
  /** The server's origin (and path prefix, if any), without a trailing slash. */
  readonly baseUrl: string;
  /** The API key's id (`key_…`): its OAuth `client_id`. */
  readonly clientId: string;
  /** The API key's secret (`hfs_…`). */
  readonly clientSecret: string;
  readonly fetch: FetchFunction;
  readonly userAgent: string;
  /** Milliseconds since the epoch (tests set the clock). */
  readonly now: () => number;
}

/** An access token, when it expires, and the refresh token that comes with it. */
export interface TokenSet {
  readonly accessToken: string;
  /** Single use: each refresh answers the next one. */
  readonly refreshToken: string | null;
  /** When the token was received (client clock, ms since the epoch). */
  readonly receivedAt: number;
  /** When the access token expires (client clock, ms since the epoch). */
  readonly expiresAt: number;
}

/** A grant the token endpoint accepts. */
export type TokenGrant =
  | { readonly grant_type: 'client_credentials' }
  | { readonly grant_type: 'refresh_token'; readonly refresh_token: string };

/** `application/x-www-form-urlencoded` for one value (RFC 6749 appendix B), as Basic credentials need. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

function basicCredentials(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, 'utf8').toString('base64')}`;
}

function formRequest(endpoint: TokenEndpoint, path: string, fields: Readonly<Record<string, string>>): BufferedRequest {
  const body = new TextEncoder().encode(new URLSearchParams(fields).toString());
  return {
    method: 'POST',
    url: `${endpoint.baseUrl}${path}`,
    headers: new Headers({
      Accept: 'application/json',
      Authorization: basicCredentials(endpoint.clientId, endpoint.clientSecret),
      'Content-Type': 'application/x-www-form-urlencoded',
      'User-Agent': endpoint.userAgent,
    }),
    body: body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength),
    signal: null,
    redirect: 'follow',
  };
}

/** The error for a refused OAuth request: {@link OAuthError} for RFC 6749 answers, else a problem's error. */
async function oauthFailure(response: Response, request: BufferedRequest): Promise<Error> {
  const body = await readBody(response);
  if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string') {
    const { error, error_description: description, error_uri: uri } = body as Record<string, unknown>;
    return new OAuthError({
      status: response.status,
      code: error as string,
      description: typeof description === 'string' ? description : undefined,
      uri: typeof uri === 'string' ? uri : undefined,
      requestId: response.headers.get('x-request-id'),
    });
  }
  return apiErrorFromResponse(response, body, { method: request.method, url: request.url });
}

function isTokenResponse(value: unknown): value is TokenResponse {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate['access_token'] === 'string' &&
    typeof candidate['expires_in'] === 'number' &&
    (candidate['refresh_token'] === undefined || typeof candidate['refresh_token'] === 'string')
  );
}

/**
 * Asks the token endpoint for tokens with `grant`. Throws {@link OAuthError} when it refuses,
 * {@link HoldfastApiError} on `429`/`500`, {@link HoldfastNetworkError} when it does not answer.
 */
export async function requestTokens(endpoint: TokenEndpoint, grant: TokenGrant): Promise<TokenSet> {
  const request = formRequest(endpoint, '/v1/oauth/token', grant);
  const response = await sendOnce(endpoint.fetch, request);
  if (!response.ok) throw await oauthFailure(response, request);
  const body = await readBody(response);
  if (!isTokenResponse(body)) {
    throw new OAuthError({
      status: response.status,
      code: 'UNKNOWN',
      description: 'The token endpoint answered 200 without an access token.',
      requestId: response.headers.get('x-request-id'),
    });
  }
  const receivedAt = endpoint.now();
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    receivedAt,
    expiresAt: receivedAt + body.expires_in * 1000,
  };
}

/** Revokes `token` (RFC 7009). The server answers 200 even for unknown tokens; errors throw as above. */
export async function revokeToken(
  endpoint: TokenEndpoint,
  token: string,
  hint: 'access_token' | 'refresh_token',
): Promise<void> {
  const request = formRequest(endpoint, '/v1/oauth/revoke', { token, token_type_hint: hint });
  const response = await sendOnce(endpoint.fetch, request);
  if (!response.ok) throw await oauthFailure(response, request);
  await response.body?.cancel();
}
