/**
 * Bounded concurrency for Box calls: at most `perApp` requests in flight for the whole connection (Box
 * limits an app) and at most `perUser` for any one user (Box's rate limits are per user). A call takes a
 * slot of its user and one of the app, in that order, so a busy user never holds app slots while it
 * waits for its own. Waiting honours the call's abort signal. Slots are released while a throttled call
 * sleeps on its `retry-after`, so other users keep going.
 */
import { CanceledError } from '@holdfast/engine';

/** A counting semaphore with a FIFO queue of waiters. */
class Semaphore {
  #free: number;
  readonly #waiters: { resolve: () => void; reject: (error: unknown) => void; signal?: AbortSignal | undefined }[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  get idle(): boolean {
    return this.#waiters.length === 0;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) throw new CanceledError('Box call cancelled', { cause: signal.reason });
    if (this.#free > 0) {
      this.#free -= 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject, signal };
      this.#waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.#waiters.indexOf(waiter);
          if (at === -1) return;
          this.#waiters.splice(at, 1);
          reject(new CanceledError('Box call cancelled', { cause: signal.reason }));
        },
        { once: true },
      );
    });
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#free += 1;
    else next.resolve();
  }
}

/** Options of {@link BoxLimiter}. */
export interface BoxLimiterOptions {
  /** Requests in flight for the connection. Default 16. */
  readonly perApp?: number | undefined;
  /** Requests in flight per user (as-user id, or the token's own user). Default 4. */
  readonly perUser?: number | undefined;
}

/** Per-user and per-app slots; see the module note. */
export class BoxLimiter {
  readonly perApp: number;
  readonly perUser: number;
  readonly #app: Semaphore;
  readonly #users = new Map<string, { semaphore: Semaphore; holders: number }>();

  constructor(options: BoxLimiterOptions = {}) {
    this.perApp = options.perApp ?? 16;
    this.perUser = options.perUser ?? 4;
    this.#app = new Semaphore(this.perApp);
  }

  /** Takes a slot of `user` and of the app; returns the function that gives both back (call it once). */
  async acquire(user: string, signal?: AbortSignal): Promise<() => void> {
    let entry = this.#users.get(user);
    if (entry === undefined) {
      entry = { semaphore: new Semaphore(this.perUser), holders: 0 };
      this.#users.set(user, entry);
    }
    const { semaphore } = entry;
    entry.holders += 1;
    try {
      await semaphore.acquire(signal);
    } catch (error) {
      this.#drop(user);
      throw error;
    }
    try {
      await this.#app.acquire(signal);
    } catch (error) {
      semaphore.release();
      this.#drop(user);
      throw error;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#app.release();
      semaphore.release();
      this.#drop(user);
    };
  }

  #drop(user: string): void {
    const entry = this.#users.get(user);
    if (entry === undefined) return;
    entry.holders -= 1;
    if (entry.holders === 0 && entry.semaphore.idle) this.#users.delete(user);
  }
}
