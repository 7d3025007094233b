/**
 * The Box mock of the storage adapters' tests (stateful, every answer shaped from box-openapi.json), run
 * in-process with msw for the connector bench, and the Box connector reading it as the enterprise's
 * service account (Client Credentials Grant, As-User per user).
 */
import type { Source } from '../../packages/engine/dist/index.js';
import { msw } from './msw-module.ts';
import { rateLimit, type RateLimit } from './rate-limit.ts';
import type { ServiceUnderBench } from './scenario.ts';
import { contentOf, pathOf } from './tree-shape.ts';

/** The parts of the Box mock the bench drives. */
interface MockItem {
  readonly id: string;
  readonly type: string;
}
interface BoxMock {
  readonly store: {
    readonly enterpriseId: string;
    rootKey(userId: string): string;
    createFolder(actorId: string, parentKey: string, name: string): MockItem;
    createFile(actorId: string, parentKey: string, name: string, bytes: Uint8Array): MockItem;
    newVersion(actorId: string, key: string, bytes: Uint8Array): MockItem;
  };
  readonly auth: { readonly app: { readonly clientId: string; readonly clientSecret: string } };
  readonly settings: { bytesDownloaded: number };
  readonly calls: Record<string, number>;
  handlers(): unknown[];
  addUser(name: string): { readonly id: string };
  resetCounters(): void;
}

const adapters = new URL('../../packages/storage-adapters/', import.meta.url);
const mockModule = (await import(new URL('test/box/box-mock/box-mock.ts', adapters).href)) as {
  BoxMock: new () => BoxMock;
  MOCK_API: string;
  MOCK_UPLOAD: string;
  MOCK_DOWNLOAD: string;
};
const { startMswHttpServer } = (await import(new URL('test/support/msw-http-server.ts', adapters).href)) as {
  startMswHttpServer: (
    handlers: unknown[],
    origins: Record<string, string>,
  ) => Promise<{ url: string; use(handlers: unknown[]): void; close(): Promise<void> }>;
};
const { BoxConnection, BoxSource } = (await import(new URL('src/box/index.ts', adapters).href)) as {
  BoxConnection: new (options: Record<string, unknown>) => object;
  BoxSource: new (options: Record<string, unknown>) => Source;
};

export async function boxService(): Promise<ServiceUnderBench> {
  const mock = new mockModule.BoxMock();
  // Served over real HTTP on 127.0.0.1 (msw's in-process interception of https:// URLs builds a TLS
  // context per request, which would dominate the measurement).
  const server = await startMswHttpServer(mock.handlers(), {
    '/api': mockModule.MOCK_API,
    '/upload': mockModule.MOCK_UPLOAD,
    '/dl': mockModule.MOCK_DOWNLOAD,
  });
  const user = mock.addUser('Ana Bench');
  const connection = new BoxConnection({
    auth: {
      type: 'client-credentials',
      clientId: mock.auth.app.clientId,
      clientSecret: mock.auth.app.clientSecret,
      enterpriseId: mock.store.enterpriseId,
    },
    baseUrls: { baseUrl: `${server.url}/api`, uploadUrl: `${server.url}/upload` },
  });
  const source = new BoxSource({ connection });
  const files = new Map<number, string>();
  return {
    name: 'Box',
    source,
    entityId: user.id,
    seed(count, size) {
      const folders = new Map<string, string>();
      const folderKey = (path: string): string => {
        const known = folders.get(path);
        if (known !== undefined) return known;
        const slash = path.lastIndexOf('/');
        const parent = slash === -1 ? mock.store.rootKey(user.id) : folderKey(path.slice(0, slash));
        const folder = mock.store.createFolder(user.id, parent, path.slice(slash + 1));
        const key = `folder:${folder.id}`;
        folders.set(path, key);
        return key;
      };
      for (let i = 0; i < count; i++) {
        const path = pathOf(i);
        const slash = path.lastIndexOf('/');
        const file = mock.store.createFile(
          user.id,
          folderKey(path.slice(0, slash)),
          path.slice(slash + 1),
          contentOf(i, size, 0),
        );
        files.set(i, `file:${file.id}`);
      }
    },
    edit(edits, round) {
      const step = Math.max(1, Math.floor(files.size / edits));
      for (let j = 0; j < edits; j++) {
        const i = (j * step + round) % files.size;
        const key = files.get(i);
        if (key !== undefined) mock.store.newVersion(user.id, key, contentOf(i, 2048, round));
      }
    },
    calls: () => Object.fromEntries(Object.entries(mock.calls).sort(([a], [b]) => a.localeCompare(b))),
    bytesDownloaded: () => mock.settings.bytesDownloaded,
    reset: () => {
      mock.resetCounters();
    },
    limit(limit: RateLimit | undefined) {
      server.use(limit === undefined ? mock.handlers() : [limit.handler, ...mock.handlers()]);
    },
    rateLimit: (perMinute) =>
      rateLimit({
        perMinute,
        userOf: (request) => request.headers.get('as-user') ?? 'service account',
        // The token endpoint and the download host (Box's content servers) are outside the API's limit.
        isExempt: (request) => {
          const url = new URL(request.url);
          return url.pathname.endsWith('/oauth2/token') || url.origin === mockModule.MOCK_DOWNLOAD;
        },
        // Box's ClientError for 429, with the lowercase `retry-after` Box sends.
        refusal: (seconds) =>
          msw.HttpResponse.json(
            {
              type: 'error',
              status: 429,
              code: 'rate_limit_exceeded',
              message: 'Request rate limit exceeded, please try again later',
              request_id: 'bench-rate-limit',
            },
            { status: 429, headers: { 'retry-after': String(seconds) } },
          ),
      }),
    close: async () => server.close(),
  };
}
