/**
 * {@link HoldfastClient}: what {@link createHoldfastClient} returns — the typed openapi-fetch client over
 * the whole contract (`api`), paging, and a few methods that throw instead of returning errors.
 */
import type { Client } from 'openapi-fetch';
import type { components, paths } from '../generated/holdfast.ts';
import type { Page, PagedPath, PageItem, PaginateOptions } from '../pagination/paginate.ts';
import type {
  ActivityEventQuery,
  AuditEventQuery,
  EventLogResource,
  IpRestrictionsResource,
  IpRulesResource,
} from './security-resources.ts';

/** The query of `GET /v1/users` (without `cursor`). */
export type UserListQuery = Omit<NonNullable<paths['/v1/users']['get']['parameters']['query']>, 'cursor'>;
/** The query of `GET /v1/api-keys` (without `cursor`). */
export type ApiKeyListQuery = Omit<NonNullable<paths['/v1/api-keys']['get']['parameters']['query']>, 'cursor'>;

/**
 * The body of `inviteUser` as the contract has it: `authType` may be left out (it defaults to `email`).
 * The generated `UserInvite` type marks it required, as openapi-typescript does for every property with a
 * default (right for answers, too strict for requests).
 */
export type UserInviteInput = Omit<components['schemas']['UserInvite'], 'authType'> & {
  readonly authType?: components['schemas']['UserInvite']['authType'];
};

/** Options of calls that start work the server deduplicates by `Idempotency-Key`. */
export interface IdempotentCallOptions {
  /**
   * The key the server deduplicates by (24 hours, per account and operation). Default: a new random UUID
   * per call, reused by the client's own retries.
   */
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
}

/** Options of any call. */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** Portal users (`manage_users`). Each method throws {@link HoldfastApiError} on an error answer. */
export interface UsersResource {
  /** Every user matching `query`, across pages. */
  list(query?: UserListQuery, options?: CallOptions): AsyncGenerator<components['schemas']['User'], void, undefined>;
  get(userId: string, options?: CallOptions): Promise<components['schemas']['User']>;
  /** Invites a user (`201`); retried safely thanks to its `Idempotency-Key`. */
  invite(invite: UserInviteInput, options?: IdempotentCallOptions): Promise<components['schemas']['User']>;
  update(
    userId: string,
    update: components['schemas']['UserUpdate'],
    options?: CallOptions,
  ): Promise<components['schemas']['User']>;
  delete(userId: string, options?: CallOptions): Promise<void>;
  resendInvitation(userId: string, options?: CallOptions): Promise<components['schemas']['User']>;
  /** Stops the user from signing in and ends their sessions (role and history are kept). */
  deactivate(userId: string, options?: CallOptions): Promise<components['schemas']['User']>;
  /** Lets a deactivated user sign in again. */
  reactivate(userId: string, options?: CallOptions): Promise<components['schemas']['User']>;
  /** Turns off another user's two-factor authentication (they lost the app and the recovery codes). */
  resetTwoFactor(userId: string, options?: CallOptions): Promise<void>;
}

/** API keys (`manage_api_keys`). Each method throws {@link HoldfastApiError} on an error answer. */
export interface ApiKeysResource {
  /** Every key matching `query`, across pages (secrets are never listed). */
  list(
    query?: ApiKeyListQuery,
    options?: CallOptions,
  ): AsyncGenerator<components['schemas']['ApiKey'], void, undefined>;
  get(apiKeyId: string, options?: CallOptions): Promise<components['schemas']['ApiKey']>;
  /** Creates a key; the answer's `clientSecret` is shown this once. */
  create(
    key: components['schemas']['ApiKeyCreate'],
    options?: CallOptions,
  ): Promise<components['schemas']['ApiKeyCreated']>;
  /** Deletes a key and revokes its tokens at once (a key may delete itself). */
  delete(apiKeyId: string, options?: CallOptions): Promise<void>;
}

/** A client of one Holdfast server. */
export interface HoldfastClient {
  /** The server's base URL, without a trailing slash. */
  readonly baseUrl: string;
  /**
   * The typed client (openapi-fetch) over every operation of the contract. It answers
   * `{ data, error, response }` and never throws for an error status; {@link unwrap} turns a result into
   * its data or a thrown {@link HoldfastApiError}. It throws {@link OAuthError} when it cannot get a token
   * and {@link HoldfastNetworkError} when the server does not answer.
   *
   * @example
   * ```ts
   * const { data, error } = await holdfast.api.GET('/v1/users/{userId}', { params: { path: { userId } } });
   * ```
   */
  readonly api: Client<paths>;
  /** Every item of the list at `path`, across pages; see {@link paginate}. */
  paginate<P extends PagedPath>(path: P, options?: PaginateOptions<P>): AsyncGenerator<PageItem<P>, void, undefined>;
  /** Every page of the list at `path`; see {@link pages}. */
  pages<P extends PagedPath>(path: P, options?: PaginateOptions<P>): AsyncGenerator<Page<PageItem<P>>, void, undefined>;
  /** The caller (the API key, or the user) and its effective permissions. */
  me(options?: CallOptions): Promise<components['schemas']['Me']>;
  /** The account's settings (`view_account_settings`). */
  account(options?: CallOptions): Promise<components['schemas']['Account']>;
  /** The storage regions the server offers (public). */
  regions(options?: CallOptions): Promise<components['schemas']['Region'][]>;
  readonly users: UsersResource;
  readonly apiKeys: ApiKeysResource;
  /** The account's IP restrictions switch (S6). */
  readonly ipRestrictions: IpRestrictionsResource;
  /** The account's trusted addresses and ranges (S6). */
  readonly ipRules: IpRulesResource;
  /** The security audit log (S7, `view_audit_log`). */
  readonly auditEvents: EventLogResource<components['schemas']['AuditEvent'], AuditEventQuery>;
  /** The system activity log (S7, `view_activity_log`). */
  readonly activityEvents: EventLogResource<components['schemas']['ActivityEvent'], ActivityEventQuery>;
  /**
   * Revokes the client's tokens at the server (its refresh token, and with it the access tokens issued
   * from it). A later call exchanges the credentials again. Does nothing for a client made with an access
   * token or none.
   */
  revokeTokens(): Promise<void>;
}
