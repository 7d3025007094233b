/**
 * Checks the server's answers against the contract, when `validateResponses` is on (tests): the status
 * must be one the operation declares, and the body must match that answer's schema (JSON answers via
 * openapi-backend's response validators, problem answers against `Problem`). A handler that answers
 * off-contract then fails its test with a 500 that says what was wrong, instead of passing silently.
 * `501 NOT_IMPLEMENTED` (operations not built yet) and `503 TRANSIENT` (never listed per operation) are
 * exempt from the declared-status check. A streamed answer (`text/csv`, see {@link declaresStream}) is
 * checked for being a stream; its text is not read here (that would buffer it), the export tests parse it.
 */
import { Readable } from 'node:stream';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ValidationContext } from 'openapi-backend';
import type { StreamedBody } from '../handlers/handler-types.ts';
import type { ContractOperation, LoadedApi } from './api-document.ts';
import type { ProblemContractCheck } from '../middleware/error-middleware.ts';

export interface ContractCheck {
  /** What is wrong with a handler's answer, or null. */
  checkAnswer(operation: ContractOperation, status: number, body: unknown): string | null;
  /** What is wrong with a problem answer, or null. */
  readonly checkProblem: ProblemContractCheck;
}

function describe(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`)
    .join('; ');
}

function declared(operation: ContractOperation, status: number): { content?: Record<string, unknown> } | undefined {
  const responses = (operation.responses ?? {}) as Record<string, { content?: Record<string, unknown> }>;
  return responses[String(status)] ?? responses[`${String(status).charAt(0)}XX`] ?? responses['default'];
}

/** The streamed media types a handler may answer (text, pulled as the client reads). */
const streamedMediaTypes = ['text/csv'] as const;

/**
 * The streamed media type the operation declares for `status` (`text/csv`), or null when that answer is
 * JSON or empty. An answer that also declares `application/json` is not streamed.
 */
export function declaresStream(operation: ContractOperation, status: number): string | null {
  const content = declared(operation, status)?.content;
  if (content === undefined || content['application/json'] !== undefined) return null;
  return streamedMediaTypes.find((type) => content[type] !== undefined) ?? null;
}

/** Whether a handler's body is a {@link StreamedBody} (a Node `Readable` or an async iterable). */
export function isStreamedBody(body: unknown): body is StreamedBody {
  return body instanceof Readable || (typeof body === 'object' && body !== null && Symbol.asyncIterator in body);
}

export function createContractCheck(loaded: LoadedApi): ContractCheck {
  const { api, operations } = loaded;
  const byId = new Map(operations.map((operation) => [operation.operationId, operation]));
  const definition = api.definition as { components?: { schemas?: Record<string, object> } };
  const problemSchema = definition.components?.schemas?.['Problem'];
  if (problemSchema === undefined) throw new Error('the contract has no Problem schema');
  const ajv = api.validator.getAjv(ValidationContext.Response);
  const validateProblem: ValidateFunction = ajv.compile(problemSchema);

  return {
    checkAnswer(operation, status, body) {
      const answer = declared(operation, status);
      if (answer === undefined) return `${operation.operationId} does not declare status ${status}`;
      const streamed = declaresStream(operation, status);
      if (streamed !== null) {
        return isStreamedBody(body) ? null : `${operation.operationId} ${status} needs a streamed ${streamed} body`;
      }
      const json = answer.content?.['application/json'];
      if (json === undefined) {
        return body === undefined || body === null ? null : `${operation.operationId} ${status} declares no body`;
      }
      if (body === undefined) return `${operation.operationId} ${status} needs a body`;
      const result = api.validator.validateResponse(body, operation, status);
      return result.valid ? null : `${operation.operationId} ${status} body: ${describe(result.errors)}`;
    },
    checkProblem(operationId, status, body) {
      if (status === 501) return null;
      if (!validateProblem(body)) return `problem body: ${describe(validateProblem.errors)}`;
      const operation = operationId === undefined ? undefined : byId.get(operationId);
      if (operation === undefined || status === 503 || status === 500) return null;
      return declared(operation, status) === undefined ? `${operationId} does not declare status ${status}` : null;
    },
  };
}
