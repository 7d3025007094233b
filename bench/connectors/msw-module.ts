/**
 * msw, loaded at run time from the storage adapters' dev dependencies (the bench belongs to no package
 * that has it), typed by the part the bench uses.
 */
export interface MswServer {
  listen(options?: Record<string, unknown>): void;
  use(...handlers: unknown[]): void;
  resetHandlers(): void;
  close(): void;
}

export interface MswModule {
  readonly http: {
    all(path: string, resolver: (info: { request: Request }) => Response | undefined): unknown;
  };
  readonly HttpResponse: { json(body: unknown, init?: ResponseInit): Response };
  setupServer(...handlers: unknown[]): MswServer;
}

const path = new URL('../../packages/storage-adapters/test/support/msw-for-bench.ts', import.meta.url).href;
export const msw = (await import(path)) as MswModule;
