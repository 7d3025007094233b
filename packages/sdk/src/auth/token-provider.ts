/**
 * Where the client's bearer tokens come from: {@link StaticToken} for a token the caller already has,
 * {@link ClientCredentialsTokens} for an API key's client id and secret (exchanged, refreshed and
 * re-exchanged as needed).
 */

/** Gives the client an access token for each request. */
export interface TokenProvider {
  /** A token believed valid now; may ask the token endpoint first (once for all concurrent callers). */
  accessToken(): Promise<string>;
  /**
   * The server answered `401 TOKEN_EXPIRED` to a request sent with `token`. Returns whether a fresh token
   * can be had (then the client re-sends the request once, with {@link TokenProvider.accessToken}).
   */
  expired(token: string): boolean;
  /** Revokes what this provider holds, if it can; afterwards it starts over (a new exchange). */
  revoke(): Promise<void>;
}

/** A fixed access token: no refresh, so an expired one surfaces as `401 TOKEN_EXPIRED`. */
export class StaticToken implements TokenProvider {
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  accessToken(): Promise<string> {
    return Promise.resolve(this.#token);
  }

  expired(): boolean {
    return false;
  }

  revoke(): Promise<void> {
    return Promise.resolve();
  }
}
