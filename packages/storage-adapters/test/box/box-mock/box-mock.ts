/**
 * A stateful MOCK of a Box enterprise (test code, not Box), served through msw to every `fetch` (and the
 * SDK's node-fetch) of a test file, on three hosts: `https://api.box.test` (API and `/oauth2/token`),
 * `https://upload.box.test/api` (uploads) and `https://dl.boxcloud.test` (download redirects). It is
 * shaped from Box's published OpenAPI description (box-openapi.json), and every JSON answer it gives is
 * validated against that description: violations are collected in {@link BoxMock.violations}, which each
 * Box test asserts is empty after every test (`expectNoViolations`).
 *
 * Besides the API it has what the tests need to control and observe: tokens (expire, revoke), As-User
 * enforcement (enterprise tokens only; unknown or inactive users refused), throttling (every n-th call of a
 * user, or n calls per time window, answered 429 or 503 with a lowercase `retry-after`), injected faults,
 * not-ready downloads and commits (202), event-stream quirks, and counters: calls by endpoint, bytes
 * downloaded and uploaded, token requests, aborted upload sessions.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { type MockAnswer, type MockCall, type MockSettings, failure } from './box-mock-answers.ts';
import { MockAuth, type MockToken } from './box-mock-auth.ts';
import { apiRoutes, type MockRoute } from './box-mock-routes.ts';
import { MockStore, type MockUser } from './box-mock-store.ts';
import { uploadRoutes } from './box-mock-uploads.ts';
import { BoxSpecValidator } from './box-spec-validator.ts';

export const MOCK_API = 'https://api.box.test';
export const MOCK_UPLOAD = 'https://upload.box.test/api';
export const MOCK_DOWNLOAD = 'https://dl.boxcloud.test';

/** One call the mock answered. */
export interface MockRequestRecord {
  readonly method: string;
  readonly key: string;
  readonly status: number;
  readonly asUser: string | null;
  readonly actor: string | undefined;
  /** The full URL, with its query. */
  readonly url?: string | undefined;
}

/** A one-off answer injected by a test. */
export interface MockFault {
  /** Which calls it hits: the route key (`GET /folders/{id}/items`) and anything else. */
  readonly match: (call: { key: string; method: string; actor: MockUser | undefined; url: URL }) => boolean;
  /** The answer; default a 500. */
  readonly answer?: MockAnswer | undefined;
  /** How many calls it hits. Default 1. */
  times?: number | undefined;
  /** Instead of answering, let the call through and run this first. */
  readonly before?: (() => void) | undefined;
}

/** Throttling settings; see the module note. */
export interface MockThrottle {
  /** Every n-th API call of each user is refused. */
  readonly every?: number | undefined;
  /** Or: at most `limit` calls per user per `windowMs`. */
  readonly limit?: number | undefined;
  readonly windowMs?: number | undefined;
  /** The status. Default 429. */
  readonly status?: 429 | 503 | undefined;
  /** The `retry-after` value sent (seconds). Default '0'. */
  readonly retryAfter?: string | undefined;
}

/** See the module note. */
export class BoxMock {
  readonly store = new MockStore();
  readonly auth = new MockAuth(this.store);
  readonly validator = new BoxSpecValidator();
  readonly violations: string[] = [];
  readonly requests: MockRequestRecord[] = [];
  readonly faults: MockFault[] = [];
  readonly settings: MockSettings = {
    partSize: 8 * 1024 * 1024,
    downloadsNotReady: 0,
    commitsNotReady: 0,
    eventQuirks: {},
    bytesDownloaded: 0,
    bytesUploaded: 0,
    abortedSessions: 0,
    downloads: new Map(),
    sessions: new Map(),
  };
  throttle: MockThrottle | undefined;
  /** Users As-User may not act as (the app was not authorised for them, say): answered 403. */
  readonly refusedAsUser = new Set<string>();
  throttled = 0;
  /** Every API call waits this long before it is answered (to see concurrency). */
  latencyMs = 0;
  /** The most API calls in flight at once, in all and per acting user, since {@link resetCounters}. */
  maxInFlight = 0;
  readonly maxInFlightPerUser = new Map<string, number>();
  readonly #inFlight = new Map<string, number>();
  #inFlightTotal = 0;
  readonly #perUser = new Map<string, { count: number; window: number[] }>();
  readonly #server = setupServer(...this.handlers());

  /** The msw handlers of the three hosts (for a server of your own: over HTTP, or behind a rate limit). */
  handlers(): ReturnType<typeof http.all>[] {
    return [
      http.all(`${MOCK_API}/*`, async ({ request }) => this.#handle(request)),
      http.all(`${MOCK_UPLOAD}/*`, async ({ request }) => this.#handle(request)),
      http.all(`${MOCK_DOWNLOAD}/*`, async ({ request }) => this.#handle(request)),
    ];
  }

  /** Starts answering (call in `beforeAll`). Unknown hosts fail the request. */
  listen(): void {
    this.#server.listen({ onUnhandledFrame: 'error' });
  }

  close(): void {
    this.#server.close();
  }

  /** Calls answered, by route key, since the last {@link resetCounters}. */
  get calls(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const record of this.requests) counts[record.key] = (counts[record.key] ?? 0) + 1;
    return counts;
  }

  /** Calls to one route key (or several). */
  count(...keys: string[]): number {
    return this.requests.filter((record) => keys.includes(record.key)).length;
  }

  resetCounters(): void {
    this.requests.length = 0;
    this.settings.bytesDownloaded = 0;
    this.settings.bytesUploaded = 0;
    this.throttled = 0;
    this.maxInFlight = 0;
    this.maxInFlightPerUser.clear();
  }

  /** Adds a user with an empty tree. */
  addUser(name: string, status: MockUser['status'] = 'active'): MockUser {
    return this.store.addUser({ name, status });
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    let answer: MockAnswer;
    let record: MockRequestRecord;
    let specPath: string | undefined;
    try {
      if (url.origin === MOCK_DOWNLOAD) {
        const stored = this.settings.downloads.get(url.pathname.split('/')[2] ?? '');
        answer =
          stored === undefined
            ? { status: 404 }
            : { status: 200, bytes: stored.bytes, headers: { 'content-type': 'application/octet-stream' } };
        if (stored !== undefined) this.settings.bytesDownloaded += stored.bytes.length;
        record = { method: request.method, key: 'GET download', status: answer.status, asUser: null, actor: undefined };
      } else if (url.origin === MOCK_API && url.pathname === '/oauth2/token') {
        const form = new URLSearchParams(await request.text());
        const token = this.auth.tokenRequest(form);
        answer = { status: token.status, json: token.body };
        specPath = '/oauth2/token';
        record = { method: 'POST', key: 'POST /oauth2/token', status: answer.status, asUser: null, actor: undefined };
      } else {
        const upload = url.origin === 'https://upload.box.test';
        const prefix = upload ? '/api/2.0' : '/2.0';
        specPath = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
        ({ answer, record } = await this.#api(request, url, specPath, upload ? uploadRoutes : apiRoutes));
      }
    } catch (error) {
      answer = failure(500, 'internal_server_error', `mock failure: ${(error as Error).message}`);
      record = { method: request.method, key: 'error', status: 500, asUser: null, actor: undefined };
      this.violations.push(
        `the mock threw on ${request.method} ${url.pathname}: ${(error as Error).stack ?? String(error)}`,
      );
    }
    this.requests.push(record);
    return this.#respond(request.method, specPath, answer);
  }

  async #api(
    request: Request,
    url: URL,
    path: string,
    routes: readonly MockRoute[],
  ): Promise<{ answer: MockAnswer; record: MockRequestRecord }> {
    const asUser = request.headers.get('as-user');
    const route = routes.find((candidate) => candidate.method === request.method && candidate.pattern.test(path));
    const key = route?.key ?? `${request.method} ${path}`;
    const recordOf = (answer: MockAnswer, actor?: MockUser): { answer: MockAnswer; record: MockRequestRecord } => ({
      answer,
      record: { method: request.method, key, status: answer.status, asUser, actor: actor?.id, url: url.toString() },
    });
    const token = this.auth.authenticate(request.headers.get('authorization'));
    if (token === undefined) {
      // Box sends WWW-Authenticate; the body is the description's ClientError (the adapter handles an empty one too).
      return recordOf({
        ...failure(401, 'unauthorized', 'Unauthorized'),
        headers: {
          'www-authenticate':
            'Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."',
        },
      });
    }
    const actor = this.#actor(token, asUser);
    if (actor === undefined)
      return recordOf(
        failure(403, 'access_denied_insufficient_permissions', 'Access denied - insufficient permission'),
      );
    const throttled = this.#throttle(actor);
    if (throttled !== undefined) return recordOf(throttled, actor);
    const fault = this.faults.find((candidate) => candidate.match({ key, method: request.method, actor, url }));
    if (fault !== undefined) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      if (fault.before === undefined)
        return recordOf(fault.answer ?? failure(500, 'internal_server_error', 'Internal Server Error'), actor);
      fault.before();
    }
    if (route === undefined)
      return recordOf(failure(404, 'not_found', `the mock has no ${request.method} ${path}`), actor);
    if (this.latencyMs > 0) await this.#hold(actor.id);
    const fields = url.searchParams.get('fields');
    const call: MockCall = {
      request,
      url,
      params: route.pattern.exec(path)?.slice(1) ?? [],
      actor,
      token,
      store: this.store,
      settings: this.settings,
      fields: fields === null ? undefined : fields.split(',').filter((field) => field !== ''),
      uploadBase: MOCK_UPLOAD,
      downloadBase: MOCK_DOWNLOAD,
    };
    return recordOf(await route.handle(call), actor);
  }

  /** Waits `latencyMs`, counting the calls in flight meanwhile. */
  async #hold(user: string): Promise<void> {
    const mine = (this.#inFlight.get(user) ?? 0) + 1;
    this.#inFlight.set(user, mine);
    this.#inFlightTotal += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlightTotal);
    this.maxInFlightPerUser.set(user, Math.max(this.maxInFlightPerUser.get(user) ?? 0, mine));
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    this.#inFlight.set(user, (this.#inFlight.get(user) ?? 1) - 1);
    this.#inFlightTotal -= 1;
  }

  /** The user a call acts as, or undefined when As-User is refused. */
  #actor(token: MockToken, asUser: string | null): MockUser | undefined {
    if (token.subject.kind === 'user') return asUser === null ? this.store.users.get(token.subject.userId) : undefined;
    if (asUser === null) return this.store.serviceAccount;
    const user = this.store.users.get(asUser);
    if (
      user === undefined ||
      user.serviceAccount === true ||
      user.status === 'inactive' ||
      this.refusedAsUser.has(asUser)
    )
      return undefined;
    return user;
  }

  #throttle(actor: MockUser): MockAnswer | undefined {
    const throttle = this.throttle;
    if (throttle === undefined) return undefined;
    const state = this.#perUser.get(actor.id) ?? { count: 0, window: [] };
    this.#perUser.set(actor.id, state);
    state.count += 1;
    let refuse = throttle.every !== undefined && state.count % throttle.every === 0;
    if (throttle.limit !== undefined) {
      const now = Date.now();
      state.window = state.window.filter((at) => at > now - (throttle.windowMs ?? 1000));
      if (state.window.length >= throttle.limit) refuse = true;
      else state.window.push(now);
    }
    if (!refuse) return undefined;
    this.throttled += 1;
    const status = throttle.status ?? 429;
    const answer =
      status === 429
        ? failure(429, 'too_many_requests', 'Request rate limit exceeded, please try again later')
        : failure(503, 'unavailable', 'Unavailable');
    return { ...answer, headers: { 'retry-after': throttle.retryAfter ?? '0' } };
  }

  #respond(method: string, specPath: string | undefined, answer: MockAnswer): Response {
    const headers = new Headers(answer.headers);
    let body: string | Uint8Array | undefined;
    if (answer.rawJson !== undefined || answer.json !== undefined) {
      body = answer.rawJson ?? JSON.stringify(answer.json);
      headers.set('content-type', 'application/json');
    } else {
      body = answer.bytes;
    }
    if (specPath !== undefined) {
      const text = typeof body === 'string' ? body : '';
      for (const problem of this.validator.check(method, specPath, answer.status, headers.get('content-type'), text)) {
        this.violations.push(problem);
      }
    }
    return new HttpResponse(body as ConstructorParameters<typeof HttpResponse>[0], { status: answer.status, headers });
  }
}
