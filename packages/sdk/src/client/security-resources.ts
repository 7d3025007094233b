/**
 * The client's resources for the account's security (S6, S7): IP restrictions and their rules, the
 * security audit log and the system activity log. Like the other resources, each method throws
 * {@link HoldfastApiError} on an error answer; lists page on their own; exports stream the CSV as the
 * server writes it (a whole audit log never has to fit in memory).
 */
import type { Client } from 'openapi-fetch';
import { unwrap } from '../errors/unwrap.ts';
import type { components, paths } from '../generated/holdfast.ts';
import { paginate } from '../pagination/paginate.ts';
import type { CallOptions, HoldfastClient } from './holdfast-client.ts';

type Schemas = components['schemas'];

/** The filters and order of `GET /v1/audit-events` (without `limit` and `cursor`), also those of its export. */
export type AuditEventQuery = NonNullable<paths['/v1/audit-events/export']['get']['parameters']['query']>;
/** The filters and order of `GET /v1/activity-events` (without `limit` and `cursor`), also those of its export. */
export type ActivityEventQuery = NonNullable<paths['/v1/activity-events/export']['get']['parameters']['query']>;

/**
 * The body of `createIpRule`: `description` may be left out (it defaults to `''`). The generated
 * `IpRuleCreate` marks it required, as openapi-typescript does for every property with a default.
 */
export type IpRuleCreateInput = Omit<components['schemas']['IpRuleCreate'], 'description'> & {
  readonly description?: components['schemas']['IpRuleCreate']['description'];
};

/** IP restrictions: the account's switch (`view_account_settings` to read, `manage_account` to change). */
export interface IpRestrictionsResource {
  /** Whether restrictions are on, how many rules there are, and whether they trust this caller. */
  get(options?: CallOptions): Promise<Schemas['IpRestrictions']>;
  /** Switches restrictions on or off; `422 IP_RESTRICTION_LOCKOUT` when on would refuse this caller. */
  update(update: Schemas['IpRestrictionsUpdate'], options?: CallOptions): Promise<Schemas['IpRestrictions']>;
}

/** The account's trusted addresses and ranges. */
export interface IpRulesResource {
  list(options?: CallOptions): AsyncGenerator<Schemas['IpRule'], void, undefined>;
  get(ipRuleId: string, options?: CallOptions): Promise<Schemas['IpRule']>;
  /** Trusts `range`: `203.0.113.7`, `203.0.113.10-203.0.113.20` or `203.0.113.0/24`. */
  create(rule: IpRuleCreateInput, options?: CallOptions): Promise<Schemas['IpRule']>;
  update(ipRuleId: string, update: Schemas['IpRuleUpdate'], options?: CallOptions): Promise<Schemas['IpRule']>;
  delete(ipRuleId: string, options?: CallOptions): Promise<void>;
}

/** A log that lists and exports: the security audit log (`view_audit_log`) or the activity log (`view_activity_log`). */
export interface EventLogResource<Event, Filters> {
  /** Every event matching `query`, across pages (newest first unless `order` says otherwise). */
  list(query?: Filters & { readonly limit?: number }, options?: CallOptions): AsyncGenerator<Event, void, undefined>;
  /**
   * Every event matching `query` as CSV (RFC 4180, UTF-8, formula cells neutralised), streamed.
   *
   * @example
   * ```ts
   * import { Readable } from 'node:stream';
   * Readable.fromWeb(await holdfast.auditEvents.exportCsv({ status: ['failed'] })).pipe(process.stdout);
   * ```
   */
  exportCsv(query?: Filters, options?: CallOptions): Promise<ReadableStream<Uint8Array>>;
}

function signalOf(options: CallOptions | undefined): { signal?: AbortSignal } {
  return options?.signal === undefined ? {} : { signal: options.signal };
}

function streamOf(result: { data?: unknown; error?: unknown; response: Response }): ReadableStream<Uint8Array> {
  const body: unknown = unwrap(result);
  if (!(body instanceof ReadableStream)) throw new TypeError('the export answered no body');
  return body as ReadableStream<Uint8Array>;
}

export function ipRestrictionsResource(api: Client<paths>): IpRestrictionsResource {
  return {
    get: async (callOptions) => unwrap(await api.GET('/v1/account/ip-restrictions', signalOf(callOptions))),
    update: async (update, callOptions) =>
      unwrap(await api.PATCH('/v1/account/ip-restrictions', { body: update, ...signalOf(callOptions) })),
  };
}

export function ipRulesResource(api: Client<paths>, client: () => HoldfastClient): IpRulesResource {
  return {
    list: (callOptions) => paginate(client(), '/v1/ip-rules', signalOf(callOptions)),
    get: async (ipRuleId, callOptions) =>
      unwrap(await api.GET('/v1/ip-rules/{ipRuleId}', { params: { path: { ipRuleId } }, ...signalOf(callOptions) })),
    create: async (rule, callOptions) =>
      // The server applies the contract's default when `description` is left out.
      unwrap(await api.POST('/v1/ip-rules', { body: rule as Schemas['IpRuleCreate'], ...signalOf(callOptions) })),
    update: async (ipRuleId, update, callOptions) =>
      unwrap(
        await api.PATCH('/v1/ip-rules/{ipRuleId}', {
          params: { path: { ipRuleId } },
          body: update,
          ...signalOf(callOptions),
        }),
      ),
    delete: async (ipRuleId, callOptions) => {
      unwrap(await api.DELETE('/v1/ip-rules/{ipRuleId}', { params: { path: { ipRuleId } }, ...signalOf(callOptions) }));
    },
  };
}

export function auditEventsResource(
  api: Client<paths>,
  client: () => HoldfastClient,
): EventLogResource<Schemas['AuditEvent'], AuditEventQuery> {
  return {
    list: (query, callOptions) =>
      paginate(client(), '/v1/audit-events', { ...(query === undefined ? {} : { query }), ...signalOf(callOptions) }),
    exportCsv: async (query, callOptions) =>
      streamOf(
        await api.GET('/v1/audit-events/export', {
          params: { query: query ?? {} },
          parseAs: 'stream',
          ...signalOf(callOptions),
        }),
      ),
  };
}

export function activityEventsResource(
  api: Client<paths>,
  client: () => HoldfastClient,
): EventLogResource<Schemas['ActivityEvent'], ActivityEventQuery> {
  return {
    list: (query, callOptions) =>
      paginate(client(), '/v1/activity-events', {
        ...(query === undefined ? {} : { query }),
        ...signalOf(callOptions),
      }),
    exportCsv: async (query, callOptions) =>
      streamOf(
        await api.GET('/v1/activity-events/export', {
          params: { query: query ?? {} },
          parseAs: 'stream',
          ...signalOf(callOptions),
        }),
      ),
  };
}
