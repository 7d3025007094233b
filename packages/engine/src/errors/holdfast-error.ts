/**
 * The engine's error taxonomy (STYLE.md §5). Adapters translate their SDK's errors into these classes in
 * one table each; the engine decides what to retry from `retryable`; the server maps `code` to
 * problem+json. Recognition uses a brand, not `instanceof`, so an error thrown by a second copy of
 * `@holdfast/engine` (an adapter that bundles its own) is still recognised.
 */
import { errorCodes, type ErrorCode } from './error-codes.ts';

const brand = Symbol.for('@holdfast/engine:HoldfastError');

/** Options every Holdfast error accepts. */
export interface HoldfastErrorOptions {
  /** The underlying error (an SDK error, a system error). Kept for logs; never sent to API clients. */
  readonly cause?: unknown;
}

/** Options of {@link ThrottledError}. */
export interface ThrottledErrorOptions extends HoldfastErrorOptions {
  /** How long the service asked us to wait, in milliseconds, when it said (e.g. a `Retry-After` header). */
  readonly retryAfter?: number | undefined;
}

/** The plain-object form of a Holdfast error, safe to log or serialise: it never includes the cause. */
export interface HoldfastErrorJson {
  readonly name: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  readonly retryAfter?: number;
}

/**
 * The base of every error the engine, its adapters and the server throw on purpose.
 *
 * @example
 * ```ts
 * try {
 *   await store.get('packs/00/ab');
 * } catch (error) {
 *   if (isHoldfastError(error, 'NOT_FOUND')) return undefined;
 *   throw error;
 * }
 * ```
 */
export abstract class HoldfastError extends Error {
  /** The stable code of this kind of error. */
  abstract readonly code: ErrorCode;

  constructor(message: string, options: HoldfastErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    Object.defineProperty(this, brand, { value: true });
  }

  override get name(): string {
    return this.constructor.name;
  }

  /** Whether the same call may succeed if retried (after a pause). */
  get retryable(): boolean {
    return errorCodes[this.code].retryable;
  }

  toJSON(): HoldfastErrorJson {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** The object, snapshot, item or entity asked for does not exist. */
export class NotFoundError extends HoldfastError {
  readonly code = 'NOT_FOUND';
}

/** The operation clashes with the current state (a held lock, a taken name, a moved version). */
export class ConflictError extends HoldfastError {
  readonly code = 'CONFLICT';
}

/** The service asked us to slow down; {@link ThrottledError.retryAfter} says for how long when it said. */
export class ThrottledError extends HoldfastError {
  readonly code = 'THROTTLED';
  /** Milliseconds to wait before retrying, when the service said; otherwise undefined (use backoff). */
  readonly retryAfter: number | undefined;

  constructor(message: string, options: ThrottledErrorOptions = {}) {
    super(message, options);
    const { retryAfter } = options;
    if (retryAfter !== undefined && !(Number.isFinite(retryAfter) && retryAfter >= 0)) {
      throw new RangeError(`retryAfter must be a non-negative number of milliseconds, got ${String(retryAfter)}`);
    }
    this.retryAfter = retryAfter;
  }

  override toJSON(): HoldfastErrorJson {
    return this.retryAfter === undefined ? super.toJSON() : { ...super.toJSON(), retryAfter: this.retryAfter };
  }
}

/** A temporary failure; the same call may succeed if retried. */
export class TransientError extends HoldfastError {
  readonly code = 'TRANSIENT';
}

/** A failure that retrying will not fix. */
export class PermanentError extends HoldfastError {
  readonly code = 'PERMANENT';
}

/** Stored data failed verification. */
export class IntegrityError extends HoldfastError {
  readonly code = 'INTEGRITY';
}

/** Credentials are missing, wrong, expired, revoked or insufficient. */
export class AuthError extends HoldfastError {
  readonly code = 'AUTH';
}

/** Input was refused before anything was done. */
export class ValidationError extends HoldfastError {
  readonly code = 'VALIDATION';
}

/** The operation was cancelled through its AbortSignal. */
export class CanceledError extends HoldfastError {
  readonly code = 'CANCELED';
}

/** The error class for each code, so a guard on a code narrows to its class. */
export interface HoldfastErrorByCode {
  NOT_FOUND: NotFoundError;
  CONFLICT: ConflictError;
  THROTTLED: ThrottledError;
  TRANSIENT: TransientError;
  PERMANENT: PermanentError;
  INTEGRITY: IntegrityError;
  AUTH: AuthError;
  VALIDATION: ValidationError;
  CANCELED: CanceledError;
}

/**
 * Whether `value` is a Holdfast error, optionally of one code. Works across copies of the engine.
 *
 * @example
 * ```ts
 * if (isHoldfastError(error, 'THROTTLED')) await sleep(error.retryAfter ?? backoff());
 * ```
 */
export function isHoldfastError(value: unknown): value is HoldfastError;
export function isHoldfastError<C extends ErrorCode>(value: unknown, code: C): value is HoldfastErrorByCode[C];
export function isHoldfastError(value: unknown, code?: ErrorCode): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[brand] !== true) return false;
  return code === undefined || (value as { code?: unknown }).code === code;
}
