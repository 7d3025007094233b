/**
 * The contract's router: every request the earlier middleware let through goes, in this order, through
 *
 * 1. routing (`404 NOT_FOUND`, `405 METHOD_NOT_ALLOWED` with `Allow`);
 * 2. the principal (the injectable {@link PrincipalResolver}) and the permission step
 *    ({@link requirePermission}: 401, 403) — before the body is looked at, so anonymous callers learn
 *    nothing about the schema;
 * 3. the body's media type and decoding (`415`, `400`);
 * 4. request validation against the contract (`400 VALIDATION` with `errors[]`);
 * 5. the operation's handler from the registry, or `501 NOT_IMPLEMENTED` when it has none yet;
 * 6. when `validateResponses` is on, the answer against the contract.
 *
 * An answer whose status the contract declares as `text/csv` carries a streamed body (`StreamedBody`):
 * it is sent as `text/csv; charset=utf-8` with chunked transfer encoding, pulled as the socket drains
 * (never buffered whole). Headers are sent with the first chunk, so a failure after that cannot become a
 * problem answer: the connection is destroyed instead, and the client sees an aborted download rather
 * than a file that looks complete. Handlers that can fail early should do so before they return.
 *
 * On `/v1/oauth/*` a request that fails steps 3-4 answers an RFC 6749 error (`invalid_request`, or
 * `unsupported_grant_type`) instead of a problem, as OAuth clients expect.
 */
import { Readable } from 'node:stream';
import type { OperationAccess } from '../../auth/require-permission.ts';
import { operationAccess, requirePermission } from '../../auth/require-permission.ts';
import type { Principal, PrincipalResolver } from '../../auth/principal.ts';
import type { HandlerRegistry, HandlerRequest, OperationId } from '../handlers/handler-types.ts';
import type { HoldfastContext, HoldfastMiddleware } from '../koa-state.ts';
import { HttpProblem } from '../problem.ts';
import type { ContractOperation, LoadedApi } from './api-document.ts';
import { declaresStream, isStreamedBody, type ContractCheck } from './contract-check.ts';
import { decodeBody } from './request-body.ts';
import { RouteTable } from './route-table.ts';
import { toFieldErrors } from './validation-errors.ts';

export interface OperationRouterOptions {
  readonly loaded: LoadedApi;
  readonly handlers: HandlerRegistry;
  readonly resolvePrincipal: PrincipalResolver;
  /** Present when answers are checked against the contract. */
  readonly contractCheck?: ContractCheck;
  /** The route table, when middleware before the router share it (default: one of its own). */
  readonly routes?: RouteTable;
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string | string[]>>;
}
type AnyHandler = (request: HandlerRequest<OperationId>) => Promise<Answer>;

const grantTypes: ReadonlySet<unknown> = new Set(['client_credentials', 'refresh_token']);

/** A failed OAuth request as RFC 6749 section 5.2 answers it. */
function answerOAuthError(ctx: HoldfastContext, problem: HttpProblem, body: unknown): void {
  const grantType = (body as { grant_type?: unknown } | undefined)?.grant_type;
  const unsupported =
    ctx.state.operationId === 'issueToken' && typeof grantType === 'string' && !grantTypes.has(grantType);
  const description = problem.errors?.map((error) => `${error.path} ${error.message}`).join('; ') ?? problem.message;
  ctx.status = 400;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = unsupported
    ? { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials or refresh_token.' }
    : { error: 'invalid_request', error_description: description };
}

/** The handler's streamed body as a byte stream; a 500 when the handler answered something else. */
function toStream(body: unknown, mediaType: string): Readable {
  if (body instanceof Readable) return body;
  if (isStreamedBody(body)) return Readable.from(body, { objectMode: false });
  throw new HttpProblem(500, 'INTERNAL', `Answer off-contract: ${mediaType} needs a streamed body`);
}

/** Sends a streamed answer: headers now, chunks as the client reads, the connection cut on a failure. */
function sendStream(ctx: HoldfastContext, stream: Readable, mediaType: string): void {
  stream.once('error', (error: Error) => {
    ctx.state.log.error({ err: error }, 'a streamed answer failed midway; the connection is cut');
    ctx.res.destroy(error);
  });
  ctx.set('Content-Type', `${mediaType}; charset=utf-8`);
  ctx.body = stream;
}

export function operationRouter(options: OperationRouterOptions): HoldfastMiddleware {
  const { loaded, handlers, resolvePrincipal, contractCheck } = options;
  const table = options.routes ?? new RouteTable(loaded.operations);
  const access = new Map<string, OperationAccess>(
    loaded.operations.map((operation) => [operation.operationId, operationAccess(operation)]),
  );

  async function admit(ctx: HoldfastContext, operation: ContractOperation): Promise<Principal | null> {
    const rules = access.get(operation.operationId);
    if (rules === undefined) throw new Error(`no access rules for ${operation.operationId}`);
    let principal: Principal | null = null;
    if (rules.permission !== 'public') {
      principal = await resolvePrincipal(ctx, rules.accepts);
      ctx.state.principal = principal;
    }
    requirePermission(rules, principal, ctx.method, ctx.get('X-CSRF-Token') || undefined);
    return principal;
  }

  return async (ctx) => {
    const match = table.matchRequest(ctx);
    if (match.kind === 'not-found') throw new HttpProblem(404, 'NOT_FOUND', 'No operation has this path.');
    if (match.kind === 'method-not-allowed') {
      throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `This path takes ${match.allow.join(', ')}.`, {
        headers: { Allow: match.allow.join(', ') },
      });
    }
    const { operation } = match;
    ctx.state.route = operation.path;
    ctx.state.operationId = operation.operationId;
    const principal = await admit(ctx, operation);
    try {
      decodeURIComponent(ctx.path);
    } catch {
      throw new HttpProblem(400, 'VALIDATION', 'The path is not valid.', {
        errors: [{ path: '/path', message: 'is not a valid percent-encoded URL path' }],
      });
    }

    let body: unknown;
    let validated: { params?: unknown; query?: unknown };
    try {
      body = decodeBody(operation, ctx.get('Content-Type'), ctx.state.rawBody);
      const request = { method: ctx.method, path: ctx.path, headers: ctx.req.headers, query: { ...ctx.query }, body };
      const result = loaded.api.validator.validateRequest(request as never, operation);
      if (!result.valid) {
        const errors = toFieldErrors(result.errors ?? []);
        throw new HttpProblem(
          400,
          'VALIDATION',
          `${errors.length} ${errors.length === 1 ? 'value is' : 'values are'} invalid.`,
          {
            errors,
          },
        );
      }
      const coerced: { params?: unknown; query?: unknown } | undefined = result.coerced;
      validated = coerced ?? {};
    } catch (error) {
      if (error instanceof HttpProblem && operation.path.startsWith('/v1/oauth/')) {
        answerOAuthError(ctx, error, body);
        return;
      }
      throw error;
    }

    const handler = handlers[operation.operationId as OperationId] as AnyHandler | undefined;
    if (handler === undefined) {
      throw new HttpProblem(501, 'NOT_IMPLEMENTED', `${operation.operationId} is not implemented yet.`);
    }
    const answer = await handler({
      operationId: operation.operationId as OperationId,
      params: (validated.params ?? {}) as never,
      query: validated.query ?? {},
      body: body as never,
      headers: ctx.req.headers,
      principal,
      requestId: ctx.state.requestId,
      ctx,
    });
    const violation = contractCheck?.checkAnswer(operation, answer.status, answer.body) ?? null;
    if (violation !== null) throw new HttpProblem(500, 'INTERNAL', `Answer off-contract: ${violation}`);
    const streamed = declaresStream(operation, answer.status);
    const stream = streamed === null ? null : toStream(answer.body, streamed);
    ctx.status = answer.status;
    if (answer.headers !== undefined) ctx.set(answer.headers);
    if (stream !== null && streamed !== null) {
      sendStream(ctx, stream, streamed);
      return;
    }
    // Koa turns a null body into 204; an answer declared with a status and no content (RFC 7009's 200)
    // keeps its status with an empty body.
    if (answer.body === undefined && answer.status !== 204 && answer.status !== 304) {
      ctx.body = '';
      ctx.remove('Content-Type');
    } else {
      ctx.body = answer.body ?? null;
    }
  };
}
