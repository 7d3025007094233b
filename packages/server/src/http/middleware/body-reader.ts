/**
 * Reads a request body into memory, up to the configured limit, before anything else looks at it: a
 * larger body (by its `Content-Length`, or once the bytes pass the limit) answers
 * `413 PAYLOAD_TOO_LARGE` at once, whatever the route, and the connection is closed rather than drained.
 * Decoding (JSON, forms) waits until the route is known (`operation-router.ts`), so a malformed body on an
 * unknown route is still a 404.
 */
import getRawBody from 'raw-body';
import type { HoldfastMiddleware } from '../koa-state.ts';
import { HttpProblem } from '../problem.ts';

function hasBody(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function bodyReader(limit: number): HoldfastMiddleware {
  return async (ctx, next) => {
    if (hasBody(ctx.req.headers)) {
      try {
        const length = ctx.get('Content-Length');
        ctx.state.rawBody = await getRawBody(ctx.req, { limit, ...(length === '' ? {} : { length }) });
      } catch (error) {
        const type = (error as { type?: unknown }).type;
        if (type === 'entity.too.large') {
          ctx.set('Connection', 'close');
          throw new HttpProblem(413, 'PAYLOAD_TOO_LARGE', `The body is larger than ${limit} bytes.`, { cause: error });
        }
        if (type === 'request.size.invalid' || type === 'request.aborted') {
          ctx.set('Connection', 'close');
          throw new HttpProblem(400, 'VALIDATION', 'The body ended before its declared length.', { cause: error });
        }
        throw error;
      }
    }
    await next();
  };
}
