/**
 * Serves msw request handlers over real HTTP on 127.0.0.1, so a mock of Box or Dropbox built for the
 * in-process tests also answers a child process (the built `holdfast` CLI) and the benchmarks.
 *
 * Each request becomes a fetch `Request` with the same method, headers and streamed body, is resolved
 * by msw's own `getResponse` against the handlers, and its `Response` is streamed back. A request no
 * handler answers gets 501 with a message naming it, so a missing mock route fails loudly.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { getResponse, type RequestHandler } from 'msw';

export interface MswHttpServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Replaces the handlers (a mock whose URLs must name this server's port is made after it starts). */
  use(handlers: readonly RequestHandler[]): void;
  close(): Promise<void>;
}

/**
 * Mock hosts served under path prefixes of this server: `{ '/box-api': 'https://api.box.test' }` sends
 * `/box-api/2.0/users` to the handlers as `https://api.box.test/2.0/users`, and rewrites a `Location`
 * answer pointing into a mapped host back to this server, so redirects stay on it.
 */
export type MswOrigins = Readonly<Record<string, string>>;

export async function startMswHttpServer(
  initial: readonly RequestHandler[] = [],
  origins: MswOrigins = {},
): Promise<MswHttpServer> {
  let handlers = initial;
  let self = '';
  const server = createServer((incoming, outgoing) => {
    void answer(handlers, incoming, outgoing, origins, self);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  self = `http://127.0.0.1:${String(port)}`;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    use: (next) => {
      handlers = next;
    },
    close: async () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function answer(
  handlers: readonly RequestHandler[],
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  origins: MswOrigins,
  self: string,
): Promise<void> {
  try {
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
    }
    const method = incoming.method ?? 'GET';
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const path = incoming.url ?? '/';
    const mapped = Object.entries(origins).find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
    const url =
      mapped === undefined
        ? `http://${incoming.headers.host ?? '127.0.0.1'}${path}`
        : `${mapped[1]}${path.slice(mapped[0].length)}`;
    const request = new Request(url, {
      method,
      headers,
      ...(hasBody ? { body: Readable.toWeb(incoming) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
    });
    const response = await getResponse([...handlers], request);
    if (response === undefined) {
      outgoing.writeHead(501, { 'content-type': 'text/plain' });
      outgoing.end(`no mock handler for ${method} ${incoming.url ?? ''}`);
      return;
    }
    const out: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
    const location = out['location'];
    if (typeof location === 'string') {
      const back = Object.entries(origins).find(([, origin]) => location.startsWith(origin));
      if (back !== undefined) out['location'] = `${self}${back[0]}${location.slice(back[1].length)}`;
    }
    outgoing.writeHead(response.status, out);
    if (response.body === null) {
      outgoing.end();
      return;
    }
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (!outgoing.write(chunk)) await new Promise((resolve) => outgoing.once('drain', resolve));
    }
    outgoing.end();
  } catch (error) {
    if (!outgoing.headersSent) outgoing.writeHead(500, { 'content-type': 'text/plain' });
    outgoing.end(`mock server error: ${(error as Error).message}`);
  }
}
