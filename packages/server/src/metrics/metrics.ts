/**
 * Prometheus metrics (prom-client): the process's default metrics and one histogram of HTTP request
 * durations by method, route and status. `route` is the contract's path template
 * (`/v1/users/{userId}`), or `unmatched` for requests no operation matched, so ids never become label
 * values and the series stay few. Each server has its own registry, so several servers in one process
 * (tests) do not mix their numbers.
 */
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface ServerMetrics {
  readonly registry: Registry;
  /** Records one finished request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** The exposition text and its content type, for `GET /metrics`. */
  render(): Promise<{ readonly contentType: string; readonly body: string }>;
}

export function createMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'holdfast_' });
  const duration = new Histogram({
    name: 'holdfast_http_request_duration_seconds',
    help: 'Time from receiving a request to finishing its answer, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      duration.observe({ method, route, status: String(status) }, seconds);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
