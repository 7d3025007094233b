/**
 * The one place errors become answers (STYLE.md §5). Whatever a later step throws ends here as
 * `application/problem+json`:
 *
 * - an {@link HttpProblem} as it says;
 * - an engine `HoldfastError` by its code (`NOT_FOUND` 404, `CONFLICT` 409, `THROTTLED` 429 with
 *   `Retry-After`, `TRANSIENT` 503, `VALIDATION` 400; the others are server faults);
 * - an HTTP error of Koa or its helpers (`status` 4xx with `expose`) by its status;
 * - anything else as `500 INTERNAL`, logged with its stack, with no detail in the answer.
 *
 * When answers are checked against the contract (tests), a problem whose status the operation does not
 * declare becomes a 500 that says so, so the test that provoked it fails.
 */
import { isHoldfastError } from '@holdfast/engine';
import type { HoldfastMiddleware } from '../koa-state.ts';
import { HttpProblem, problemBody, problemMediaType, type ProblemCode } from '../problem.ts';

/** Checks a problem answer against the contract; answers what is wrong, or null. */
export type ProblemContractCheck = (operationId: string | undefined, status: number, body: unknown) => string | null;

const statusCodes: Readonly<Record<number, ProblemCode>> = {
  400: 'VALIDATION',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  410: 'LINK_INVALID',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'THROTTLED',
};

/** Any thrown value as the problem it answers with. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (isHoldfastError(error, 'THROTTLED')) {
    const seconds = Math.max(1, Math.ceil((error.retryAfter ?? 1000) / 1000));
    return new HttpProblem(429, 'THROTTLED', `Try again in ${seconds} seconds.`, {
      cause: error,
      headers: { 'Retry-After': String(seconds) },
    });
  }
  if (isHoldfastError(error)) {
    switch (error.code) {
      case 'NOT_FOUND':
        return new HttpProblem(404, 'NOT_FOUND', error.message, { cause: error });
      case 'CONFLICT':
        return new HttpProblem(409, 'CONFLICT', error.message, { cause: error });
      case 'VALIDATION':
        return new HttpProblem(400, 'VALIDATION', error.message, { cause: error });
      case 'TRANSIENT':
        return new HttpProblem(503, 'TRANSIENT', undefined, { cause: error, headers: { 'Retry-After': '5' } });
      default:
        return new HttpProblem(500, 'INTERNAL', undefined, { cause: error });
    }
  }
  const { status, expose } = (error ?? {}) as { status?: unknown; expose?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
    return new HttpProblem(status, statusCodes[status] ?? 'VALIDATION', undefined, { cause: error });
  }
  return new HttpProblem(500, 'INTERNAL', undefined, { cause: error });
}

export interface ErrorMiddlewareOptions {
  /** Present when answers are checked against the contract. */
  readonly checkProblem?: ProblemContractCheck;
}

export function errorMiddleware(options: ErrorMiddlewareOptions = {}): HoldfastMiddleware {
  const { checkProblem } = options;
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      let problem = toProblem(error);
      if (problem.code === 'INTERNAL') {
        ctx.state.log.error({ err: problem.cause ?? problem, operationId: ctx.state.operationId }, 'request failed');
      } else if (problem.status >= 500 && problem.status !== 501) {
        ctx.state.log.warn({ code: problem.code, operationId: ctx.state.operationId }, 'request failed');
      }
      if (ctx.headerSent || !ctx.writable) return;
      let body = problemBody(problem, ctx.state.requestId);
      const violation = checkProblem?.(ctx.state.operationId, problem.status, body) ?? null;
      if (violation !== null) {
        ctx.state.log.error({ operationId: ctx.state.operationId, violation }, 'answer off-contract');
        problem = new HttpProblem(500, 'INTERNAL', `Answer off-contract: ${violation}`);
        body = problemBody(problem, ctx.state.requestId, true);
      } else if (problem.status === 500 && checkProblem !== undefined && problem.detail !== undefined) {
        body = problemBody(problem, ctx.state.requestId, true);
      }
      ctx.status = problem.status;
      ctx.set(problem.headers);
      ctx.type = problemMediaType;
      ctx.body = body;
    }
  };
}
