/**
 * Box access tokens for the adapter's calls, renewed single-flight.
 *
 * A {@link BoxAuth} holds the current access token of one connection and a {@link BoxTokenGrant} that can
 * get a new one: a Client Credentials Grant, a JWT assertion, an OAuth 2 refresh (see
 * `box-auth-grants.ts`), or a grant of your own. Invariants:
 * - at most one token call is in flight per `BoxAuth`: callers that find the token expired, or that were
 *   answered 401 with the same token, share the one renewal. Box OAuth refresh tokens are single-use, so
 *   a second concurrent refresh would spend a token that the first already replaced, and fail;
 * - a caller whose refused token was already replaced gets the new one without a token call;
 * - a renewal Box refuses (`invalid_grant`...) is an `AuthError` saying the connection must be
 *   re-authorised, and it sticks: later calls fail with it at once rather than spend more requests;
 * - no secret is ever part of a message, a `name` or an enumerable property.
 *
 * Across processes the OAuth grant re-reads its {@link TokenStore} before refreshing, so a token another
 * process refreshed is used rather than refreshed again; a store that can lock should serialise
 * refreshes itself (see `docs/connectors/box.md`).
 */
import { type AuthError, CanceledError, isHoldfastError } from '@holdfast/engine';
import { boxError } from './box-errors.ts';

/** An access token and what Box said about it. */
export interface BoxTokens {
  readonly accessToken: string;
  /** OAuth 2 only: the single-use refresh token that goes with it. */
  readonly refreshToken?: string | undefined;
  /** When the access token expires, ISO 8601 (unknown when absent: the token is used until Box says 401). */
  readonly expiresAt?: string | undefined;
}

/**
 * Where an OAuth 2 connection's tokens live between runs (a database row, a secrets manager). `set` is
 * called with every new pair; the previous refresh token is dead once it is.
 */
export interface TokenStore {
  get(): Promise<BoxTokens | undefined>;
  set(tokens: BoxTokens): Promise<void>;
}

/** Who a connection's calls act as, without secrets: names sources and logs. */
export type BoxAuthSubject =
  | { readonly kind: 'enterprise'; readonly id: string }
  | { readonly kind: 'user'; readonly id: string }
  | { readonly kind: 'oauth' }
  | { readonly kind: 'token' };

/** The three Box hosts, as box-node-sdk names them (`withCustomBaseUrls`). */
export interface BoxBaseUrls {
  /** The API, without `/2.0`. Default `https://api.box.com`. */
  readonly baseUrl: string;
  /** The upload API, without `/2.0`. Default `https://upload.box.com/api`. */
  readonly uploadUrl: string;
  /** OAuth 2 authorisation pages. Default `https://account.box.com/api/oauth2`. */
  readonly oauth2Url: string;
}

/** Box's production hosts. */
export const defaultBoxBaseUrls: BoxBaseUrls = {
  baseUrl: 'https://api.box.com',
  uploadUrl: 'https://upload.box.com/api',
  oauth2Url: 'https://account.box.com/api/oauth2',
};

/** What a grant's token call gets. */
export interface BoxGrantContext {
  readonly baseUrls: BoxBaseUrls;
  readonly signal?: AbortSignal | undefined;
}

/** A way to get a new access token. Implement it to bring your own token source. */
export interface BoxTokenGrant {
  /** What the tokens act as. */
  readonly subject: BoxAuthSubject;
  /** A token the grant holds already (OAuth: the store's), to use before making a token call. */
  stored?(): Promise<BoxTokens | undefined>;
  /** Makes one token call. Rejects with `AuthError` when Box refuses the grant. */
  obtain(context: BoxGrantContext): Promise<BoxTokens>;
}

/** Options of {@link BoxAuth}. */
export interface BoxAuthOptions {
  /** Hosts for the token calls. Default {@link defaultBoxBaseUrls}. */
  readonly baseUrls?: Partial<BoxBaseUrls> | undefined;
  /** Renew a token this long before it expires. Default 60 000 ms. */
  readonly refreshMarginMs?: number | undefined;
}

/**
 * The access tokens of one Box connection; see the module note.
 *
 * @example
 * ```ts
 * const auth = new BoxAuth(clientCredentialsGrant({ clientId, clientSecret, enterpriseId: '123' }));
 * const token = await auth.accessToken();
 * ```
 */
export class BoxAuth {
  readonly baseUrls: BoxBaseUrls;
  readonly #grant: BoxTokenGrant;
  readonly #margin: number;
  #current: { accessToken: string; expiresAt: number | undefined } | undefined;
  #loaded = false;
  #inflight: Promise<string> | undefined;
  #dead: AuthError | undefined;
  #tokenCalls = 0;

  constructor(grant: BoxTokenGrant, options: BoxAuthOptions = {}) {
    this.#grant = grant;
    this.baseUrls = { ...defaultBoxBaseUrls, ...stripUndefined(options.baseUrls ?? {}) };
    this.#margin = options.refreshMarginMs ?? 60_000;
  }

  /** What the connection's calls act as. */
  get subject(): BoxAuthSubject {
    return this.#grant.subject;
  }

  /** Token calls made so far (for tests and diagnostics). */
  get tokenCalls(): number {
    return this.#tokenCalls;
  }

  /** A usable access token: the current one, or a renewed one if it is missing or about to expire. */
  async accessToken(signal?: AbortSignal): Promise<string> {
    if (this.#dead !== undefined) throw this.#dead;
    if (!this.#loaded) await this.#load();
    const current = this.#current;
    if (current !== undefined && !this.#expiring(current.expiresAt)) return current.accessToken;
    return this.#renew(current?.accessToken, signal);
  }

  /**
   * A new access token after Box refused `refused` (401). Single-flight: if another caller renewed it
   * already, its token is returned without a token call.
   */
  async refresh(refused: string, signal?: AbortSignal): Promise<string> {
    if (this.#dead !== undefined) throw this.#dead;
    const current = this.#current;
    if (current !== undefined && current.accessToken !== refused && !this.#expiring(current.expiresAt)) {
      return current.accessToken;
    }
    return this.#renew(refused, signal);
  }

  async #load(): Promise<void> {
    this.#loaded = true;
    const stored = await this.#grant.stored?.();
    if (stored !== undefined && this.#current === undefined) this.#current = toCurrent(stored);
  }

  #expiring(expiresAt: number | undefined): boolean {
    return expiresAt !== undefined && expiresAt - this.#margin <= Date.now();
  }

  async #renew(refused: string | undefined, signal: AbortSignal | undefined): Promise<string> {
    this.#inflight ??= this.#renewOnce(refused).finally(() => {
      this.#inflight = undefined;
    });
    return raceAbort(this.#inflight, signal);
  }

  async #renewOnce(refused: string | undefined): Promise<string> {
    // Another process may have refreshed already (OAuth): use its token rather than spend ours.
    const stored = await this.#grant.stored?.();
    if (stored !== undefined && stored.accessToken !== refused) {
      const candidate = toCurrent(stored);
      if (!this.#expiring(candidate.expiresAt)) {
        this.#current = candidate;
        return candidate.accessToken;
      }
    }
    this.#tokenCalls += 1;
    try {
      const tokens = await this.#grant.obtain({ baseUrls: this.baseUrls });
      this.#current = toCurrent(tokens);
      return tokens.accessToken;
    } catch (error) {
      const translated = boxError(error, 'token request');
      if (isHoldfastError(translated, 'AUTH')) this.#dead = translated;
      throw translated;
    }
  }
}

function toCurrent(tokens: BoxTokens): { accessToken: string; expiresAt: number | undefined } {
  const expiresAt = tokens.expiresAt === undefined ? undefined : Date.parse(tokens.expiresAt);
  return { accessToken: tokens.accessToken, expiresAt: Number.isFinite(expiresAt) ? expiresAt : undefined };
}

/** `promise`, or a `CanceledError` as soon as `signal` fires (the shared renewal itself goes on). */
async function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) throw new CanceledError('Box token request cancelled', { cause: signal.reason });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(new CanceledError('Box token request cancelled', { cause: signal.reason }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
