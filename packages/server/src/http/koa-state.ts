/**
 * What the middleware chain records on `ctx.state` for the steps after it (and the logs).
 */
import type { Middleware, ParameterizedContext } from 'koa';
import type { Principal } from '../auth/principal.ts';
import type { Logger } from '../logging/logger.ts';

export interface HoldfastState {
  /** The request's id (echoed or generated), in `X-Request-Id` and every log line. */
  requestId: string;
  /** A logger bound to the request id. */
  log: Logger;
  /** The client's address, through trusted proxies only. */
  clientIp: string;
  /** The matched operation's path template (`/v1/users/{userId}`), once routed. */
  route?: string;
  /** The matched operation. */
  operationId?: string;
  /** The caller, once resolved (null: anonymous). */
  principal?: Principal | null;
  /** The request body as received, within the size limit. */
  rawBody?: Buffer;
}

export type HoldfastContext = ParameterizedContext<HoldfastState>;
export type HoldfastMiddleware = Middleware<HoldfastState>;
