/**
 * `createServer(config)`: the Koa application of the reference server, its database, and its listeners.
 *
 * Middleware, outermost first: request id → trusted-proxy headers → request log and metrics → security
 * headers → the one error middleware (everything below throws; it answers problem+json) → `/metrics`
 * (unless on its own port) → the server's own pages (`pages/`: landing, sign-up, sign-in, the emailed
 * links) → the rate limit of public operations (429, per process) → body reader (size limit, 413) → the
 * contract's router (routing, principal and permission, media type, validation, handler or 501, answer
 * check). The handlers that check secrets are wrapped in the brute-force defence (`auth/brute-force/`).
 *
 * `close()` is graceful: readiness fails at once, the listeners stop accepting, idle connections close,
 * requests in flight finish (their connections close after their answer), and after
 * `shutdownTimeoutMs` whatever is left is cut; email still being sent gets up to `shutdownTimeoutMs` more
 * (the public flows send in the background); then the database closes.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { DestinationStream } from 'pino';
import { withBruteForceDefence } from '../auth/brute-force/brute-force-wrapper.ts';
import type { PrincipalResolver } from '../auth/principal.ts';
import { serverPrincipalResolver } from '../auth/resolve-principal.ts';
import { ensureMasterKey } from '../config/master-key.ts';
import type { ServerConfig } from '../config/server-config.ts';
import { createDatabase } from '../db/create-database.ts';
import { createMailer } from '../email/create-mailer.ts';
import type { Mailer } from '../email/mailer.ts';
import { trackedMailer } from '../email/tracked-mailer.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { createMetrics, type ServerMetrics } from '../metrics/metrics.ts';
import { defaultHandlers } from './handlers/default-handlers.ts';
import type { HandlerFactory, HandlerRegistry } from './handlers/handler-types.ts';
import type { HoldfastState } from './koa-state.ts';
import { bodyReader } from './middleware/body-reader.ts';
import { errorMiddleware } from './middleware/error-middleware.ts';
import { metricsEndpoint } from './middleware/metrics-endpoint.ts';
import { publicRateLimit } from './middleware/public-rate-limit.ts';
import { requestId } from './middleware/request-id.ts';
import { requestLog } from './middleware/request-log.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { trustedProxies } from './middleware/trusted-proxies.ts';
import { loadApi } from './openapi/api-document.ts';
import { createContractCheck } from './openapi/contract-check.ts';
import { operationRouter } from './openapi/operation-router.ts';
import { RouteTable } from './openapi/route-table.ts';
import { pagesMiddleware } from './pages/pages-middleware.ts';
import type { ServerServices } from './server-services.ts';

export interface CreateServerOptions {
  /** Handlers to add to (or replace among) the server's own, e.g. a module under test. */
  readonly handlers?: HandlerRegistry | HandlerFactory;
  /** How requests are authenticated (the accounts module provides it; default: nobody is). */
  readonly resolvePrincipal?: PrincipalResolver;
  /** The logger (default: a new one at the configured level, on stdout or `logDestination`). */
  readonly logger?: Logger;
  /** Where the default logger writes (tests capture it). */
  readonly logDestination?: DestinationStream;
  /** The clock (default: the system's). */
  readonly clock?: () => Date;
  /** The mailer (default: SMTP when `smtpUrl` is set, else the outbox folder). */
  readonly mailer?: Mailer;
}

export interface ListeningAddresses {
  /** The main listener, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The metrics listener when it has its own port, else null (`/metrics` is on `url`). */
  readonly metricsUrl: string | null;
}

export interface HoldfastServer {
  readonly app: Koa<HoldfastState>;
  readonly services: ServerServices;
  readonly metrics: ServerMetrics;
  /** Starts listening on the configured host and port(s). */
  listen(): Promise<ListeningAddresses>;
  /** Shuts down gracefully (see the module note); safe to call more than once. */
  close(): Promise<void>;
}

function urlOf(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

async function startListening(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Builds the server (loads and checks the contract, opens the database lazily, finds or creates the
 * master key). It does not migrate the database: `holdfast-server serve` does, before `listen()`.
 *
 * @example
 * ```ts
 * const server = await createServer(loadConfig({ env: process.env, cwd: process.cwd() }));
 * const { url } = await server.listen();
 * process.once('SIGTERM', () => void server.close());
 * ```
 */
export async function createServer(config: ServerConfig, options: CreateServerOptions = {}): Promise<HoldfastServer> {
  const logger = options.logger ?? createLogger(config.logLevel, options.logDestination);
  const loaded = await loadApi();
  const contractCheck = config.validateResponses ? createContractCheck(loaded) : undefined;
  const metrics = createMetrics();
  const database = createDatabase(config);
  let shuttingDown = false;
  // Shutdown waits for the messages still being sent (the public flows send in the background).
  const mailer = trackedMailer(options.mailer ?? createMailer(config, logger));
  const services: ServerServices = {
    config,
    database,
    logger,
    masterKey: ensureMasterKey(config).key,
    clock: options.clock ?? (() => new Date()),
    mailer,
    isShuttingDown: () => shuttingDown,
  };
  const extra = typeof options.handlers === 'function' ? options.handlers(services) : (options.handlers ?? {});
  // Brute-force defence wraps the handlers that check secrets (`auth/brute-force/`).
  const handlers: HandlerRegistry = withBruteForceDefence({ ...defaultHandlers(services), ...extra }, services);

  const app = new Koa<HoldfastState>({ proxy: config.trustedProxies.length > 0 });
  app.on('error', (error: unknown) => {
    logger.error({ err: error }, 'error outside a request');
  });
  app.use(requestId(logger));
  app.use(trustedProxies(config.trustedProxies));
  app.use(requestLog(metrics));
  app.use(securityHeaders());
  app.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      // During a shutdown, answers end their connection (the error middleware below has answered by now).
      if (shuttingDown) ctx.set('Connection', 'close');
    }
  });
  app.use(errorMiddleware(contractCheck === undefined ? {} : { checkProblem: contractCheck.checkProblem }));
  if (config.metricsPort === null) app.use(metricsEndpoint(metrics));
  app.use(pagesMiddleware());
  // One route table: the rate limit and the router share its match of each request.
  const routes = new RouteTable(loaded.operations);
  if (config.publicRateLimit !== null) {
    app.use(
      publicRateLimit({ operations: loaded.operations, routes, limit: config.publicRateLimit, clock: services.clock }),
    );
  }
  app.use(bodyReader(config.bodyLimit));
  app.use(
    operationRouter({
      loaded,
      routes,
      handlers,
      resolvePrincipal: options.resolvePrincipal ?? serverPrincipalResolver(services),
      ...(contractCheck === undefined ? {} : { contractCheck }),
    }),
  );

  const listeners: Server[] = [];
  let closing: Promise<void> | undefined;

  async function shutdown(): Promise<void> {
    shuttingDown = true;
    const timer = setTimeout(() => {
      for (const server of listeners) server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    await Promise.all(
      listeners.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => {
              resolve();
            });
            server.closeIdleConnections();
          }),
      ),
    );
    clearTimeout(timer);
    if (!(await mailer.settled(config.shutdownTimeoutMs))) {
      logger.warn({ unsent: mailer.inFlight }, 'stopping with email still being sent; it may not arrive');
    }
    await database.close();
  }

  return {
    app,
    services,
    metrics,
    async listen() {
      const handle = app.callback();
      const main = createHttpServer((request, response) => {
        void handle(request, response);
      });
      // During a shutdown, close each connection as soon as it falls idle.
      main.on('request', (_request, response) => {
        response.once('close', () => {
          if (!shuttingDown) return;
          setImmediate(() => {
            main.closeIdleConnections();
          });
        });
      });
      await startListening(main, config.port, config.host);
      listeners.push(main);
      if (config.metricsPort === null) return { url: urlOf(main), metricsUrl: null };
      const ops = new Koa<HoldfastState>();
      ops.use(requestId(logger));
      ops.use(metricsEndpoint(metrics));
      const handleOps = ops.callback();
      const metricsServer = createHttpServer((request, response) => {
        void handleOps(request, response);
      });
      await startListening(metricsServer, config.metricsPort, config.host);
      listeners.push(metricsServer);
      return { url: urlOf(main), metricsUrl: urlOf(metricsServer) };
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
