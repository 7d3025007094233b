/**
 * The route table type of the Dropbox mock and what a route handler is given. Each route names its Stone
 * definition, its host (`api` or `content`), its style (`rpc`: JSON body in and out; `download`: argument
 * in `Dropbox-API-Arg`, result in `Dropbox-API-Result`, bytes in the body; `upload`: argument in the
 * header, bytes in, JSON out) and who may call it (`user` routes act as one account, with
 * `Dropbox-API-Select-User` for team tokens; `team` routes need a team token and no member).
 */
import type { MockAccount } from './mock-accounts.ts';
import type { MockResult, StoneRouteRef } from './mock-http.ts';
import type { MockMetadata } from './mock-namespace.ts';

/** An open upload session. */
export interface MockUploadSession {
  readonly accountId: string;
  readonly chunks: Uint8Array[];
  offset: number;
  closed: boolean;
}

/** A paged listing in progress: a snapshot of the entries, and the log position it was taken at. */
export interface MockListing {
  readonly entries: readonly MockMetadata[];
  readonly seq: number;
  readonly epoch: number;
  readonly pathLower: string;
  readonly recursive: boolean;
  readonly limit: number;
}

/** What route handlers see of the mock. */
export interface MockRouteState {
  /** Entries per `list_folder` page when the call gives no `limit` (Dropbox's maximum, 2000). */
  readonly pageSize: number;
  readonly listings: Map<string, MockListing>;
  readonly sessions: Map<string, MockUploadSession>;
  /** Team members and users, by account id. */
  readonly accounts: ReadonlyMap<string, MockAccount>;
  newListingId(): string;
  newSessionId(): string;
  /** Adds to the bytes-uploaded counter. */
  countUpload(bytes: number): void;
}

/** One call, as a handler receives it. */
export interface MockCall {
  readonly route: string;
  readonly arg: unknown;
  /** The request body of an upload-style route. */
  readonly body: Uint8Array | undefined;
  /** The account acted as (user routes). */
  readonly account: MockAccount | undefined;
  readonly state: MockRouteState;
}

/** One mocked route. */
export interface MockRoute {
  readonly stone: StoneRouteRef;
  readonly host: 'api' | 'content';
  readonly style: 'rpc' | 'download' | 'upload';
  readonly auth: 'user' | 'team';
  readonly handle: (call: MockCall) => MockResult | Promise<MockResult>;
}

/** The account of a user-route call (always set for user routes). */
export function accountOf(call: MockCall): MockAccount {
  if (call.account === undefined) throw new Error(`mock: ${call.route} reached without an account`);
  return call.account;
}

/** A JSON result. */
export function json(value: unknown): MockResult {
  return { kind: 'json', value };
}
