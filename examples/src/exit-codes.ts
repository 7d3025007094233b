/**
 * Example: turning Holdfast errors into a script's exit code and a one-line message.
 *
 * A script that drives Holdfast (a nightly export, an off-boarding job) should tell its caller what went
 * wrong in a way a scheduler can act on: retry later, fix credentials, or page someone. The stable error
 * codes make that a table, not a guess. Run it: `node examples/src/exit-codes.ts`.
 */
import { isHoldfastError, NotFoundError, ThrottledError, type ErrorCode } from '@holdfast/engine';

/** Exit codes in the BSD sysexits(3) tradition, so schedulers can tell "retry later" from "broken". */
const exitCodeByErrorCode: Record<ErrorCode, number> = {
  NOT_FOUND: 66, // EX_NOINPUT
  VALIDATION: 65, // EX_DATAERR
  AUTH: 77, // EX_NOPERM
  THROTTLED: 75, // EX_TEMPFAIL
  TRANSIENT: 75, // EX_TEMPFAIL
  CONFLICT: 75, // EX_TEMPFAIL: a lock held by another run clears by itself
  INTEGRITY: 70, // EX_SOFTWARE: stored data is damaged; a human must look
  PERMANENT: 69, // EX_UNAVAILABLE
  CANCELED: 130, // as if interrupted
};

/** The exit code and one-line message for any error a Holdfast call threw. */
export function describeFailure(error: unknown): { exitCode: number; message: string } {
  if (!isHoldfastError(error)) {
    return { exitCode: 1, message: `unexpected error: ${error instanceof Error ? error.message : String(error)}` };
  }
  const hint =
    isHoldfastError(error, 'THROTTLED') && error.retryAfter !== undefined
      ? ` (retry in ${Math.ceil(error.retryAfter / 1000)} s)`
      : '';
  return { exitCode: exitCodeByErrorCode[error.code], message: `${error.code}: ${error.message}${hint}` };
}

if (import.meta.main) {
  for (const error of [
    new NotFoundError('snapshot 3f9a1c not found'),
    new ThrottledError('Box answered 429', { retryAfter: 30_000 }),
    new Error('disk on fire'),
  ]) {
    const { exitCode, message } = describeFailure(error);
    console.log(`exit ${exitCode}  ${message}`);
  }
}
