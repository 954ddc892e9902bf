/** At most `limit` callers of {@link Semaphore.run} run at once; the others wait in order. */
export class Semaphore {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Calls `fn` once fewer than `limit` calls are running, and resolves or rejects as it does. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running += 1;
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so #running stays counted for it.
      if (next !== undefined) next();
      else this.#running -= 1;
    }
  }
}
