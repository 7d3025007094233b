/**
 * Connecting a Dropbox account or team: the authorisation URL (OAuth 2 code flow, `token_access_type=
 * offline` so Dropbox hands out a refresh token, PKCE optional), and the exchange of the code Dropbox
 * redirects back with for tokens. What comes back is stored through a {@link TokenStore} and used by
 * {@link DropboxTokenProvider} from then on.
 *
 * Raw `fetch`, not the SDK's `DropboxAuth`: the SDK puts `client_secret`, `code` and `refresh_token` in
 * the token request's query string (where proxies and logs keep them); here they go in the form body.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AuthError, TransientError, ValidationError } from '@holdfast/engine';
import { redact } from './dropbox-errors.ts';

/** Tokens of one connection, as a {@link TokenStore} keeps them. */
export interface DropboxTokens {
  /** A short-lived access token (`sl.…`), when one was issued. */
  readonly accessToken?: string | undefined;
  /** When `accessToken` expires, ISO 8601. Unknown: the token is used until Dropbox answers 401. */
  readonly expiresAt?: string | undefined;
  /** The long-lived refresh token (offline access). */
  readonly refreshToken?: string | undefined;
}

/**
 * Where a connection's tokens live between runs (a server's encrypted secrets table, a file, memory).
 * `set` is called with the whole new token set after every refresh, so the access token survives the
 * process; implementations should store it encrypted.
 */
export interface TokenStore {
  get(): Promise<DropboxTokens | undefined>;
  set(tokens: DropboxTokens): Promise<void>;
}

/** A {@link TokenStore} in memory: the default when tokens are given as plain options. */
export class MemoryTokenStore implements TokenStore {
  #tokens: DropboxTokens | undefined;

  constructor(tokens?: DropboxTokens) {
    this.#tokens = tokens;
  }

  get(): Promise<DropboxTokens | undefined> {
    return Promise.resolve(this.#tokens);
  }

  set(tokens: DropboxTokens): Promise<void> {
    this.#tokens = tokens;
    return Promise.resolve();
  }
}

/** A PKCE pair: send `codeChallenge` in the authorisation URL, keep `codeVerifier` for the exchange. */
export interface DropboxPkce {
  readonly codeVerifier: string;
  readonly codeChallenge: string;
}

/** A fresh PKCE pair (S256; a 64-byte random verifier, base64url). */
export function createDropboxPkce(): DropboxPkce {
  const codeVerifier = randomBytes(64).toString('base64url');
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  return { codeVerifier, codeChallenge };
}

/** Options of {@link dropboxAuthorizeUrl}. */
export interface DropboxAuthorizeUrlOptions {
  /** The app key (OAuth client id). */
  readonly appKey: string;
  /** Where Dropbox redirects with `?code=` (registered with the app). Omit for the no-redirect flow. */
  readonly redirectUri?: string | undefined;
  /** An unguessable value tied to the user's session, returned with the redirect (CSRF protection). */
  readonly state?: string | undefined;
  /** Scopes to ask for; default: the app's configured scopes. See `docs/connectors/dropbox.md`. */
  readonly scopes?: readonly string[] | undefined;
  /** `team` or `user` to add scopes granted earlier. Default: none. */
  readonly includeGrantedScopes?: 'user' | 'team' | undefined;
  /** The PKCE challenge (from {@link createDropboxPkce}); required for apps that cannot keep a secret. */
  readonly codeChallenge?: string | undefined;
  /** Default `https://www.dropbox.com/oauth2/authorize`. */
  readonly authorizeUrl?: string | undefined;
}

/**
 * The URL to send the user (a team admin, for a team app) to. Always asks for offline access, so the
 * exchange returns a refresh token.
 *
 * @example
 * ```ts
 * const pkce = createDropboxPkce();
 * const url = dropboxAuthorizeUrl({ appKey, redirectUri, state, codeChallenge: pkce.codeChallenge });
 * ```
 */
export function dropboxAuthorizeUrl(options: DropboxAuthorizeUrlOptions): string {
  if (typeof options.appKey !== 'string' || options.appKey.trim() === '') {
    throw new ValidationError('Dropbox: appKey is required to build an authorisation URL');
  }
  const url = new URL(options.authorizeUrl ?? 'https://www.dropbox.com/oauth2/authorize');
  url.searchParams.set('client_id', options.appKey);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('token_access_type', 'offline');
  if (options.redirectUri !== undefined) url.searchParams.set('redirect_uri', options.redirectUri);
  if (options.state !== undefined) url.searchParams.set('state', options.state);
  if (options.scopes !== undefined && options.scopes.length > 0)
    url.searchParams.set('scope', options.scopes.join(' '));
  if (options.includeGrantedScopes !== undefined) {
    url.searchParams.set('include_granted_scopes', options.includeGrantedScopes);
  }
  if (options.codeChallenge !== undefined) {
    url.searchParams.set('code_challenge', options.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.toString();
}

/** Options of {@link exchangeDropboxCode}. */
export interface DropboxCodeExchangeOptions {
  readonly appKey: string;
  /** The app secret; omit for PKCE-only apps (then `codeVerifier` is required). */
  readonly appSecret?: string | undefined;
  /** The `code` from the redirect. */
  readonly code: string;
  /** The same `redirectUri` the authorisation URL named, if it named one. */
  readonly redirectUri?: string | undefined;
  /** The PKCE verifier, when the URL carried a challenge. */
  readonly codeVerifier?: string | undefined;
  /** Default `https://api.dropboxapi.com/oauth2/token`. */
  readonly tokenUrl?: string | undefined;
  /** A fetch of your own. */
  readonly fetch?: typeof fetch | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What a code exchange returns: the tokens to store, and who connected. */
export interface DropboxCodeExchangeResult {
  readonly tokens: DropboxTokens;
  /** The account that authorised (user apps), if Dropbox said. */
  readonly accountId?: string | undefined;
  /** The team (team apps), if Dropbox said. */
  readonly teamId?: string | undefined;
  /** The scopes granted, space-separated, if Dropbox said. */
  readonly scope?: string | undefined;
}

/** Exchanges an authorisation code for tokens. A refused code is an `AuthError`. */
export async function exchangeDropboxCode(options: DropboxCodeExchangeOptions): Promise<DropboxCodeExchangeResult> {
  if (options.appSecret === undefined && options.codeVerifier === undefined) {
    throw new ValidationError('Dropbox: exchanging a code needs the appSecret or the PKCE codeVerifier');
  }
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: options.code, client_id: options.appKey });
  if (options.appSecret !== undefined) form.set('client_secret', options.appSecret);
  if (options.codeVerifier !== undefined) form.set('code_verifier', options.codeVerifier);
  if (options.redirectUri !== undefined) form.set('redirect_uri', options.redirectUri);
  const body = await postTokenForm(
    options.fetch ?? fetch,
    options.tokenUrl ?? 'https://api.dropboxapi.com/oauth2/token',
    form,
    'exchange the authorisation code',
    options.signal,
  );
  const accessToken = stringField(body, 'access_token');
  if (accessToken === undefined) throw new AuthError('Dropbox: the code exchange returned no access token');
  return {
    tokens: {
      accessToken,
      expiresAt: expiresAtOf(body),
      refreshToken: stringField(body, 'refresh_token'),
    },
    accountId: stringField(body, 'account_id'),
    teamId: stringField(body, 'team_id'),
    scope: stringField(body, 'scope'),
  };
}

/**
 * POSTs a form to the token endpoint and returns the JSON answer. A 400/401 (`invalid_grant`,
 * `invalid_client`...) is an `AuthError` saying the connection must be re-authorised; 429 and 5xx a
 * `TransientError`. Messages carry Dropbox's `error` code only, never the form.
 */
export async function postTokenForm(
  fetchImpl: typeof fetch,
  tokenUrl: string,
  form: URLSearchParams,
  what: string,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetchImpl(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    if (signal?.aborted === true) throw error;
    throw new TransientError(`Dropbox: could not ${what}: ${redact(String(error))}`, { cause: error });
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: reported by status below.
  }
  if (response.ok) return body;
  const code = stringField(body, 'error') ?? stringField(body, 'error_summary') ?? 'no error code';
  if (response.status === 429 || response.status >= 500) {
    throw new TransientError(`Dropbox: could not ${what}: ${response.status} ${redact(code)}`);
  }
  throw new AuthError(
    `Dropbox refused to ${what} (${response.status} ${redact(code)}): the connection must be re-authorised`,
  );
}

/** `expires_in` seconds from now, as ISO 8601; undefined when absent. */
export function expiresAtOf(body: Record<string, unknown>, now = Date.now()): string | undefined {
  const expiresIn = body['expires_in'];
  return typeof expiresIn === 'number' && Number.isFinite(expiresIn)
    ? new Date(now + expiresIn * 1000).toISOString()
    : undefined;
}

function stringField(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
