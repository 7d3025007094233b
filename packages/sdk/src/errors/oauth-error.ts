/**
 * {@link OAuthError}: the token endpoint (`/v1/oauth/token`, `/v1/oauth/revoke`) refused the client or
 * the grant, in RFC 6749 section 5.2's format (`{ "error": "invalid_grant", "error_description": "…" }`)
 * rather than a problem. The client throws it from any call when it cannot get an access token: wrong
 * client id or secret (`invalid_client`), a deleted API key, and so on.
 */
import type { components } from '../generated/holdfast.ts';

/**
 * The RFC 6749 (and RFC 7009) `error` values the contract lists, or one this SDK does not know yet
 * (`UNKNOWN` when the answer was not an OAuth error at all).
 */
export type OAuthErrorCode = components['schemas']['OAuthError']['error'] | 'UNKNOWN' | (string & {});

const brand = Symbol.for('@holdfast/sdk:OAuthError');

/** What an {@link OAuthError} is made of. */
export interface OAuthErrorInit {
  readonly status: number;
  readonly code: OAuthErrorCode;
  readonly description?: string | undefined;
  readonly uri?: string | undefined;
  readonly requestId?: string | null | undefined;
}

/**
 * The OAuth token endpoint refused: `code` is RFC 6749's `error` (`invalid_client`: unknown client or
 * wrong secret; `invalid_grant`: the refresh token is expired, revoked or used; ...).
 *
 * @example
 * ```ts
 * try {
 *   await holdfast.me();
 * } catch (error) {
 *   if (isOAuthError(error, 'invalid_client')) console.error('Check HOLDFAST_CLIENT_ID and HOLDFAST_CLIENT_SECRET.');
 *   throw error;
 * }
 * ```
 */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  /** The HTTP status (400 or 401). */
  readonly status: number;
  /** RFC 6749's `error`. */
  readonly code: OAuthErrorCode;
  /** RFC 6749's `error_description`, for people. */
  readonly description: string | undefined;
  /** RFC 6749's `error_uri`. */
  readonly uri: string | undefined;
  /** The answer's `X-Request-Id`. */
  readonly requestId: string | null;

  constructor(init: OAuthErrorInit) {
    super(`OAuth ${init.code}${init.description === undefined ? '' : `: ${init.description}`}`);
    Object.defineProperty(this, brand, { value: true });
    this.status = init.status;
    this.code = init.code;
    this.description = init.description;
    this.uri = init.uri;
    this.requestId = init.requestId ?? null;
  }
}

/**
 * Whether `value` is an {@link OAuthError} (from any copy of this package) and, if `code` is given, has
 * that code (then `error.code` is typed as it).
 */
export function isOAuthError<C extends OAuthErrorCode = OAuthErrorCode>(
  value: unknown,
  code?: C,
): value is OAuthError & { readonly code: C } {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[brand] !== true) return false;
  return code === undefined || (value as { code?: unknown }).code === code;
}
