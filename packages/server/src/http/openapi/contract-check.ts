/**
 * Checks the server's answers against the contract, when `validateResponses` is on (tests): the status
 * must be one the operation declares, and the body must match that answer's schema (JSON answers via
 * openapi-backend's response validators, problem answers against `Problem`). A handler that answers
 * off-contract then fails its test with a 500 that says what was wrong, instead of passing silently.
 * `501 NOT_IMPLEMENTED` (operations not built yet) and `503 TRANSIENT` (never listed per operation) are
 * exempt from the declared-status check.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ValidationContext } from 'openapi-backend';
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
