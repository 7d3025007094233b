/**
 * The one table that translates Node's file-system errors (`errno` codes) into the engine's taxonomy,
 * shared by every fs port implementation (STYLE.md §5). Callers that know better for one call (a missing
 * file is not an error for `delete`) check the code before translating.
 *
 * | errno                                                    | error             | why                                            |
 * | -------------------------------------------------------- | ----------------- | ---------------------------------------------- |
 * | ENOENT, ENOTDIR                                          | NotFoundError     | the path, or a folder on it, does not exist    |
 * | EEXIST, ENOTEMPTY, EISDIR                                | ConflictError     | something else is in the way                   |
 * | EACCES, EPERM                                            | AuthError         | the process lacks the permission               |
 * | EROFS                                                    | PermanentError    | a read-only file system stays read-only        |
 * | ENOSPC, EDQUOT                                           | PermanentError    | see below                                      |
 * | EIO, EAGAIN, EBUSY, EINTR, ETIMEDOUT, ESTALE, EMFILE, ENFILE | TransientError | a retry may cure it (flaky disk or network share, too many open files) |
 * | ENAMETOOLONG                                             | ValidationError   | the name is refused before anything is written |
 * | anything else (ELOOP, EXDEV, EFBIG, EINVAL...)           | PermanentError    |                                                |
 *
 * A full disk is Permanent, not Transient: a retry with backoff over seconds will not free space, and a
 * backup that keeps retrying on a full disk only delays the message the operator needs. The next run
 * (after a prune or a bigger disk) resumes where this one stopped. EIO is Transient because on network
 * file systems (NFS, SMB) it is usually a dropped connection; on a failing local disk the retries run
 * out and the error surfaces anyway.
 */
import {
  AuthError,
  CanceledError,
  ConflictError,
  type HoldfastError,
  isHoldfastError,
  NotFoundError,
  PermanentError,
  TransientError,
  ValidationError,
} from '../errors/index.ts';

/** The engine error classes the table maps to. */
export type FsErrorClass =
  | typeof NotFoundError
  | typeof ConflictError
  | typeof AuthError
  | typeof PermanentError
  | typeof TransientError
  | typeof ValidationError;

/** The errno table (see the module note); codes not listed map to `PermanentError`. */
export const fsErrorTable: Readonly<Record<string, FsErrorClass>> = {
  ENOENT: NotFoundError,
  ENOTDIR: NotFoundError,
  EEXIST: ConflictError,
  ENOTEMPTY: ConflictError,
  EISDIR: ConflictError,
  EACCES: AuthError,
  EPERM: AuthError,
  EROFS: PermanentError,
  ENOSPC: PermanentError,
  EDQUOT: PermanentError,
  EIO: TransientError,
  EAGAIN: TransientError,
  EBUSY: TransientError,
  EINTR: TransientError,
  ETIMEDOUT: TransientError,
  ESTALE: TransientError,
  EMFILE: TransientError,
  ENFILE: TransientError,
  ENAMETOOLONG: ValidationError,
};

/** The `code` of a Node system error (`'ENOENT'`), or `undefined` for anything else. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * Translates `error` from an fs call into a Holdfast error whose message is `<what>: <errno>` (for
 * example `put of key "config": EACCES`) and whose cause is the original. Holdfast errors pass through
 * unchanged; an `AbortError` becomes `CanceledError`.
 */
export function toHoldfastError(error: unknown, what: string): HoldfastError {
  if (isHoldfastError(error)) return error;
  if (error instanceof Error && error.name === 'AbortError')
    return new CanceledError(`${what}: cancelled`, { cause: error });
  const code = errnoCode(error);
  if (code === undefined) {
    return new PermanentError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const ErrorClass = fsErrorTable[code] ?? PermanentError;
  return new ErrorClass(`${what}: ${code}`, { cause: error });
}

/**
 * Throws `CanceledError` (with the signal's reason as its cause) when `signal` is aborted. Called at the
 * start of every port call and between the chunks of a stream.
 */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw new CanceledError(`${what}: cancelled`, { cause: signal.reason });
}
