/**
 * Handlers, typed from the contract. `operations` is generated from `openapi/holdfast.yaml` into the SDK
 * (`@holdfast/sdk`, types only), so a handler's path parameters, query, body and answers are the very
 * types SDK users see. A handler gets the request already routed, authorised and validated (query and
 * path parameters coerced, defaults applied), and returns one of the answers its operation declares with
 * an `application/json` body (or no body); failures are thrown as `HttpProblem`s.
 *
 * An answer the contract declares as `text/csv` (the exports) has a {@link StreamedBody} instead: text
 * produced while the client reads it, never held whole in memory. The router sends it as
 * `text/csv; charset=utf-8` (`operation-router.ts`). The types keep the two apart: a JSON operation cannot
 * answer a stream, a CSV one cannot answer an object, and a CSV answer must carry every header its
 * answer declares by a literal name (`Content-Disposition`).
 *
 * @example
 * ```ts
 * const handlers: HandlerRegistry = {
 *   listRegions: async () => ({ status: 200, body: { items: [], nextCursor: null } }),
 * };
 * ```
 */
import type { Readable } from 'node:stream';
import type { operations } from '@holdfast/sdk';
import type { Principal } from '../../auth/principal.ts';
import type { ServerServices } from '../server-services.ts';
import type { HoldfastContext } from '../koa-state.ts';

/** Every operation of the contract, by `operationId`. */
export type OperationId = keyof operations;

/** The answers an operation declares, by status. */
export type Responses<Id extends OperationId> = operations[Id]['responses'];

/** The path parameters of an operation (`{ userId }`), or `{}`. */
export type PathParams<Id extends OperationId> = [NonNullable<operations[Id]['parameters']['path']>] extends [never]
  ? object
  : NonNullable<operations[Id]['parameters']['path']>;

/** The query parameters of an operation, or `{}`. */
export type QueryParams<Id extends OperationId> = [NonNullable<operations[Id]['parameters']['query']>] extends [never]
  ? object
  : NonNullable<operations[Id]['parameters']['query']>;

/** The request body of an operation (JSON or form), or `undefined`. */
export type RequestBody<Id extends OperationId> =
  NonNullable<operations[Id]['requestBody']> extends { content: infer Content } ? Content[keyof Content] : undefined;

/** The media types a handler can answer with a body: JSON objects, and streamed CSV text. */
export type BodyMediaType = 'application/json' | 'text/csv';

/** Statuses whose answer is JSON, CSV or empty; problem answers are thrown instead. */
export type AnswerStatus<Id extends OperationId> = {
  [S in keyof Responses<Id>]: Responses<Id>[S] extends { content: infer Content }
    ? Extract<keyof Content, BodyMediaType> extends never
      ? never
      : S
    : S;
}[keyof Responses<Id>];

/**
 * A streamed text body (the CSV exports): UTF-8 chunks pulled one at a time as the client reads, so a
 * large answer never sits in memory. A Node `Readable` of strings or bytes, or any async iterable of them
 * (an `async function*`). When it fails midway the connection is cut, so a client never mistakes a
 * truncated file for a complete one.
 */
export type StreamedBody = Readable | AsyncIterable<string | Uint8Array>;

/** The body of an operation's answer with status `S`: its JSON, a {@link StreamedBody} for CSV, or `undefined`. */
export type AnswerBody<Id extends OperationId, S extends keyof Responses<Id>> = Responses<Id>[S] extends {
  content: { 'application/json': infer Body };
}
  ? Body
  : Responses<Id>[S] extends { content: { 'text/csv': unknown } }
    ? StreamedBody
    : undefined;

/** Extra headers of an answer, by name. */
export type AnswerHeaders = Readonly<Record<string, string | string[]>>;

/** The headers an answer declares by literal name (`Content-Disposition`), each required, as strings. */
export type DeclaredHeaders<Id extends OperationId, S extends keyof Responses<Id>> = Responses<Id>[S] extends {
  headers: infer Headers;
}
  ? { readonly [Name in keyof Headers as string extends Name ? never : Name]: string }
  : object;

/** One answer of an operation: a declared status and its body; extra headers if any. */
export type HandlerResponse<Id extends OperationId> = {
  [S in AnswerStatus<Id>]: AnswerBody<Id, S> extends undefined
    ? { readonly status: S; readonly body?: undefined; readonly headers?: AnswerHeaders }
    : AnswerBody<Id, S> extends StreamedBody
      ? {
          readonly status: S;
          readonly body: StreamedBody;
          readonly headers: AnswerHeaders & DeclaredHeaders<Id, S>;
        }
      : {
          readonly status: S;
          readonly body: AnswerBody<Id, S>;
          readonly headers?: AnswerHeaders;
        };
}[AnswerStatus<Id>];

/** What a handler is given. */
export interface HandlerRequest<Id extends OperationId> {
  readonly operationId: Id;
  readonly params: PathParams<Id>;
  readonly query: QueryParams<Id>;
  readonly body: RequestBody<Id>;
  /** Request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The caller; null on public operations (they are not resolved) and for anonymous callers. */
  readonly principal: Principal | null;
  /** The request id (`X-Request-Id`). */
  readonly requestId: string;
  /** The Koa context, for cookies and the client address; set answers through the return value. */
  readonly ctx: HoldfastContext;
}

export type OperationHandler<Id extends OperationId> = (request: HandlerRequest<Id>) => Promise<HandlerResponse<Id>>;

/** Handlers by operationId; an operation without one answers `501 NOT_IMPLEMENTED`. */
export type HandlerRegistry = { readonly [Id in OperationId]?: OperationHandler<Id> };

/** Makes handlers from the server's services (database, config, logger, clock). */
export type HandlerFactory = (services: ServerServices) => HandlerRegistry;
