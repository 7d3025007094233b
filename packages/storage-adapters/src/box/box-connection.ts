/**
 * BoxConnection: one Box app's credentials, hosts, concurrency limits and retry policy, shared by every
 * {@link BoxSource}, {@link BoxRestoreTarget} and {@link BoxExportDestination} made from it, so that the
 * per-app and per-user limits and the single-flight token renewal hold across all of them. Each class
 * accepts either `{ connection }` (a connection of your own) or the options to make one.
 */
import { ValidationError } from '@holdfast/engine';
import { BoxApi, type BoxActor } from './box-api.ts';
import { BoxAuth, type BoxBaseUrls, type BoxTokenGrant } from './box-auth.ts';
import {
  accessTokenGrant,
  type BoxClientCredentialsOptions,
  type BoxJwtOptions,
  type BoxOAuthOptions,
  clientCredentialsGrant,
  jwtGrant,
  oauthGrant,
} from './box-auth-grants.ts';
import { BoxHttp, type BoxRetryOptions } from './box-http.ts';
import { BoxLimiter, type BoxLimiterOptions } from './box-limiter.ts';

/** How a connection authenticates; see `docs/connectors/box.md` for the app types. */
export type BoxAuthConfig =
  | ({ readonly type: 'client-credentials' } & BoxClientCredentialsOptions)
  | ({ readonly type: 'jwt' } & BoxJwtOptions)
  | ({ readonly type: 'oauth' } & BoxOAuthOptions)
  | { readonly type: 'access-token'; readonly accessToken: string }
  | { readonly type: 'grant'; readonly grant: BoxTokenGrant };

/** Options of {@link BoxConnection}. */
export interface BoxConnectionOptions {
  /** The credentials: a config, or a {@link BoxAuth} of your own. */
  readonly auth: BoxAuthConfig | BoxAuth;
  /** Box's hosts (tests, proxies). Default Box's production hosts. */
  readonly baseUrls?: Partial<BoxBaseUrls> | undefined;
  /** Requests in flight: per app (default 16) and per user (default 4). */
  readonly concurrency?: BoxLimiterOptions | undefined;
  /** Throttling and retry limits; see {@link BoxRetryOptions}. */
  readonly retry?: BoxRetryOptions | undefined;
  /** The `fetch` to use. Default: the global one. */
  readonly fetch?: typeof fetch | undefined;
  /** How waits between retries are made (tests record them instead). Default: a timer. */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

/** What every Box class accepts: a connection of your own, or the options to make one. */
export type BoxConnectionInput = { readonly connection: BoxConnection } | BoxConnectionOptions;

/**
 * A connection to Box; see the module note.
 *
 * @example
 * ```ts
 * const connection = new BoxConnection({
 *   auth: { type: 'client-credentials', clientId, clientSecret, enterpriseId: '123456' },
 * });
 * const source = new BoxSource({ connection });
 * const target = new BoxRestoreTarget({ connection, userId: '987' });
 * ```
 */
export class BoxConnection {
  readonly auth: BoxAuth;
  readonly http: BoxHttp;
  readonly api: BoxApi;

  constructor(options: BoxConnectionOptions) {
    this.auth =
      options.auth instanceof BoxAuth
        ? options.auth
        : new BoxAuth(grantOf(options.auth), { baseUrls: options.baseUrls });
    this.http = new BoxHttp({
      auth: this.auth,
      limiter: new BoxLimiter(options.concurrency),
      retry: options.retry,
      fetch: options.fetch,
      sleep: options.sleep,
    });
    this.api = new BoxApi(this.http, this.auth.baseUrls);
  }

  /** `box:enterprise:<id>`, `box:user:<id>`, `box:oauth` or `box:token`: names sources, never a secret. */
  get label(): string {
    const subject = this.auth.subject;
    return subject.kind === 'enterprise' || subject.kind === 'user'
      ? `box:${subject.kind}:${subject.id}`
      : `box:${subject.kind}`;
  }

  /** Whether calls select their user with `As-User` (an enterprise's service account token). */
  get usesAsUser(): boolean {
    return this.auth.subject.kind === 'enterprise';
  }

  /** Who calls for `userId` act as: `As-User` with an enterprise token, the token's own user otherwise. */
  actor(userId: string | undefined): BoxActor {
    if (userId !== undefined && this.usesAsUser) return { asUser: userId, key: userId };
    return { key: userId ?? 'self' };
  }
}

/** The connection of `input`, made if needed. */
export function connectionOf(input: BoxConnectionInput): BoxConnection {
  if ('connection' in input) return input.connection;
  return new BoxConnection(input);
}

function grantOf(config: BoxAuthConfig): BoxTokenGrant {
  switch (config.type) {
    case 'client-credentials':
      return clientCredentialsGrant(config);
    case 'jwt':
      return jwtGrant(config);
    case 'oauth':
      return oauthGrant(config);
    case 'access-token':
      return accessTokenGrant(config.accessToken);
    case 'grant':
      return config.grant;
    default:
      throw new ValidationError(`unknown Box auth type ${JSON.stringify((config as { type?: unknown }).type)}`);
  }
}
