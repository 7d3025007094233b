/**
 * `@holdfast/sdk`: the typed client for the Holdfast REST API.
 *
 * {@link createHoldfastClient} makes a client from an API key's credentials (or an access token); its
 * `api` is the typed openapi-fetch client over every operation of the contract, {@link paginate} pages
 * through lists, and errors are {@link HoldfastApiError} (problem details with a stable `code`),
 * {@link OAuthError} (the token endpoint) and {@link HoldfastNetworkError}. See `docs/sdk.md`.
 *
 * @packageDocumentation
 */
export { packageName, packageVersion } from './package-info.ts';
/** The REST contract's types, generated from `openapi/holdfast.yaml` (the server implements the same). */
export type { components, operations, paths } from './generated/holdfast.ts';

export { createHoldfastClient } from './client/create-holdfast-client.ts';
export type {
  AccessTokenOptions,
  AnonymousOptions,
  ClientCredentialsOptions,
  HoldfastClientBaseOptions,
  HoldfastClientOptions,
} from './client/holdfast-client-options.ts';
export type {
  ApiKeyListQuery,
  ApiKeysResource,
  CallOptions,
  HoldfastClient,
  IdempotentCallOptions,
  UserInviteInput,
  UserListQuery,
  UsersResource,
} from './client/holdfast-client.ts';
export type {
  ActivityEventQuery,
  AuditEventQuery,
  EventLogResource,
  IpRestrictionsResource,
  IpRuleCreateInput,
  IpRulesResource,
} from './client/security-resources.ts';
export type { RetryOptions } from './http/retry-policy.ts';

export {
  HoldfastApiError,
  isHoldfastApiError,
  parseRetryAfter,
  type ApiErrorCode,
  type ErrorCode,
  type FieldError,
  type HoldfastApiErrorInit,
  type Problem,
} from './errors/holdfast-api-error.ts';
export { OAuthError, isOAuthError, type OAuthErrorCode, type OAuthErrorInit } from './errors/oauth-error.ts';
export { HoldfastNetworkError, isHoldfastNetworkError } from './errors/network-error.ts';
export { unwrap, type ApiResult, type ResultData } from './errors/unwrap.ts';

export {
  pages,
  paginate,
  type GetOperation,
  type Page,
  type PageOf,
  type PagedPath,
  type PageItem,
  type PageQuery,
  type PaginateOptions,
} from './pagination/paginate.ts';
