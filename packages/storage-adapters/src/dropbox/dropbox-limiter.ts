/**
 * Bounded concurrency for Dropbox calls: a counting semaphore whose waits can be cancelled, and a pair of
 * them per call, the member's first and then the app's. In that order a call waiting for its member's
 * turn holds nothing, and a call waiting for the app's turn holds only a member permit, while every app
 * permit is held by a call that has all it needs and will finish: no deadlock, and one busy member
 * cannot hold app permits it is not using.
 */
import { CanceledError } from '@holdfast/engine';

/** A counting semaphore (FIFO) with cancellable waits. */
export class Semaphore {
  readonly #limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Permits held now. */
  get active(): number {
    return this.#active;
  }

  /** Waits for a permit; rejects with `CanceledError` if `signal` fires first. */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) throw canceled(signal);
    if (this.#active < this.#limit) {
      this.#active += 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const at = this.#waiting.indexOf(grant);
        if (at !== -1) this.#waiting.splice(at, 1);
        reject(canceled(signal));
      };
      this.#waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Returns a permit (handing it to the next waiter, if any). */
  release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#active -= 1;
    else next();
  }
}

/** Takes `semaphores` in order; returns a release function that gives them back (once). */
export async function acquireAll(semaphores: readonly Semaphore[], signal?: AbortSignal): Promise<() => void> {
  const held: Semaphore[] = [];
  try {
    for (const semaphore of semaphores) {
      await semaphore.acquire(signal);
      held.push(semaphore);
    }
  } catch (error) {
    for (const semaphore of held.reverse()) semaphore.release();
    throw error;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const semaphore of held.reverse()) semaphore.release();
  };
}

function canceled(signal: AbortSignal | undefined): Error {
  // The signal's own reason, as the port contract allows (an Error in practice).
  const reason = signal?.reason as Error | undefined;
  return reason ?? new CanceledError('Dropbox: the call was cancelled');
}
