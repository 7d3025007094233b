/**
 * Request ids: a caller's `X-Request-Id` is kept when it is a short token of safe characters (so it can
 * go into logs and the `instance` of problems as is); otherwise the server makes one. Either way the
 * answer carries it in `X-Request-Id`, and a logger bound to it is on `ctx.state.log`.
 */
import { ulid } from '../../db/ids.ts';
import type { Logger } from '../../logging/logger.ts';
import type { HoldfastMiddleware } from '../koa-state.ts';

const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(logger: Logger): HoldfastMiddleware {
  return async (ctx, next) => {
    const given = ctx.get('X-Request-Id');
    const id = acceptable.test(given) ? given : ulid();
    ctx.state.requestId = id;
    ctx.state.log = logger.child({ reqId: id });
    ctx.set('X-Request-Id', id);
    await next();
  };
}
