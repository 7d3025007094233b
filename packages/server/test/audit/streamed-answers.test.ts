/**
 * How the router sends a streamed (`text/csv`) answer, with handlers standing in for the exports: the
 * client gets the headers and the first chunk while the handler has not produced the next one (nothing
 * is buffered whole); a failure midway cuts the connection, so the client sees an aborted download, not a
 * short file that looks complete; a client that goes away stops the producer; and a handler answering
 * something that is not a stream for a CSV operation is an off-contract 500.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import type { HandlerRegistry } from '../../src/http/handlers/handler-types.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { principal } from '../support/principals.ts';
import { testResolver } from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const decoder = new TextDecoder();

/** The body's chunks as they arrive. */
function chunksOf(response: Response): AsyncIterator<Uint8Array> {
  if (response.body === null) throw new Error('no body');
  return (response.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
}

describeOnBothDatabases('streamed answers', (target) => {
  let running: RunningServer;
  const registered = new Map<string, Principal>([['admin', principal('user', { role: 'administrator' })]]);
  let gate = deferred();
  let stopped = deferred();
  let mode: 'gated' | 'failing' | 'not-a-stream' = 'gated';
  const attachment = { 'Content-Disposition': 'attachment; filename="test.csv"' };

  const handlers: HandlerRegistry = {
    exportAuditEvents: async () => {
      if (mode === 'not-a-stream') {
        return { status: 200, headers: attachment, body: 'id\r\n' as never };
      }
      if (mode === 'failing') {
        return {
          status: 200,
          headers: attachment,
          body: (async function* failing() {
            yield 'id\r\n1\r\n';
            await Promise.resolve();
            throw new Error('the database went away');
          })(),
        };
      }
      return {
        status: 200,
        headers: attachment,
        body: (async function* gated() {
          try {
            yield 'id\r\n';
            await gate.promise;
            yield '1\r\n';
            await gate.promise;
            yield '2\r\n';
          } finally {
            stopped.resolve();
          }
        })(),
      };
    },
  };

  beforeAll(async () => {
    running = await startServer(target().config, {
      handlers,
      mailer: new CapturedMail(),
      resolvePrincipal: testResolver(registered, () => undefined),
    });
  });
  afterAll(async () => {
    await running.close();
  });

  const get = (signal?: AbortSignal) =>
    fetch(`${running.url}/v1/audit-events/export`, {
      headers: { 'X-Test-Principal': 'admin' },
      ...(signal === undefined ? {} : { signal }),
    });

  it('sends the headers and the first chunk before the next one exists', async () => {
    mode = 'gated';
    gate = deferred();
    stopped = deferred();
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="test.csv"');
    const chunks = chunksOf(response);
    const first = await chunks.next();
    expect(first.done === true ? null : decoder.decode(first.value)).toBe('id\r\n');
    gate.resolve();
    let rest = '';
    for (;;) {
      const next = await chunks.next();
      if (next.done === true) break;
      rest += decoder.decode(next.value);
    }
    expect(rest).toBe('1\r\n2\r\n');
    await stopped.promise;
  });

  it('stops the producer when the client goes away', async () => {
    mode = 'gated';
    gate = deferred();
    stopped = deferred();
    const controller = new AbortController();
    const response = await get(controller.signal);
    await chunksOf(response).next();
    controller.abort();
    gate.resolve();
    // The producer's `finally` runs: resolved, not timed out (the test's own timeout is the bound).
    await stopped.promise;
  });

  it('cuts the connection when the stream fails midway', async () => {
    mode = 'failing';
    const response = await get();
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    expect(running.logs.text()).toContain('a streamed answer failed midway');
    expect(running.logs.text()).not.toContain('"id\\r\\n1');
  });

  it('answers an off-contract 500 when a CSV operation answers no stream', async () => {
    mode = 'not-a-stream';
    const response = await get();
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(((await response.json()) as { code: string }).code).toBe('INTERNAL');
  });
});
