/** A counting semaphore: bounds work in flight and makes the producer wait (backpressure). */
export class Semaphore {
  #available: number;
  readonly #waiters: (() => void)[] = [];

  constructor(count: number) {
    this.#available = count;
  }

  async acquire(): Promise<void> {
    if (this.#available > 0) {
      this.#available--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#available++;
    else next();
  }
}
