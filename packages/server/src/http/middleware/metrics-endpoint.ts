/**
 * `GET /metrics` in Prometheus' text format. It is not part of the REST contract (openapi/README.md
 * "Operational endpoints"), so it is answered here, before the contract's router. With
 * `HOLDFAST_METRICS_PORT` set it is served only by that separate listener, and the main port answers 404.
 */
import type { ServerMetrics } from '../../metrics/metrics.ts';
import type { HoldfastMiddleware } from '../koa-state.ts';

export function metricsEndpoint(metrics: ServerMetrics): HoldfastMiddleware {
  return async (ctx, next) => {
    if (ctx.path !== '/metrics' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next();
      return;
    }
    ctx.state.route = '/metrics';
    const { contentType, body } = await metrics.render();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = contentType;
    ctx.body = body;
  };
}
