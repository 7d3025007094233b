/**
 * The Dropbox mock of the storage adapters' tests (stateful, shaped from Dropbox's Stone specs), run
 * in-process with msw for the connector bench, and the Dropbox connector reading it.
 */
import type { Source } from '../../packages/engine/dist/index.js';
import { msw } from './msw-module.ts';
import { rateLimit, type RateLimit } from './rate-limit.ts';
import type { ServiceUnderBench } from './scenario.ts';
import { contentOf, pathOf } from './tree-shape.ts';

/** The parts of the Dropbox mock the bench drives. */
interface MockAccount {
  readonly teamMemberId?: string | undefined;
  readonly namespace: { writeFile(path: string, content: Uint8Array, write: { mode: 'add' | 'overwrite' }): unknown };
}
interface DropboxMock {
  readonly apiUrl: string;
  readonly contentUrl: string;
  readonly app: { readonly appKey: string; readonly appSecret: string };
  readonly calls: ReadonlyMap<string, number>;
  readonly bytesDownloaded: number;
  handlers(): unknown[];
  addMember(profile: { email: string; givenName?: string; surname?: string }): MockAccount;
  issueTokens(): { refreshToken: string; accessToken: string };
  resetCounters(): void;
}
type DropboxSourceClass = new (options: Record<string, unknown>) => Source;

const adapters = new URL('../../packages/storage-adapters/', import.meta.url);
const { DropboxMock } = (await import(new URL('test/dropbox/dropbox-mock/index.ts', adapters).href)) as {
  DropboxMock: new (options: Record<string, unknown>) => DropboxMock;
};
const { startMswHttpServer } = (await import(new URL('test/support/msw-http-server.ts', adapters).href)) as {
  startMswHttpServer: () => Promise<{ url: string; use(handlers: unknown[]): void; close(): Promise<void> }>;
};
const { DropboxSource } = (await import(new URL('src/dropbox/index.ts', adapters).href)) as {
  DropboxSource: DropboxSourceClass;
};

export async function dropboxService(): Promise<ServiceUnderBench> {
  // Served over real HTTP on 127.0.0.1 (msw's in-process interception of https:// URLs builds a TLS
  // context per request, which would dominate the measurement).
  const server = await startMswHttpServer();
  const mock = new DropboxMock({ apiUrl: `${server.url}/api`, contentUrl: `${server.url}/content` });
  server.use(mock.handlers());
  const member = mock.addMember({ email: 'ana@example.com', givenName: 'Ana', surname: 'Bench' });
  const { refreshToken, accessToken } = mock.issueTokens();
  const source = new DropboxSource({
    credentials: { appKey: mock.app.appKey, appSecret: mock.app.appSecret, refreshToken, accessToken },
    baseUrls: { api: mock.apiUrl, content: mock.contentUrl },
  });
  let count = 0;
  return {
    name: 'Dropbox',
    source,
    entityId: member.teamMemberId ?? '',
    seed(files, size) {
      count = files;
      for (let i = 0; i < files; i++)
        member.namespace.writeFile(`/${pathOf(i)}`, contentOf(i, size, 0), { mode: 'add' });
    },
    edit(edits, round) {
      const step = Math.max(1, Math.floor(count / edits));
      for (let j = 0; j < edits; j++) {
        const i = (j * step + round) % count;
        member.namespace.writeFile(`/${pathOf(i)}`, contentOf(i, 2048, round), { mode: 'overwrite' });
      }
    },
    calls: () => Object.fromEntries([...mock.calls.entries()].sort(([a], [b]) => a.localeCompare(b))),
    bytesDownloaded: () => mock.bytesDownloaded,
    reset: () => {
      mock.resetCounters();
    },
    limit(limit: RateLimit | undefined) {
      server.use(limit === undefined ? mock.handlers() : [limit.handler, ...mock.handlers()]);
    },
    rateLimit: (perMinute) =>
      rateLimit({
        perMinute,
        userOf: (request) => request.headers.get('Dropbox-API-Select-User') ?? 'team',
        isExempt: (request) => new URL(request.url).pathname.endsWith('/oauth2/token'),
        // auth.RateLimitError: 429 with Retry-After and `retry_after` in the body.
        refusal: (seconds) =>
          msw.HttpResponse.json(
            {
              error_summary: 'too_many_requests/..',
              error: { reason: { '.tag': 'too_many_requests' }, retry_after: seconds },
            },
            { status: 429, headers: { 'Retry-After': String(seconds) } },
          ),
      }),
    close: async () => server.close(),
  };
}
