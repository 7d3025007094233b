/**
 * A MOCK of the Dropbox API v2 for tests (no Dropbox can run here), served through msw. It is stateful and
 * shaped from Dropbox's published Stone specs (`/work/shared/reference/dropbox-api-spec`): a team with
 * members (and users outside any team), a namespace per account with files, folders and a change log,
 * cursors, upload sessions, downloads, OAuth tokens. Every response can be checked against the Stone
 * definitions by an observer (see `../stone/`).
 *
 * What it enforces: bearer tokens (unknown → 401 `invalid_access_token`, expired → 401
 * `expired_access_token`), `Dropbox-API-Select-User` (required with a team token on user routes, refused
 * on team routes and with user tokens; an unknown member → 401 `invalid_select_user`), per-account
 * refusals, and a rate limit per account (N calls served, then M answered 429/503 with `retry_after`,
 * cyclically). What it counts: calls by route and account, bytes downloaded and uploaded, token requests.
 * Routes are in `mock-*-routes.ts`, the tree and change log in `mock-namespace.ts`, rate limits in
 * `mock-throttle.ts`.
 */
import { http, HttpResponse } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';
import {
  mockId,
  pkceChallenge,
  type MockAccessToken,
  type MockAccount,
  type MockAuthorizationCode,
  type MockMemberStatus,
  type MockRefreshToken,
} from './mock-accounts.ts';
import { contentRoutes } from './mock-content-routes.ts';
import { filesRoutes } from './mock-files-routes.ts';
import {
  authError,
  badRequest,
  bodyBytes,
  errorResponse,
  headerJson,
  MockApiError,
  parseArg,
  type StoneRouteRef,
} from './mock-http.ts';
import { MockNamespace } from './mock-namespace.ts';
import type { MockListing, MockRoute, MockRouteState, MockUploadSession } from './mock-routes.ts';
import { teamRoutes } from './mock-team-routes.ts';
import { MockThrottler, type MockThrottle } from './mock-throttle.ts';
import { handleTokenRequest } from './mock-oauth.ts';

/** A response the mock sent, for shape checks. */
export interface MockResponseEvent {
  readonly httpRoute: string;
  readonly stone: StoneRouteRef;
  readonly status: number;
  /** The JSON result (200) or error body (4xx/5xx JSON); for downloads, the `Dropbox-API-Result`. */
  readonly body: unknown;
  /** For error answers whose `error` is not the route's error type (`auth.AuthError`, `auth.RateLimitError`). */
  readonly errorType?: string | undefined;
}

export interface DropboxMockOptions {
  /** Default `https://api.dropbox-mock.test`. */
  readonly apiUrl?: string | undefined;
  /** Default `https://content.dropbox-mock.test`. */
  readonly contentUrl?: string | undefined;
  /** `list_folder` entries per page without `limit`. Default 2000 (Dropbox's maximum). */
  readonly pageSize?: number | undefined;
  readonly displayCasing?: 'exact' | 'last-component' | undefined;
}

const routes: Record<string, MockRoute> = { ...filesRoutes, ...contentRoutes, ...teamRoutes };

export class DropboxMock implements MockRouteState {
  readonly apiUrl: string;
  readonly contentUrl: string;
  readonly app = { appKey: 'holdfast-mock-app-key', appSecret: 'holdfast-mock-app-secret' };
  readonly pageSize: number;
  readonly accounts = new Map<string, MockAccount>();
  readonly listings = new Map<string, MockListing>();
  readonly sessions = new Map<string, MockUploadSession>();
  readonly accessTokens = new Map<string, MockAccessToken>();
  readonly refreshTokens = new Map<string, MockRefreshToken>();
  readonly codes = new Map<string, MockAuthorizationCode>();
  /** Calls by HTTP route (`files/list_folder`), token requests under `oauth2/token`. */
  readonly calls = new Map<string, number>();
  /** Calls by account id and HTTP route (`<account>:<route>`). */
  readonly callsByAccount = new Map<string, number>();
  bytesDownloaded = 0;
  bytesUploaded = 0;
  /** Called with every response (the Stone shape checker listens here). */
  onResponse: ((event: MockResponseEvent) => void) | undefined;
  readonly #throttle = new MockThrottler();
  #counter = 0;
  #clock = Date.parse('2025-01-06T09:00:00Z');
  readonly #displayCasing: 'exact' | 'last-component';
  #server: SetupServer | undefined;

  constructor(options: DropboxMockOptions = {}) {
    this.apiUrl = options.apiUrl ?? 'https://api.dropbox-mock.test';
    this.contentUrl = options.contentUrl ?? 'https://content.dropbox-mock.test';
    this.pageSize = options.pageSize ?? 2000;
    this.#displayCasing = options.displayCasing ?? 'last-component';
  }

  /** Starts intercepting (msw), refusing any request the mock does not serve. */
  listen(): this {
    this.#server = setupServer(...this.handlers());
    this.#server.listen({ onUnhandledFrame: 'error' });
    return this;
  }

  close(): void {
    this.#server?.close();
  }

  /** The msw handlers (for a server of your own). */
  handlers(): ReturnType<typeof http.post>[] {
    return [
      http.post(`${this.apiUrl}/oauth2/token`, async ({ request }) => {
        this.#count('oauth2/token', undefined);
        return handleTokenRequest(this, await request.text());
      }),
      http.post(`${this.apiUrl}/2/*`, ({ request }) => this.#handle('api', request)),
      http.post(`${this.contentUrl}/2/*`, ({ request }) => this.#handle('content', request)),
    ];
  }

  // --- accounts and tokens ---

  /** Adds a team member (with its own empty namespace). */
  addMember(profile: { email: string; givenName?: string; surname?: string; status?: MockMemberStatus }): MockAccount {
    const n = this.#next();
    return this.#addAccount(profile, `dbmid:AAD${mockId(`member-${n}`, 24)}`, n);
  }

  /** Adds an account outside any team (single-user mode). */
  addUser(profile: { email: string; givenName?: string; surname?: string }): MockAccount {
    return this.#addAccount(profile, undefined, this.#next());
  }

  /** The account with this account id or team member id. */
  account(id: string): MockAccount {
    const found = [...this.accounts.values()].find(
      (account) => account.accountId === id || account.teamMemberId === id,
    );
    if (found === undefined) throw new Error(`mock: no account ${id}`);
    return found;
  }

  /** Issues a refresh token and an access token for the team (a team app) or one account (a user app). */
  issueTokens(accountId?: string): { refreshToken: string; accessToken: string } {
    const subject = accountId === undefined ? ({ team: true } as const) : ({ team: false, accountId } as const);
    const refreshToken = `mock-refresh-${mockId(`refresh-${this.#next()}`, 32)}`;
    this.refreshTokens.set(refreshToken, { token: refreshToken, subject, revoked: false });
    return { refreshToken, accessToken: this.mintAccessToken(subject) };
  }

  /** A new access token for `subject`. */
  mintAccessToken(subject: MockAccessToken['subject']): string {
    const token = `sl.mock-${mockId(`access-${this.#next()}`, 40)}`;
    this.accessTokens.set(token, { token, subject, expired: false });
    return token;
  }

  /** Every access token issued so far now answers 401 `expired_access_token` (all, or one account's). */
  expireAccessTokens(accountId?: string): void {
    for (const token of this.accessTokens.values()) {
      if (accountId === undefined || (!token.subject.team && token.subject.accountId === accountId))
        token.expired = true;
    }
  }

  /** An authorisation code, as Dropbox would redirect with after the user approved. */
  issueCode(options: { accountId?: string; codeChallenge?: string; redirectUri?: string } = {}): string {
    const code = `mock-code-${mockId(`code-${this.#next()}`, 24)}`;
    const subject =
      options.accountId === undefined
        ? ({ team: true } as const)
        : ({ team: false, accountId: options.accountId } as const);
    this.codes.set(code, { code, subject, codeChallenge: options.codeChallenge, redirectUri: options.redirectUri });
    return code;
  }

  /** The S256 challenge of a PKCE verifier (for tests). */
  static challengeOf(verifier: string): string {
    return pkceChallenge(verifier);
  }

  // --- faults ---

  /** Throttles calls (see {@link MockThrottle}); `undefined` stops. */
  throttle(rule: MockThrottle | undefined): void {
    this.#throttle.set(rule);
  }

  /** Calls answered as throttled so far. */
  get throttled(): number {
    return this.#throttle.throttled;
  }

  /** Invalidates every list_folder cursor of an account: `continue` answers 409 `reset`. */
  resetCursors(id: string): void {
    this.account(id).namespace.epoch += 1;
  }

  // --- counters ---

  /** Calls of an HTTP route (all accounts, or one account by account id or team member id). */
  count(route: string, id?: string): number {
    if (id === undefined) return this.calls.get(route) ?? 0;
    return this.callsByAccount.get(`${this.account(id).accountId}:${route}`) ?? 0;
  }

  /** Zeroes the call and byte counters. */
  resetCounters(): void {
    this.calls.clear();
    this.callsByAccount.clear();
    this.bytesDownloaded = 0;
    this.bytesUploaded = 0;
  }

  // --- MockRouteState ---

  newListingId(): string {
    return `listing-${this.#next()}`;
  }

  newSessionId(): string {
    return `pid_upload_session:${mockId(`session-${this.#next()}`, 40)}`;
  }

  countUpload(bytes: number): void {
    this.bytesUploaded += bytes;
  }

  // --- internals ---

  #next(): number {
    this.#counter += 1;
    return this.#counter;
  }

  #addAccount(
    profile: { email: string; givenName?: string; surname?: string; status?: MockMemberStatus },
    teamMemberId: string | undefined,
    n: number,
  ): MockAccount {
    const namespace = new MockNamespace({
      newId: () => `id:${mockId(`item-${this.#next()}`, 22)}`,
      newRev: () => `0${this.#next().toString(16).padStart(8, '0')}${n.toString(16).padStart(4, '0')}`,
      tick: () => {
        this.#clock += 1000;
        return new Date(this.#clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
      },
      displayCasing: this.#displayCasing,
    });
    const account: MockAccount = {
      accountId: `dbid:AA${mockId(`account-${n}`, 33)}`,
      teamMemberId,
      email: profile.email,
      givenName: profile.givenName ?? profile.email.split('@')[0] ?? 'user',
      surname: profile.surname ?? 'Mock',
      status: profile.status ?? 'active',
      namespace,
      namespaceId: String(1000 + n),
      joinedOn: '2024-05-01T08:00:00Z',
    };
    this.accounts.set(account.accountId, account);
    return account;
  }

  #count(route: string, account: MockAccount | undefined): void {
    this.calls.set(route, (this.calls.get(route) ?? 0) + 1);
    if (account !== undefined) {
      const key = `${account.accountId}:${route}`;
      this.callsByAccount.set(key, (this.callsByAccount.get(key) ?? 0) + 1);
    }
  }

  async #handle(host: 'api' | 'content', request: Request): Promise<Response> {
    const base = host === 'api' ? this.apiUrl : this.contentUrl;
    const httpRoute = request.url.slice(base.length + '/2/'.length);
    const route = routes[httpRoute];
    if (route?.host !== host) {
      this.#count(httpRoute, undefined);
      return errorResponse(badRequest(httpRoute, 'Unknown API function'));
    }
    let account: MockAccount | undefined;
    try {
      account = this.#authorise(httpRoute, route, request);
      this.#count(httpRoute, account);
      this.#throttle.check(httpRoute, account);
      const arg = parseArg(
        httpRoute,
        route.style === 'rpc' ? await request.text() : request.headers.get('Dropbox-API-Arg'),
      );
      const body = route.style === 'upload' ? await bodyBytes(request) : undefined;
      const result = await route.handle({ route: httpRoute, arg, body, account, state: this });
      if (result.kind === 'json') {
        this.onResponse?.({ httpRoute, stone: route.stone, status: 200, body: result.value });
        return HttpResponse.json(result.value as Record<string, unknown>);
      }
      this.onResponse?.({ httpRoute, stone: route.stone, status: 200, body: result.result });
      return new HttpResponse(this.#stream(result.bytes), {
        status: 200,
        headers: { 'Dropbox-API-Result': headerJson(result.result), 'Content-Type': 'application/octet-stream' },
      });
    } catch (error) {
      if (!(error instanceof MockApiError)) throw error;
      if (account === undefined) this.#count(httpRoute, undefined);
      this.onResponse?.({
        httpRoute,
        stone: route.stone,
        status: error.status,
        body: error.body,
        errorType: error.errorType,
      });
      return errorResponse(error);
    }
  }

  /** Checks the token and `Dropbox-API-Select-User`; returns the account acted as (user routes). */
  #authorise(httpRoute: string, route: MockRoute, request: Request): MockAccount | undefined {
    const header = request.headers.get('Authorization') ?? '';
    const token = this.accessTokens.get(header.replace(/^Bearer /, ''));
    if (!header.startsWith('Bearer ') || token === undefined) throw authError('invalid_access_token');
    if (token.expired) throw authError('expired_access_token');
    const selectUser = request.headers.get('Dropbox-API-Select-User');
    if (route.auth === 'team') {
      if (!token.subject.team)
        throw badRequest(httpRoute, 'This API function operates on a team; the token is a user token.');
      if (selectUser !== null) throw badRequest(httpRoute, 'Dropbox-API-Select-User is not accepted by team routes.');
      return undefined;
    }
    let account: MockAccount | undefined;
    if (token.subject.team) {
      if (selectUser === null) {
        throw badRequest(
          httpRoute,
          'This API function operates on a single Dropbox account, but the OAuth 2 access token you provided is for an entire Dropbox Business team. Provide the "Dropbox-API-Select-User" HTTP header.',
        );
      }
      account = [...this.accounts.values()].find((candidate) => candidate.teamMemberId === selectUser);
      if (account === undefined || account.status === 'removed' || account.status === 'invited') {
        throw authError('invalid_select_user');
      }
    } else {
      if (selectUser !== null) throw badRequest(httpRoute, 'Dropbox-API-Select-User is for team tokens only.');
      account = this.accounts.get(token.subject.accountId);
      if (account === undefined) throw authError('invalid_access_token');
    }
    if (account.refused !== undefined) throw authError(account.refused);
    return account;
  }

  /** The bytes as a stream of 64 KiB chunks, counted as they are read. */
  #stream(bytes: Uint8Array): ReadableStream<Uint8Array> {
    let offset = 0;
    return new ReadableStream({
      pull: (controller) => {
        if (offset >= bytes.length) {
          controller.close();
          return;
        }
        const chunk = bytes.slice(offset, offset + 65_536);
        offset += chunk.length;
        this.bytesDownloaded += chunk.length;
        controller.enqueue(chunk);
      },
    });
  }
}
