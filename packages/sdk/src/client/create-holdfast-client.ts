/**
 * {@link createHoldfastClient}: a client of one Holdfast server, over openapi-fetch with the client's own
 * fetch wrapper (`http/holdfast-fetch.ts`: tokens, one re-send after a refresh, `Retry-After`).
 */
import { randomUUID } from 'node:crypto';
import createClient from 'openapi-fetch';
import { ClientCredentialsTokens } from '../auth/client-credentials-tokens.ts';
import type { TokenEndpoint } from '../auth/token-endpoint.ts';
import { StaticToken, type TokenProvider } from '../auth/token-provider.ts';
import { rememberRequest, unwrap } from '../errors/unwrap.ts';
import type { components, paths } from '../generated/holdfast.ts';
import type { FetchFunction } from '../http/buffered-request.ts';
import { createHoldfastFetch } from '../http/holdfast-fetch.ts';
import { retryPolicy } from '../http/retry-policy.ts';
import { packageVersion } from '../package-info.ts';
import { pages, paginate } from '../pagination/paginate.ts';
import type { HoldfastClientOptions } from './holdfast-client-options.ts';
import type { ApiKeysResource, CallOptions, HoldfastClient, UsersResource } from './holdfast-client.ts';
import {
  activityEventsResource,
  auditEventsResource,
  ipRestrictionsResource,
  ipRulesResource,
} from './security-resources.ts';

type Schemas = components['schemas'];

/** `{ signal }` for openapi-fetch when one was given (exactOptionalPropertyTypes forbids `signal: undefined`). */
function signalOf(options: CallOptions | undefined): { signal?: AbortSignal } {
  return options?.signal === undefined ? {} : { signal: options.signal };
}

function normalizedBaseUrl(baseUrl: string | URL): string {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`baseUrl must be an http or https URL, not ${url.protocol}`);
  }
  if (url.search !== '' || url.hash !== '') throw new TypeError('baseUrl must not have a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

/** Where the client's tokens come from, checking the credentials (JavaScript callers skip the types). */
function tokenProvider(
  options: HoldfastClientOptions,
  endpoint: Omit<TokenEndpoint, 'clientId' | 'clientSecret'>,
): TokenProvider | null {
  const given = options as {
    readonly clientId?: unknown;
    readonly clientSecret?: unknown;
    readonly accessToken?: unknown;
  };
  const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';
  if (given.accessToken !== undefined) {
    if (given.clientId !== undefined || given.clientSecret !== undefined) {
      throw new TypeError('give either accessToken or clientId and clientSecret, not both');
    }
    if (!nonEmpty(given.accessToken)) throw new TypeError('accessToken must be a non-empty string');
    return new StaticToken(given.accessToken);
  }
  if (given.clientId === undefined && given.clientSecret === undefined) return null;
  if (!nonEmpty(given.clientId)) throw new TypeError('clientId must be a non-empty string (the API key id, key_…)');
  if (!nonEmpty(given.clientSecret)) {
    throw new TypeError('clientSecret must be a non-empty string (the API key secret, hfs_…)');
  }
  return new ClientCredentialsTokens({ ...endpoint, clientId: given.clientId, clientSecret: given.clientSecret });
}

/**
 * Creates a client of the Holdfast server at `baseUrl`.
 *
 * With an API key's `clientId` and `clientSecret`, the client exchanges them for an access token before its
 * first request, refreshes it before it expires (and when the server says it expired, then sends the
 * request again), and starts a new exchange when the refresh token is refused. With `accessToken`, it
 * sends that token as is. With neither, only public endpoints answer.
 *
 * @example
 * ```ts
 * const holdfast = createHoldfastClient({
 *   baseUrl: 'https://holdfast.example.org',
 *   clientId: process.env['HOLDFAST_CLIENT_ID'] ?? '',
 *   clientSecret: process.env['HOLDFAST_CLIENT_SECRET'] ?? '',
 * });
 * for await (const user of holdfast.paginate('/v1/users', { query: { status: ['active'] } })) {
 *   console.log(user.email);
 * }
 * ```
 */
export function createHoldfastClient(options: HoldfastClientOptions): HoldfastClient {
  const baseUrl = normalizedBaseUrl(options.baseUrl);
  const baseFetch: FetchFunction = options.fetch ?? ((request) => fetch(request));
  const sdkAgent = `holdfast-sdk/${packageVersion}`;
  const userAgent = options.userAgent === undefined ? sdkAgent : `${options.userAgent} ${sdkAgent}`;
  const retry = retryPolicy(options.retry);

  const tokens = tokenProvider(options, { baseUrl, fetch: baseFetch, userAgent, now: () => Date.now() });

  const holdfastFetch = createHoldfastFetch({ fetch: baseFetch, userAgent, tokens, retry });
  const api = createClient<paths>({
    baseUrl,
    fetch: async (request) => {
      const response = await holdfastFetch(request);
      rememberRequest(response, request);
      return response;
    },
  });

  const users: UsersResource = {
    list: (query, callOptions) =>
      paginate(client, '/v1/users', { ...(query === undefined ? {} : { query }), ...signalOf(callOptions) }),
    get: async (userId, callOptions) =>
      unwrap(await api.GET('/v1/users/{userId}', { params: { path: { userId } }, ...signalOf(callOptions) })),
    invite: async (invite, callOptions) =>
      unwrap(
        await api.POST('/v1/users', {
          params: { header: { 'Idempotency-Key': callOptions?.idempotencyKey ?? randomUUID() } },
          // The server applies the contract's default when `authType` is left out (see UserInviteInput).
          body: invite as Schemas['UserInvite'],
          ...signalOf(callOptions),
        }),
      ),
    update: async (userId, update, callOptions) =>
      unwrap(
        await api.PATCH('/v1/users/{userId}', { params: { path: { userId } }, body: update, ...signalOf(callOptions) }),
      ),
    delete: async (userId, callOptions) => {
      unwrap(await api.DELETE('/v1/users/{userId}', { params: { path: { userId } }, ...signalOf(callOptions) }));
    },
    resendInvitation: async (userId, callOptions) =>
      unwrap(
        await api.POST('/v1/users/{userId}/resend-invitation', {
          params: { path: { userId } },
          ...signalOf(callOptions),
        }),
      ),
    deactivate: async (userId, callOptions) =>
      unwrap(
        await api.POST('/v1/users/{userId}/deactivate', { params: { path: { userId } }, ...signalOf(callOptions) }),
      ),
    reactivate: async (userId, callOptions) =>
      unwrap(
        await api.POST('/v1/users/{userId}/reactivate', { params: { path: { userId } }, ...signalOf(callOptions) }),
      ),
    resetTwoFactor: async (userId, callOptions) => {
      unwrap(
        await api.POST('/v1/users/{userId}/reset-two-factor', {
          params: { path: { userId } },
          ...signalOf(callOptions),
        }),
      );
    },
  };

  const apiKeys: ApiKeysResource = {
    list: (query, callOptions) =>
      paginate(client, '/v1/api-keys', { ...(query === undefined ? {} : { query }), ...signalOf(callOptions) }),
    get: async (apiKeyId, callOptions) =>
      unwrap(await api.GET('/v1/api-keys/{apiKeyId}', { params: { path: { apiKeyId } }, ...signalOf(callOptions) })),
    create: async (key, callOptions) => unwrap(await api.POST('/v1/api-keys', { body: key, ...signalOf(callOptions) })),
    delete: async (apiKeyId, callOptions) => {
      unwrap(await api.DELETE('/v1/api-keys/{apiKeyId}', { params: { path: { apiKeyId } }, ...signalOf(callOptions) }));
    },
  };

  const client: HoldfastClient = {
    baseUrl,
    api,
    paginate: (path, paginateOptions) => paginate(client, path, paginateOptions),
    pages: (path, paginateOptions) => pages(client, path, paginateOptions),
    me: async (callOptions) => unwrap(await api.GET('/v1/me', signalOf(callOptions))),
    account: async (callOptions) => unwrap(await api.GET('/v1/account', signalOf(callOptions))),
    regions: async (callOptions) => {
      const regions = [];
      for await (const region of paginate(client, '/v1/regions', signalOf(callOptions))) regions.push(region);
      return regions;
    },
    users,
    apiKeys,
    ipRestrictions: ipRestrictionsResource(api),
    ipRules: ipRulesResource(api, () => client),
    auditEvents: auditEventsResource(api, () => client),
    activityEvents: activityEventsResource(api, () => client),
    revokeTokens: () => tokens?.revoke() ?? Promise.resolve(),
  };
  return client;
}
