/**
 * A fake Holdfast server behind a `fetch` function, for unit tests of the client's fetch wrapper: an
 * OAuth token endpoint that issues, rotates and refuses tokens like the contract says, and API routes that
 * tests define. Every request is recorded (with its body read) so tests can count token requests and
 * inspect what was sent. The real server's tests (`packages/server/test/sdk/`) cover the same behaviour
 * end to end.
 */

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly search: string;
  readonly headers: Headers;
  readonly body: string;
}

export type Route = (request: RecordedRequest, token: string | null) => Response | Promise<Response>;

export function problem(
  status: number,
  code: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return new Response(
    JSON.stringify({ type: `urn:holdfast:error:${code}`, title: code.toLowerCase(), status, code, ...extra }),
    { status, headers: { 'Content-Type': 'application/problem+json', 'X-Request-Id': 'req-1', ...headers } },
  );
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

export interface FakeServerOptions {
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** `expires_in` of issued access tokens (default 900). */
  readonly expiresIn?: number;
}

/** The fake server. `fetch` goes in the client's options. */
export class FakeServer {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly requests: RecordedRequest[] = [];
  readonly routes = new Map<string, Route>();
  /** Access tokens the server accepts. */
  readonly validAccessTokens = new Set<string>();
  /** Refresh tokens not used yet. */
  readonly unusedRefreshTokens = new Set<string>();
  /** Answer the next token requests with this instead (then back to normal). */
  readonly tokenEndpointOverrides: Response[] = [];
  expiresIn: number;
  #issued = 0;

  constructor(options: FakeServerOptions = {}) {
    this.clientId = options.clientId ?? 'key_01jssz5awsh8vhtpre95b9ee0z';
    this.clientSecret = options.clientSecret ?? 'hfs_secret';
    this.expiresIn = options.expiresIn ?? 900;
  }

  /** Token requests so far, by grant type. */
  tokenRequests(grant?: 'client_credentials' | 'refresh_token'): RecordedRequest[] {
    return this.requests.filter(
      (request) =>
        request.path === '/v1/oauth/token' &&
        (grant === undefined || new URLSearchParams(request.body).get('grant_type') === grant),
    );
  }

  /** Requests to `path` (any method) so far. */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Makes every access token issued so far expired (the server answers `401 TOKEN_EXPIRED`). */
  expireAccessTokens(): void {
    this.validAccessTokens.clear();
  }

  route(method: string, path: string, route: Route): void {
    this.routes.set(`${method} ${path}`, route);
  }

  readonly fetch = async (input: Request): Promise<Response> => {
    const url = new URL(input.url);
    const recorded: RecordedRequest = {
      method: input.method,
      path: url.pathname,
      search: url.search,
      headers: new Headers(input.headers),
      body: input.body === null ? '' : await input.text(),
    };
    this.requests.push(recorded);
    if (recorded.path === '/v1/oauth/token') return this.#token(recorded);
    if (recorded.path === '/v1/oauth/revoke') return new Response(null, { status: 200 });
    const route = this.routes.get(`${recorded.method} ${recorded.path}`);
    if (route === undefined) return problem(404, 'NOT_FOUND');
    const authorization = recorded.headers.get('authorization');
    const token = authorization?.startsWith('Bearer ') === true ? authorization.slice('Bearer '.length) : null;
    return route(recorded, token);
  };

  /** A route guard: `401 TOKEN_EXPIRED` unless the request carries a valid access token. */
  authenticated(route: Route): Route {
    return (request, token) => {
      if (token === null) return problem(401, 'UNAUTHENTICATED');
      if (!this.validAccessTokens.has(token)) return problem(401, 'TOKEN_EXPIRED');
      return route(request, token);
    };
  }

  #issue(): Response {
    this.#issued += 1;
    const accessToken = `hfat_${String(this.#issued).padStart(43, 'a')}`;
    const refreshToken = `hfrt_${String(this.#issued).padStart(43, 'r')}`;
    this.validAccessTokens.add(accessToken);
    this.unusedRefreshTokens.add(refreshToken);
    return json(
      { access_token: accessToken, token_type: 'Bearer', expires_in: this.expiresIn, refresh_token: refreshToken },
      200,
      { 'Cache-Control': 'no-store' },
    );
  }

  #token(request: RecordedRequest): Response {
    const override = this.tokenEndpointOverrides.shift();
    if (override !== undefined) return override;
    const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
    if (request.headers.get('authorization') !== expected) {
      return json({ error: 'invalid_client', error_description: 'Unknown client or wrong secret.' }, 401);
    }
    if (request.headers.get('content-type') !== 'application/x-www-form-urlencoded') {
      return json({ error: 'invalid_request' }, 400);
    }
    const form = new URLSearchParams(request.body);
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') return this.#issue();
    if (grant === 'refresh_token') {
      const refreshToken = form.get('refresh_token') ?? '';
      if (!this.unusedRefreshTokens.delete(refreshToken)) {
        return json(
          { error: 'invalid_grant', error_description: 'The refresh token is expired, revoked or already used.' },
          400,
        );
      }
      return this.#issue();
    }
    return json({ error: 'unsupported_grant_type' }, 400);
  }
}
