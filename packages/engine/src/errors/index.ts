export { errorCodes, allErrorCodes, type ErrorCode } from './error-codes.ts';
export {
  HoldfastError,
  NotFoundError,
  ConflictError,
  ThrottledError,
  TransientError,
  PermanentError,
  IntegrityError,
  AuthError,
  ValidationError,
  CanceledError,
  isHoldfastError,
  type HoldfastErrorByCode,
  type HoldfastErrorJson,
  type HoldfastErrorOptions,
  type ThrottledErrorOptions,
} from './holdfast-error.ts';
export { parseRetryAfter } from './retry-after.ts';
