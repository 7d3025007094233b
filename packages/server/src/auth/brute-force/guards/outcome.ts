/**
 * A handler's outcome as a value, so a guard can look at it (a thrown problem's code, an answer's status)
 * and then hand it on unchanged: the same answer, or the same error rethrown.
 */
import type {
  HandlerRequest,
  HandlerResponse,
  OperationHandler,
  OperationId,
} from '../../../http/handlers/handler-types.ts';
import { HttpProblem } from '../../../http/problem.ts';

/** What a handler did: answered, or threw. */
export type Outcome<T> = { readonly ok: true; readonly answer: T } | { readonly ok: false; readonly error: unknown };

/**
 * Runs a handler between the checks of a guard, which gets the request and the handler it wraps and
 * answers what the handler answered (or throws what it threw, or `429` before it runs).
 */
export type Guard<Id extends OperationId> = (
  request: HandlerRequest<Id>,
  handler: OperationHandler<Id>,
) => Promise<HandlerResponse<Id>>;

/** Guards by operation. */
export type Guards = { readonly [Id in OperationId]?: Guard<Id> };

/** Runs `run` and captures its answer or its error. */
export async function settle<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, answer: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The outcome handed on: the answer, or the error thrown again. */
export function deliver<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.answer;
  throw outcome.error;
}

/** The problem code a handler threw, or null (it answered, or failed otherwise). */
export function problemCodeOf(outcome: Outcome<unknown>): string | null {
  return !outcome.ok && outcome.error instanceof HttpProblem ? outcome.error.code : null;
}
