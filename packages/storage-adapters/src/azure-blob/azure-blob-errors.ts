/**
 * The one table from Azure Blob errors to the engine's taxonomy (STYLE.md §5). Every SDK call of the
 * adapter goes through {@link azureBlobError}; the SDK's error stays the `cause`.
 *
 * Lookup order: a cancellation (the call's signal aborted, or an `AbortError`) is `CanceledError`; then the
 * Azure error code (`x-ms-error-code`, e.g. `BlobNotFound`) or Node network code (`ECONNRESET`) in
 * {@link azureBlobErrorTable}; then, for a `RestError`, the HTTP status (below). Anything else (a bug, a
 * broken SDK invariant) is `PermanentError` with its own message.
 *
 * | status, when the code is not in the table | error           |
 * | ----------------------------------------- | --------------- |
 * | 404                                       | NotFoundError   |
 * | 401, 403                                  | AuthError       |
 * | 409, 412                                  | ConflictError   |
 * | 429, 503                                  | ThrottledError (`retryAfter` from `Retry-After`) |
 * | 408, 500, 502, 504 and other 5xx          | TransientError  |
 * | no status (the request never got an answer) | TransientError |
 * | other 4xx                                 | PermanentError  |
 *
 * Messages say which call failed, the Azure error code, the HTTP status and the request id (what Azure
 * support asks for), and a hint for the common codes. They never include the SDK's message or the request
 * URL: an authentication failure's message quotes the string Azure signed, and URLs may carry a SAS.
 */
import {
  AuthError,
  CanceledError,
  ConflictError,
  type HoldfastError,
  isHoldfastError,
  NotFoundError,
  parseRetryAfter,
  PermanentError,
  ThrottledError,
  TransientError,
} from '@holdfast/engine';

/** The engine error classes the table maps to. */
export type AzureBlobErrorClass =
  | typeof NotFoundError
  | typeof ConflictError
  | typeof ThrottledError
  | typeof TransientError
  | typeof AuthError
  | typeof PermanentError;

/** One row of the table: the class, and what the code means for the person reading the message. */
export interface AzureBlobErrorRow {
  readonly error: AzureBlobErrorClass;
  readonly hint?: string | undefined;
}

const authHint = 'the account key, SAS or token was refused, has expired, or lacks the permission';
const networkHint = 'no answer from the service';

/**
 * Azure Blob error codes (from Azure's "Blob Storage error codes" and "Common REST API error codes") and
 * Node network error codes, by the engine error they become. Codes not listed fall back to the HTTP status.
 */
export const azureBlobErrorTable: Readonly<Record<string, AzureBlobErrorRow>> = {
  BlobNotFound: { error: NotFoundError, hint: 'no such blob' },
  ContainerNotFound: {
    error: NotFoundError,
    hint: 'the container does not exist (create it first: the adapter never creates containers)',
  },
  ResourceNotFound: { error: NotFoundError },
  BlobAlreadyExists: { error: ConflictError, hint: 'the name is taken' },
  ConditionNotMet: { error: ConflictError, hint: 'the blob changed meanwhile' },
  InvalidBlockList: {
    error: ConflictError,
    hint: 'the staged blocks are gone: another write or delete of this blob committed while they were staged',
  },
  BlobImmutableDueToPolicy: { error: ConflictError, hint: 'an immutability policy protects the blob' },
  BlobImmutableDueToLegalHold: { error: ConflictError, hint: 'a legal hold protects the blob' },
  SnapshotsPresent: { error: ConflictError, hint: 'the blob has snapshots' },
  LeaseIdMissing: { error: ConflictError, hint: 'the blob is leased' },
  LeaseAlreadyPresent: { error: ConflictError, hint: 'the blob is leased' },
  ContainerBeingDeleted: { error: ConflictError, hint: 'the container is being deleted' },
  ContainerDisabled: { error: PermanentError, hint: 'an administrator disabled the container' },
  BlobArchived: { error: PermanentError, hint: 'the blob is in the Archive tier: rehydrate it first' },
  BlockCountExceedsLimit: { error: PermanentError, hint: 'more than 50,000 blocks: raise blockSize' },
  ServerBusy: { error: ThrottledError, hint: 'the account is over its request or bandwidth limits' },
  OperationTimedOut: { error: TransientError, hint: 'the service timed out' },
  InternalError: { error: TransientError, hint: 'the service failed' },
  Md5Mismatch: { error: TransientError, hint: 'the bytes were damaged on the way' },
  Crc64Mismatch: { error: TransientError, hint: 'the bytes were damaged on the way' },
  AuthenticationFailed: { error: AuthError, hint: authHint },
  AuthorizationFailure: { error: AuthError, hint: authHint },
  AuthorizationPermissionMismatch: { error: AuthError, hint: 'the credentials lack the permission' },
  AuthorizationResourceTypeMismatch: { error: AuthError, hint: 'the SAS does not cover this resource type' },
  AuthorizationServiceMismatch: { error: AuthError, hint: 'the SAS does not cover the Blob service' },
  AuthorizationProtocolMismatch: { error: AuthError, hint: 'the SAS does not allow this protocol' },
  AuthorizationSourceIPMismatch: { error: AuthError, hint: 'the SAS does not allow this IP address' },
  InsufficientAccountPermissions: { error: AuthError, hint: 'the credentials lack the permission' },
  AccountIsDisabled: { error: AuthError, hint: 'the storage account is disabled' },
  KeyBasedAuthenticationNotPermitted: {
    error: AuthError,
    hint: 'the account refuses Shared Key authorization: use Entra ID or a user delegation SAS',
  },
  InvalidAuthenticationInfo: { error: AuthError, hint: authHint },
  NoAuthenticationInformation: { error: AuthError, hint: 'the request carried no credentials' },
  ECONNRESET: { error: TransientError, hint: networkHint },
  ECONNREFUSED: { error: TransientError, hint: networkHint },
  ECONNABORTED: { error: TransientError, hint: networkHint },
  ETIMEDOUT: { error: TransientError, hint: networkHint },
  EPIPE: { error: TransientError, hint: networkHint },
  EAI_AGAIN: { error: TransientError, hint: 'DNS lookup failed' },
  ENOTFOUND: { error: TransientError, hint: 'DNS lookup failed (is the account name right?)' },
  EHOSTUNREACH: { error: TransientError, hint: networkHint },
  ENETUNREACH: { error: TransientError, hint: networkHint },
  ENETDOWN: { error: TransientError, hint: networkHint },
  REQUEST_SEND_ERROR: { error: TransientError, hint: networkHint },
};

/** The parts of an SDK error (`RestError` of `@azure/core-rest-pipeline`) the table reads. */
interface RestErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly details?: { readonly errorCode?: unknown } | undefined;
  readonly response?: { readonly headers?: { get?: (name: string) => string | undefined } } | undefined;
}

/** A header of the error's response, if it has one. */
function headerOf(error: RestErrorShape, name: string): string | undefined {
  const headers = error.response?.headers;
  return typeof headers?.get === 'function' ? headers.get(name) : undefined;
}

/**
 * The Azure (or network) error code of an SDK error: `code` of the RestError, else the parsed body's, else
 * the `x-ms-error-code` header (a HEAD answer has no body, so the SDK leaves `code` unset).
 */
export function azureErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const shape = error as RestErrorShape;
  for (const code of [shape.code, shape.details?.errorCode, headerOf(shape, 'x-ms-error-code')]) {
    if (typeof code === 'string' && code !== '') return code;
  }
  return undefined;
}

/** The wait the service asked for, in milliseconds: `x-ms-retry-after-ms`/`retry-after-ms`, else `Retry-After`. */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const shape = error as RestErrorShape;
  for (const name of ['x-ms-retry-after-ms', 'retry-after-ms']) {
    const text = headerOf(shape, name)?.trim();
    if (text !== undefined && /^\d+$/.test(text)) return Number(text);
  }
  return parseRetryAfter(headerOf(shape, 'retry-after'));
}

/** The class for a status without a known code. */
function classOfStatus(status: number | undefined): AzureBlobErrorClass {
  if (status === undefined) return TransientError;
  if (status === 404) return NotFoundError;
  if (status === 401 || status === 403) return AuthError;
  if (status === 409 || status === 412) return ConflictError;
  if (status === 429 || status === 503) return ThrottledError;
  if (status === 408 || status >= 500) return TransientError;
  return PermanentError;
}

/**
 * Translates what an Azure SDK call threw into a Holdfast error. `what` names the call (`get of key
 * "data/ab"`); `signal` is the call's signal, to tell a cancellation from a dropped connection. Holdfast
 * errors pass through unchanged.
 */
export function azureBlobError(error: unknown, what: string, signal?: AbortSignal): HoldfastError {
  if (isHoldfastError(error)) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as RestErrorShape;
  if (signal?.aborted === true || shape.name === 'AbortError') {
    return new CanceledError(`Azure Blob ${what}: cancelled`, { cause: error });
  }
  const code = azureErrorCode(error);
  const row = code === undefined ? undefined : azureBlobErrorTable[code];
  if (shape.name !== 'RestError' && row === undefined) {
    // Neither from the service nor a known network failure: a bug or a broken SDK invariant, which its
    // own message describes best.
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new PermanentError(`Azure Blob ${what} failed: ${text}`, { cause: error });
  }
  const status = typeof shape.statusCode === 'number' ? shape.statusCode : undefined;
  const ErrorClass = row?.error ?? classOfStatus(status);
  const requestId = headerOf(shape, 'x-ms-request-id');
  const facts = [code, status === undefined ? undefined : `HTTP ${status}`, requestId && `request id ${requestId}`];
  const hint = row?.hint === undefined ? '' : `: ${row.hint}`;
  const message = `Azure Blob ${what} failed (${facts.filter(Boolean).join(', ') || 'no answer'})${hint}`;
  if (ErrorClass === ThrottledError) {
    const retryAfter = retryAfterOf(error);
    return new ThrottledError(message, { cause: error, ...(retryAfter === undefined ? {} : { retryAfter }) });
  }
  return new ErrorClass(message, { cause: error });
}

/** Throws `CanceledError` (with the signal's reason as its cause) when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw new CanceledError(`Azure Blob ${what}: cancelled`, { cause: signal.reason });
}
