/**
 * Connecting one Box user with OAuth 2 (authorization code grant): build the URL the user opens, then
 * exchange the code Box redirects back with for the first token pair, which goes into the connection's
 * {@link TokenStore}. From then on {@link oauthGrant} refreshes, single-flight through {@link BoxAuth}.
 *
 * The code exchange goes through box-node-sdk's `BoxOAuth` (its token request, on the connection's
 * hosts). The authorize URL is built here: the SDK's `getAuthorizeUrl` always names account.box.com,
 * whatever base URLs the connection uses.
 */
import { ValidationError } from '@holdfast/engine';
import { type BoxBaseUrls, type BoxTokens, defaultBoxBaseUrls, type TokenStore } from './box-auth.ts';
import { fromSdkToken, type BoxOAuthOptions } from './box-auth-grants.ts';
import { boxError } from './box-errors.ts';

/** Options of {@link BoxOAuthFlow.authorizeUrl}. */
export interface BoxAuthorizeUrlOptions {
  /** Where Box sends the browser back: one of the app's configured redirect URIs. */
  readonly redirectUri: string;
  /** An unguessable value tied to the user's session; check it on the way back (CSRF). */
  readonly state: string;
  /** Space-separated scopes; default: the app's configured scopes. */
  readonly scope?: string | undefined;
}

/**
 * The OAuth 2 authorization-code flow of a Box app.
 *
 * @example
 * ```ts
 * const flow = new BoxOAuthFlow({ clientId, clientSecret, tokenStore });
 * response.redirect(flow.authorizeUrl({ redirectUri: 'https://holdfast.example/box/callback', state }));
 * // ... in the callback, after checking `state`:
 * await flow.exchangeCode(request.query.code);
 * ```
 */
export class BoxOAuthFlow {
  readonly baseUrls: BoxBaseUrls;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #store: TokenStore;

  constructor(options: BoxOAuthOptions & { readonly baseUrls?: Partial<BoxBaseUrls> | undefined }) {
    this.#clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.#store = options.tokenStore;
    this.baseUrls = { ...defaultBoxBaseUrls, ...options.baseUrls };
  }

  /** The URL to send the user to: `<oauth2Url>/authorize?response_type=code&client_id=...`. */
  authorizeUrl(options: BoxAuthorizeUrlOptions): string {
    if (options.state.trim() === '') throw new ValidationError('the OAuth state must not be empty');
    const url = new URL(`${this.baseUrls.oauth2Url.replace(/\/+$/, '')}/authorize`);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.#clientId);
    url.searchParams.set('redirect_uri', options.redirectUri);
    url.searchParams.set('state', options.state);
    if (options.scope !== undefined) url.searchParams.set('scope', options.scope);
    return url.toString();
  }

  /**
   * Exchanges an authorization code for the first token pair and stores it. Rejects with `AuthError`
   * when Box refuses the code (expired, used, or for another app).
   */
  async exchangeCode(code: string): Promise<BoxTokens> {
    if (code.trim() === '') throw new ValidationError('the OAuth authorization code must not be empty');
    try {
      const [{ BoxOAuth, OAuthConfig }, { NetworkSession }, { BaseUrls }] = await Promise.all([
        import('box-node-sdk'),
        import('box-node-sdk/networking/network'),
        import('box-node-sdk/networking/baseUrls'),
      ]);
      const oauth = new BoxOAuth({
        config: new OAuthConfig({ clientId: this.#clientId, clientSecret: this.#clientSecret }),
      });
      const token = await oauth.getTokensAuthorizationCodeGrant(
        code,
        new NetworkSession({ baseUrls: new BaseUrls(this.baseUrls) }),
      );
      const tokens = fromSdkToken(token);
      await this.#store.set(tokens);
      return tokens;
    } catch (error) {
      throw boxError(error, 'authorization code exchange');
    }
  }
}
