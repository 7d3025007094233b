/**
 * One log line and one metrics observation per request, when its answer is finished (or the client went
 * away). The line has the method, the URL with secrets redacted, the headers (credentials redacted by the
 * logger), the status, the time taken, the operation and the caller's account; never the body.
 */
import { redactUrl } from '../../logging/logger.ts';
import type { ServerMetrics } from '../../metrics/metrics.ts';
import type { HoldfastMiddleware } from '../koa-state.ts';

export function requestLog(metrics: ServerMetrics): HoldfastMiddleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = ctx.res.writableFinished ? ctx.status : 499;
      metrics.observeRequest(ctx.method, ctx.state.route ?? 'unmatched', status, seconds);
      const principal = ctx.state.principal ?? null;
      const level = status >= 500 && status !== 501 ? 'error' : 'info';
      ctx.state.log[level](
        {
          req: {
            method: ctx.method,
            url: redactUrl(ctx.originalUrl),
            headers: ctx.req.headers,
            remoteAddress: ctx.state.clientIp,
          },
          res: { statusCode: status },
          responseTime: Math.round(seconds * 1000 * 10) / 10,
          operationId: ctx.state.operationId,
          accountId: principal?.accountId,
          userId: principal?.userId ?? undefined,
          apiKeyId: principal?.apiKeyId ?? undefined,
        },
        status === 499 ? 'request aborted by the client' : 'request completed',
      );
    };
    ctx.res.once('finish', finish);
    ctx.res.once('close', finish);
    await next();
  };
}
