/**
 * How a failure becomes an exit code and a message. Engine errors keep their stable `code`; the CLI
 * adds `USAGE` for arguments it refuses itself. The mapping of codes to exit codes lives only here.
 */
import { isHoldfastError } from '../errors/index.ts';
import { exitCodes, type ExitCode } from './exit-codes.ts';

/** A failure the CLI raises itself, with the exit code it means. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** `USAGE`, or the engine code the failure stands for (`NOT_FOUND`, `AUTH`...). */
  readonly code: string;

  constructor(exitCode: ExitCode, code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.exitCode = exitCode;
    this.code = code;
  }

  override get name(): string {
    return 'CliError';
  }
}

/** A usage error: exit 2. */
export function usageError(message: string): CliError {
  return new CliError(exitCodes.usage, 'USAGE', message);
}

/** What the user is told about a failure. */
export interface Failure {
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly message: string;
}

/**
 * Classifies any thrown value. `interrupted` says a SIGINT/SIGTERM arrived: whatever the operation
 * threw on the way out (a cancellation, an abort error from a stream), the run was interrupted.
 */
export function classify(error: unknown, interrupted: boolean): Failure {
  if (error instanceof CliError) return { exitCode: error.exitCode, code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  if (interrupted || isHoldfastError(error, 'CANCELED')) {
    return { exitCode: exitCodes.interrupted, code: 'CANCELED', message: `interrupted: ${message}` };
  }
  if (isLockConflict(error)) return { exitCode: exitCodes.locked, code: 'CONFLICT', message };
  if (isHoldfastError(error, 'VALIDATION')) return { exitCode: exitCodes.usage, code: 'VALIDATION', message };
  if (isHoldfastError(error)) return { exitCode: exitCodes.failed, code: error.code, message };
  return { exitCode: exitCodes.failed, code: 'PERMANENT', message };
}

/**
 * Whether `error` is the engine refusing a lock. The engine has no dedicated code for it (a lock
 * conflict is a `CONFLICT` like an existing repository is), so the CLI recognises the message the lock
 * module writes: `the repository is locked (...) by user@host pid N since ...`.
 */
export function isLockConflict(error: unknown): boolean {
  return isHoldfastError(error, 'CONFLICT') && /\bis locked\b/.test(error.message);
}
