/**
 * Cancellation helpers. The SDK's JSON calls take no `AbortSignal`, so a call that is already sent cannot
 * be stopped; {@link raceAbort} makes the port call reject promptly with `CanceledError` all the same, and
 * leaves the request to finish on its own (metadata reads, a list page, a delete: small requests).
 */
import { CanceledError } from '@holdfast/engine';

/** Throws `CanceledError` (the signal's reason as cause) when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw new CanceledError(`GCS ${what}: cancelled`, { cause: signal.reason });
}

/**
 * Starts `call` unless `signal` has fired, and resolves with its result, or rejects with `CanceledError` as
 * soon as `signal` fires. When the signal wins, `afterAbort` (if given) receives the call's late value,
 * e.g. to cancel a resumable session that was created anyway.
 */
export async function raceAbort<T>(
  call: () => Promise<T>,
  signal: AbortSignal | undefined,
  what: string,
  afterAbort?: (value: T) => Promise<void>,
): Promise<T> {
  throwIfAborted(signal, what);
  const promise = call();
  if (signal === undefined) return promise;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      reject(new CanceledError(`GCS ${what}: cancelled`, { cause: signal.reason }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } catch (error) {
    if (signal.aborted) {
      promise.then(afterAbort ?? (() => undefined), () => undefined).catch(() => undefined);
    }
    throw error;
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}
