/**
 * Tokens for an API key: the client id and secret are exchanged for an access token (15 minutes) and a
 * refresh token (single use, rotating) on first use; the access token is refreshed shortly before it
 * expires, or when the server says it expired.
 *
 * Invariants:
 * - Single flight: at most one token request is in progress per client. Every caller that needs a token
 *   meanwhile waits for that request (20 concurrent calls with an expired token make one token request).
 *   This matters beyond saving requests: refresh tokens work once, and a second use of one revokes the
 *   whole chain (RFC 9700 section 4.14.2).
 * - A refresh that the server refuses (`invalid_grant`: expired, revoked, already used) falls back to a
 *   new client-credentials exchange; any other failure is thrown to the waiting callers, and the next call
 *   tries again.
 * - A `401 TOKEN_EXPIRED` for a token that has since been replaced does not refresh again: the caller
 *   re-sends with the newer token.
 */
import { isOAuthError } from '../errors/oauth-error.ts';
import { requestTokens, revokeToken, type TokenEndpoint, type TokenSet } from './token-endpoint.ts';
import type { TokenProvider } from './token-provider.ts';

/** The most a token is refreshed ahead of its expiry: a minute, or a fifth of its life if that is shorter. */
const refreshAheadMs = 60_000;

export class ClientCredentialsTokens implements TokenProvider {
  readonly #endpoint: TokenEndpoint;
  #current: TokenSet | null = null;
  /** The server said the current access token expired (clocks disagree, or it was revoked early). */
  #stale = false;
  #pending: Promise<TokenSet> | null = null;

  constructor(endpoint: TokenEndpoint) {
    this.#endpoint = endpoint;
  }

  accessToken(): Promise<string> {
    if (this.#pending !== null) return this.#pending.then((tokens) => tokens.accessToken);
    const current = this.#current;
    if (current !== null && !this.#stale && this.#endpoint.now() < refreshAt(current)) {
      return Promise.resolve(current.accessToken);
    }
    return this.#renew().then((tokens) => tokens.accessToken);
  }

  expired(token: string): boolean {
    if (this.#current?.accessToken === token) this.#stale = true;
    return true;
  }

  async revoke(): Promise<void> {
    try {
      await this.#pending;
    } catch {
      // A failed exchange left nothing to revoke but what was there before.
    }
    const current = this.#current;
    this.#current = null;
    this.#stale = false;
    if (current === null) return;
    // Revoking the refresh token revokes its chain, the access tokens included.
    if (current.refreshToken !== null) await revokeToken(this.#endpoint, current.refreshToken, 'refresh_token');
    else await revokeToken(this.#endpoint, current.accessToken, 'access_token');
  }

  #renew(): Promise<TokenSet> {
    this.#pending ??= this.#obtain()
      .then((tokens) => {
        this.#current = tokens;
        this.#stale = false;
        return tokens;
      })
      .finally(() => {
        this.#pending = null;
      });
    return this.#pending;
  }

  async #obtain(): Promise<TokenSet> {
    const refreshToken = this.#current?.refreshToken ?? null;
    if (refreshToken !== null) {
      try {
        return await requestTokens(this.#endpoint, { grant_type: 'refresh_token', refresh_token: refreshToken });
      } catch (error) {
        if (!isOAuthError(error, 'invalid_grant')) throw error;
        // Refused: expired, revoked or already used. Start a new chain from the key's credentials.
      }
    }
    return requestTokens(this.#endpoint, { grant_type: 'client_credentials' });
  }
}

/** When to refresh `tokens`: a minute before expiry, or a fifth of the token's life before if shorter. */
function refreshAt(tokens: TokenSet): number {
  const life = tokens.expiresAt - tokens.receivedAt;
  return tokens.expiresAt - Math.min(refreshAheadMs, life / 5);
}
