/**
 * The token grants of {@link BoxAuth}, built on box-node-sdk 10 where it does real work: signing the JWT
 * assertion (RS256 with an encrypted PKCS#8 key, through `jose`), and the token requests of Client
 * Credentials, JWT and OAuth 2 refresh (`BoxCcgAuth`, `BoxJwtAuth`, `BoxOAuth`). The SDK is loaded on
 * first use (it is an optional peer dependency), its requests go to the connection's base URLs, and its
 * retry strategy is replaced by one that reads Box's lowercase `retry-after` (the SDK's own looks the
 * header up case-sensitively and never finds it).
 *
 * Every grant keeps its secrets in private fields: they never reach a message, a `name` or JSON.
 */
import { readFileSync } from 'node:fs';
import type { Authentication } from 'box-node-sdk/networking/auth';
import type { NetworkSession } from 'box-node-sdk/networking/network';
import type { FetchOptions } from 'box-node-sdk/networking/fetchOptions';
import type { FetchResponse } from 'box-node-sdk/networking/fetchResponse';
import type { RetryStrategy } from 'box-node-sdk/networking/retries';
import type { AccessToken } from 'box-node-sdk/schemas/accessToken';
import type { TokenStorage } from 'box-node-sdk/box/tokenStorage';
import { AuthError, parseRetryAfter, ValidationError } from '@holdfast/engine';
import type { BoxAuthSubject, BoxBaseUrls, BoxGrantContext, BoxTokenGrant, BoxTokens, TokenStore } from './box-auth.ts';

/** Options of {@link clientCredentialsGrant}: a Custom App with Client Credentials Grant (server auth). */
export interface BoxClientCredentialsOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Act as the enterprise's service account (then `As-User` per user). One of this or `userId`. */
  readonly enterpriseId?: string | undefined;
  /** Act as this user (a single-user connection). */
  readonly userId?: string | undefined;
}

/**
 * The app settings file a Box Custom App with JWT auth downloads from the Developer Console
 * (`<id>_config.json`), or the same object.
 */
export interface BoxJwtConfigFile {
  readonly boxAppSettings: {
    readonly clientID: string;
    readonly clientSecret: string;
    readonly appAuth: { readonly publicKeyID: string; readonly privateKey: string; readonly passphrase: string };
  };
  readonly enterpriseID?: string | undefined;
  readonly userID?: string | undefined;
}

/** Options of {@link jwtGrant}: the config file's path, or its content; optionally another subject. */
export interface BoxJwtOptions {
  /** Path of the app's JSON config file. One of this or `config`. */
  readonly configFile?: string | undefined;
  /** The config file's content. */
  readonly config?: BoxJwtConfigFile | undefined;
  /** Act as this enterprise's service account instead of the file's `enterpriseID`. */
  readonly enterpriseId?: string | undefined;
  /** Act as this user instead. */
  readonly userId?: string | undefined;
}

/** Options of {@link oauthGrant}: an OAuth 2 app connected by one user; tokens live in `tokenStore`. */
export interface BoxOAuthOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenStore: TokenStore;
}

/**
 * A Client Credentials Grant: a new token per renewal (no refresh token).
 *
 * @example
 * ```ts
 * const auth = new BoxAuth(clientCredentialsGrant({ clientId, clientSecret, enterpriseId: '123456' }));
 * ```
 */
export function clientCredentialsGrant(options: BoxClientCredentialsOptions): BoxTokenGrant {
  const { clientId, clientSecret, enterpriseId, userId } = options;
  requireText(clientId, 'clientId');
  requireText(clientSecret, 'clientSecret');
  const subject = subjectOf(enterpriseId, userId, 'client credentials');
  return sdkGrant(async () => {
    const { BoxCcgAuth, CcgConfig } = await import('box-node-sdk');
    const config = new CcgConfig({
      clientId,
      clientSecret,
      ...(subject.kind === 'enterprise' ? { enterpriseId: subject.id } : { userId: subject.id }),
    });
    return new BoxCcgAuth({ config });
  }, subject);
}

/**
 * A JWT grant: the app's private key signs an assertion for each renewal.
 *
 * @example
 * ```ts
 * const auth = new BoxAuth(jwtGrant({ configFile: '/etc/holdfast/box_config.json' }));
 * ```
 */
export function jwtGrant(options: BoxJwtOptions): BoxTokenGrant {
  if ((options.configFile === undefined) === (options.config === undefined)) {
    throw new ValidationError('Box JWT auth needs exactly one of configFile and config');
  }
  const config = options.config ?? readJwtConfigFile(options.configFile ?? '');
  const subject = configSubject(config, options);
  return sdkGrant(async () => {
    const { BoxJwtAuth, JwtConfig } = await import('box-node-sdk');
    const base = JwtConfig.fromConfigJsonString(
      JSON.stringify({ ...config, enterpriseID: undefined, userID: undefined }),
    );
    const jwt = new JwtConfig({
      clientId: base.clientId,
      clientSecret: base.clientSecret,
      jwtKeyId: base.jwtKeyId,
      privateKey: base.privateKey,
      privateKeyPassphrase: base.privateKeyPassphrase,
      ...(subject.kind === 'user'
        ? { userId: subject.id }
        : { enterpriseId: subject.kind === 'enterprise' ? subject.id : '' }),
    });
    return new BoxJwtAuth({ config: jwt });
  }, subject);
}

/** Reads a JWT config file when the grant is made, so a missing or broken file fails early. */
function readJwtConfigFile(path: string): BoxJwtConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ValidationError(`the Box JWT config file ${JSON.stringify(path)} cannot be read`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<BoxJwtConfigFile>;
    const app = parsed.boxAppSettings;
    if (typeof app?.clientID !== 'string' || typeof app.appAuth.privateKey !== 'string') throw new TypeError('shape');
    return parsed as BoxJwtConfigFile;
  } catch {
    throw new ValidationError(
      `the Box JWT config file ${JSON.stringify(path)} is not a Box app config (boxAppSettings)`,
    );
  }
}

/**
 * An OAuth 2 grant: spends the stored refresh token for a new pair and stores it. The first pair comes
 * from {@link BoxOAuthFlow.exchangeCode}.
 */
export function oauthGrant(options: BoxOAuthOptions): BoxTokenGrant {
  const { clientId, clientSecret, tokenStore } = options;
  requireText(clientId, 'clientId');
  requireText(clientSecret, 'clientSecret');
  return sdkGrant(
    async () => {
      const { BoxOAuth, OAuthConfig } = await import('box-node-sdk');
      return new BoxOAuth({
        config: new OAuthConfig({ clientId, clientSecret, tokenStorage: sdkTokenStorage(tokenStore) }),
      });
    },
    { kind: 'oauth' },
    async () => tokenStore.get(),
  );
}

/** A fixed access token (a developer token, or one your own system renews): no renewal. */
export function accessTokenGrant(accessToken: string): BoxTokenGrant {
  requireText(accessToken, 'accessToken');
  return {
    subject: { kind: 'token' },
    stored: () => Promise.resolve({ accessToken }),
    obtain: () =>
      Promise.reject(new AuthError('the Box access token was refused and cannot be renewed: provide a new one')),
  };
}

/**
 * A grant from any box-node-sdk `Authentication` of your own (`BoxCcgAuth`, `BoxJwtAuth`, `BoxOAuth`,
 * `BoxDeveloperTokenAuth`...): each renewal calls its `refreshToken`.
 */
export function sdkAuthenticationGrant(authentication: Authentication, subject: BoxAuthSubject): BoxTokenGrant {
  return sdkGrant(() => Promise.resolve(authentication), subject);
}

function sdkGrant(
  make: () => Promise<Authentication>,
  subject: BoxAuthSubject,
  stored?: () => Promise<BoxTokens | undefined>,
): BoxTokenGrant {
  let authentication: Promise<Authentication> | undefined;
  return {
    subject,
    ...(stored === undefined ? {} : { stored }),
    async obtain(context: BoxGrantContext): Promise<BoxTokens> {
      authentication ??= make();
      const auth = await authentication;
      const token = await auth.refreshToken(await sdkSession(context.baseUrls));
      return fromSdkToken(token);
    },
  };
}

/** A NetworkSession on the connection's hosts, with a retry strategy that reads `retry-after`. */
async function sdkSession(baseUrls: BoxBaseUrls): Promise<NetworkSession> {
  const [{ NetworkSession }, { BaseUrls }] = await Promise.all([
    import('box-node-sdk/networking/network'),
    import('box-node-sdk/networking/baseUrls'),
  ]);
  return new NetworkSession({ baseUrls: new BaseUrls(baseUrls), retryStrategy: new RetryAfterStrategy() });
}

/** Retries token calls on 429 and 5xx (5 attempts), waiting `retry-after` when Box sends it. */
class RetryAfterStrategy implements RetryStrategy {
  shouldRetry(_options: FetchOptions, response: FetchResponse, attempt: number): Promise<boolean> {
    if (response.status === 0) return Promise.resolve(attempt <= 2);
    return Promise.resolve(attempt < 5 && (response.status === 429 || response.status >= 500));
  }

  retryAfter(_options: FetchOptions, response: FetchResponse, attempt: number): number {
    const header = Object.entries(response.headers).find(([key]) => key.toLowerCase() === 'retry-after')?.[1];
    const wait = parseRetryAfter(header);
    return wait === undefined ? 2 ** attempt * (0.5 + Math.random()) : wait / 1000;
  }
}

/** The SDK's TokenStorage over a {@link TokenStore}. */
function sdkTokenStorage(store: TokenStore): TokenStorage {
  return {
    async store(token: AccessToken): Promise<undefined> {
      await store.set(fromSdkToken(token));
      return undefined;
    },
    async get(): Promise<AccessToken | undefined> {
      const tokens = await store.get();
      if (tokens === undefined) return undefined;
      const left =
        tokens.expiresAt === undefined ? undefined : Math.floor((Date.parse(tokens.expiresAt) - Date.now()) / 1000);
      return {
        accessToken: tokens.accessToken,
        tokenType: 'bearer',
        ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken }),
        ...(left === undefined || !Number.isFinite(left) ? {} : { expiresIn: left }),
      };
    },
    clear(): Promise<undefined> {
      return Promise.resolve(undefined);
    },
  };
}

/** The SDK's token as {@link BoxTokens}, with `expiresAt` computed from `expiresIn` now. */
export function fromSdkToken(token: AccessToken): BoxTokens {
  if (token.accessToken === undefined || token.accessToken === '')
    throw new AuthError('Box answered a token request without a token');
  return {
    accessToken: token.accessToken,
    ...(token.refreshToken === undefined ? {} : { refreshToken: token.refreshToken }),
    ...(token.expiresIn === undefined
      ? {}
      : { expiresAt: new Date(Date.now() + token.expiresIn * 1000).toISOString() }),
  };
}

function subjectOf(
  enterpriseId: string | undefined,
  userId: string | undefined,
  what: string,
): { readonly kind: 'enterprise' | 'user'; readonly id: string } {
  if ((enterpriseId === undefined) === (userId === undefined)) {
    throw new ValidationError(`Box ${what} auth needs exactly one of enterpriseId and userId`);
  }
  return enterpriseId === undefined ? { kind: 'user', id: userId ?? '' } : { kind: 'enterprise', id: enterpriseId };
}

function configIds(config: BoxJwtConfigFile): { enterpriseId?: string | undefined; userId?: string | undefined } {
  return { enterpriseId: config.enterpriseID, userId: config.userID };
}

function overrides(options: BoxJwtOptions): { enterpriseId?: string; userId?: string } {
  if (options.userId !== undefined) return { userId: options.userId };
  if (options.enterpriseId !== undefined) return { enterpriseId: options.enterpriseId };
  return {};
}

function configSubject(config: BoxJwtConfigFile, options: BoxJwtOptions): BoxAuthSubject {
  const { enterpriseId, userId } = { ...configIds(config), ...overrides(options) };
  if (userId !== undefined) return { kind: 'user', id: userId };
  if (enterpriseId !== undefined) return { kind: 'enterprise', id: enterpriseId };
  throw new ValidationError('the Box JWT config names neither an enterpriseID nor a userID');
}

function requireText(value: string, name: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`Box auth: ${name} is required`);
}
