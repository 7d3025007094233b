/**
 * Access tokens for the adapter's calls, refreshed when they expire.
 *
 * Invariants:
 * - One refresh at a time per connection in this process (single flight): however many calls find the
 *   token expired (or get 401 `expired_access_token`) together, one request goes to the token endpoint
 *   and all of them wait for it. Providers are shared per token store (or per app key + refresh token)
 *   through {@link sharedTokenProvider}, so a source, a restore target and an export destination made
 *   from the same credentials share one.
 * - A call rejected with a token that has since been replaced does not refresh again: it retries with the
 *   current token. Before refreshing, the store is read again, so a token another process refreshed and
 *   stored is used instead of refreshing twice.
 * - A refused refresh (`invalid_grant`: revoked, expired or reused) is an `AuthError` saying the
 *   connection must be re-authorised; it is remembered until the store holds a different refresh token.
 * - Secrets never appear in messages, names or errors.
 */
import { createHash } from 'node:crypto';
import { AuthError, ValidationError } from '@holdfast/engine';
import { expiresAtOf, MemoryTokenStore, postTokenForm, type DropboxTokens, type TokenStore } from './dropbox-oauth.ts';

/**
 * How the adapter authenticates. Give an app key with a refresh token (and the app secret unless the app
 * uses PKCE), or an access token alone (it cannot be refreshed: when it expires the connection must be
 * re-authorised), or a {@link TokenStore} holding them (with `appKey`/`appSecret` to refresh).
 */
export interface DropboxCredentials {
  /** The app key (OAuth client id): needed to refresh. */
  readonly appKey?: string | undefined;
  /** The app secret; omit for PKCE apps. */
  readonly appSecret?: string | undefined;
  /** A refresh token (offline access). */
  readonly refreshToken?: string | undefined;
  /** An access token: a short-lived one (with or without a refresh token), or a legacy long-lived one. */
  readonly accessToken?: string | undefined;
  /** When `accessToken` expires (ISO 8601), if known. */
  readonly accessTokenExpiresAt?: string | undefined;
  /** Where the tokens live; refreshed tokens are written back. Default: memory, seeded with the above. */
  readonly tokenStore?: TokenStore | undefined;
}

/** Tokens expiring sooner than this are refreshed before use. */
const EXPIRY_MARGIN_MS = 5 * 60 * 1000;

/** Options of {@link DropboxTokenProvider}. */
export interface DropboxTokenProviderOptions {
  readonly credentials: DropboxCredentials;
  /** The token endpoint, `https://api.dropboxapi.com/oauth2/token` by default. */
  readonly tokenUrl: string;
  readonly fetch: typeof fetch;
  /** The clock (for tests). Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** Hands out access tokens and refreshes them, one refresh at a time (see the module note). */
export class DropboxTokenProvider {
  readonly #credentials: DropboxCredentials;
  readonly #store: TokenStore;
  readonly #tokenUrl: string;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  #tokens: DropboxTokens | undefined;
  #loading: Promise<DropboxTokens | undefined> | undefined;
  #refreshing: Promise<string> | undefined;
  #refused: { readonly refreshToken: string | undefined; readonly error: AuthError } | undefined;
  #refreshes = 0;

  constructor(options: DropboxTokenProviderOptions) {
    const { credentials } = options;
    checkCredentials(credentials);
    this.#credentials = credentials;
    this.#store =
      credentials.tokenStore ??
      new MemoryTokenStore({
        accessToken: credentials.accessToken,
        expiresAt: credentials.accessTokenExpiresAt,
        refreshToken: credentials.refreshToken,
      });
    this.#tokenUrl = options.tokenUrl;
    this.#fetch = options.fetch;
    this.#now = options.now ?? Date.now;
  }

  /** Refreshes made by this provider (each is one token-endpoint request). */
  get refreshes(): number {
    return this.#refreshes;
  }

  /** A token to use now: the stored one, or a fresh one when it is missing or about to expire. */
  async accessToken(signal?: AbortSignal): Promise<string> {
    // The store is read once (by the first caller; the others wait for that read), then kept.
    this.#loading ??= this.#store.get().then(
      (tokens) => {
        this.#tokens ??= tokens;
        return tokens;
      },
      (error: unknown) => {
        this.#loading = undefined; // a failed read is tried again by the next call
        throw error;
      },
    );
    await this.#loading;
    const token = this.#tokens?.accessToken;
    if (token !== undefined && !this.#expiring(this.#tokens)) return token;
    return this.#refresh(token, signal);
  }

  /**
   * A token to retry with after Dropbox refused `rejected` (401 expired or invalid): the current one if
   * it has been replaced meanwhile, else a refreshed one. Throws `AuthError` when it cannot refresh.
   */
  async replaceRejected(rejected: string, signal?: AbortSignal): Promise<string> {
    const current = this.#tokens?.accessToken;
    if (current !== undefined && current !== rejected && !this.#expiring(this.#tokens)) return current;
    return this.#refresh(rejected, signal);
  }

  #expiring(tokens: DropboxTokens | undefined): boolean {
    const at = Date.parse(tokens?.expiresAt ?? '');
    return Number.isFinite(at) && at - this.#now() < EXPIRY_MARGIN_MS;
  }

  #refresh(stale: string | undefined, signal: AbortSignal | undefined): Promise<string> {
    this.#refreshing ??= this.#doRefresh(stale, signal).finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #doRefresh(stale: string | undefined, signal: AbortSignal | undefined): Promise<string> {
    // Another process (or a re-authorisation) may have stored newer tokens.
    const stored = await this.#store.get();
    this.#tokens = stored;
    const storedToken = stored?.accessToken;
    if (storedToken !== undefined && storedToken !== stale && !this.#expiring(stored)) return storedToken;
    const refreshToken = stored?.refreshToken ?? this.#credentials.refreshToken;
    const appKey = this.#credentials.appKey;
    if (refreshToken === undefined || appKey === undefined) {
      throw new AuthError(
        'Dropbox: the access token has expired or was refused, and there is no refresh token and app key to ' +
          'renew it: the connection must be re-authorised',
      );
    }
    if (this.#refused !== undefined && this.#refused.refreshToken === refreshToken) throw this.#refused.error;
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: appKey });
    if (this.#credentials.appSecret !== undefined) form.set('client_secret', this.#credentials.appSecret);
    this.#refreshes += 1;
    let body: Record<string, unknown>;
    try {
      body = await postTokenForm(this.#fetch, this.#tokenUrl, form, 'refresh the access token', signal);
    } catch (error) {
      if (error instanceof AuthError) this.#refused = { refreshToken, error };
      throw error;
    }
    const accessToken = body['access_token'];
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new AuthError('Dropbox: the token endpoint answered without an access token');
    }
    const next: DropboxTokens = {
      accessToken,
      expiresAt: expiresAtOf(body, this.#now()),
      refreshToken: typeof body['refresh_token'] === 'string' ? body['refresh_token'] : refreshToken,
    };
    this.#tokens = next;
    await this.#store.set(next);
    return accessToken;
  }
}

function checkCredentials(credentials: DropboxCredentials | undefined): void {
  if (typeof credentials !== 'object' || (credentials as unknown) === null) {
    throw new ValidationError('Dropbox: credentials are required (an access token, or an app key and refresh token)');
  }
  const { appKey, refreshToken, accessToken, tokenStore } = credentials;
  for (const [field, value] of Object.entries({ appKey, refreshToken, accessToken })) {
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      throw new ValidationError(`Dropbox: credentials.${field} must be a non-empty string`);
    }
  }
  if (tokenStore === undefined && accessToken === undefined && refreshToken === undefined) {
    throw new ValidationError('Dropbox: credentials need an accessToken, a refreshToken or a tokenStore');
  }
  if (refreshToken !== undefined && appKey === undefined) {
    throw new ValidationError('Dropbox: credentials.refreshToken needs credentials.appKey to be refreshed');
  }
}

const byStore = new WeakMap<TokenStore, DropboxTokenProvider>();
const bySecret = new Map<string, WeakRef<DropboxTokenProvider>>();

/**
 * The process-wide provider for these credentials: one per token store, or one per token endpoint, app
 * key and token (keyed by a hash, never by the secret itself), so that refreshes are single-flight across
 * every source, target and destination of the same connection.
 */
export function sharedTokenProvider(options: DropboxTokenProviderOptions): DropboxTokenProvider {
  const { credentials } = options;
  if (credentials.tokenStore !== undefined) {
    let provider = byStore.get(credentials.tokenStore);
    if (provider === undefined) {
      provider = new DropboxTokenProvider(options);
      byStore.set(credentials.tokenStore, provider);
    }
    return provider;
  }
  const key = createHash('sha256')
    .update(JSON.stringify([options.tokenUrl, credentials.appKey, credentials.refreshToken, credentials.accessToken]))
    .digest('hex');
  let provider = bySecret.get(key)?.deref();
  if (provider === undefined) {
    provider = new DropboxTokenProvider(options);
    bySecret.set(key, new WeakRef(provider));
  }
  return provider;
}
