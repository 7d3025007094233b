/**
 * What {@link createHoldfastClient} takes: the server's URL and one way to authenticate — an API key's
 * client credentials (exchanged for tokens by the client), an access token you already have, or nothing
 * (public endpoints only).
 */
import type { RetryOptions } from '../http/retry-policy.ts';

/** Options every client takes. */
export interface HoldfastClientBaseOptions {
  /**
   * The server's origin, e.g. `https://holdfast.example.org` or `http://localhost:8080` (paths carry their
   * `/v1` themselves). A path prefix is kept when the server is behind one (`https://example.org/holdfast`).
   */
  readonly baseUrl: string | URL;
  /** The `fetch` to send with (default: the global one). Tests and proxies pass their own. */
  readonly fetch?: (input: Request) => Promise<Response>;
  /** Put before `holdfast-sdk/<version>` in `User-Agent`, e.g. `offboarding-script/1.2`. */
  readonly userAgent?: string;
  /** Retries of `429` and `503` answers (default: at most 2, waiting at most 60 s each). */
  readonly retry?: RetryOptions;
}

/** An API key's credentials: the client exchanges them at `/v1/oauth/token` and keeps its tokens fresh. */
export interface ClientCredentialsOptions extends HoldfastClientBaseOptions {
  /** The API key's id (`key_…`), its OAuth client id. */
  readonly clientId: string;
  /** The API key's secret (`hfs_…`), shown once when the key was created. */
  readonly clientSecret: string;
  readonly accessToken?: never;
}

/**
 * An access token obtained elsewhere. The client cannot refresh it: when it expires, calls fail with
 * `401 TOKEN_EXPIRED`.
 */
export interface AccessTokenOptions extends HoldfastClientBaseOptions {
  /** A bearer access token (`hfat_…`). */
  readonly accessToken: string;
  readonly clientId?: never;
  readonly clientSecret?: never;
}

/** No credentials: only the public endpoints (health, regions, sign-up, invitations) answer. */
export interface AnonymousOptions extends HoldfastClientBaseOptions {
  readonly clientId?: never;
  readonly clientSecret?: never;
  readonly accessToken?: never;
}

/** The options of {@link createHoldfastClient}. */
export type HoldfastClientOptions = ClientCredentialsOptions | AccessTokenOptions | AnonymousOptions;
