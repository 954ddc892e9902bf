/** Options of {@link Dispatcher}. */
export interface DispatcherOptions<T> {
  /** Items handled at once at most. */
  readonly concurrency: number;
  /** The FIFO group of an item: items of one group are handled one at a time, in push order. */
  readonly groupOf: (item: T) => string | undefined;
  /** Handles one item; a rejection is reported to `onError` and does not stop the dispatcher. */
  readonly run: (item: T) => Promise<void>;
  /** What it throws is ignored. */
  readonly onError?: (error: unknown, item: T) => void;
}

/**
 * Runs items with at most `concurrency` at once. Items that share a group run one after another
 * in the order they were pushed; items of other groups (or of none) run alongside. An item waiting
 * for its group takes no slot, so one busy group never holds back the others.
 */
export class Dispatcher<T> {
  readonly #options: DispatcherOptions<T>;
  /** Items free to start, in push order. */
  readonly #ready: T[] = [];
  /** Per group with an item ready or running: the group's later items. */
  readonly #behind = new Map<string, T[]>();
  readonly #roomWaiters: Array<{ limit: number; wake: () => void }> = [];
  readonly #idleWaiters: Array<() => void> = [];
  #running = 0;
  #queued = 0;
  #stopped = false;

  constructor(options: DispatcherOptions<T>) {
    this.#options = options;
  }

  /** Items not started yet. */
  get queued(): number {
    return this.#queued;
  }

  /** Items being handled. */
  get running(): number {
    return this.#running;
  }

  /** Queues an item (ignored once stopped). */
  push(item: T): void {
    if (this.#stopped) return;
    this.#queued += 1;
    const group = this.#options.groupOf(item);
    const behind = group === undefined ? undefined : this.#behind.get(group);
    if (behind) {
      behind.push(item);
    } else {
      if (group !== undefined) this.#behind.set(group, []);
      this.#ready.push(item);
    }
    this.#pump();
  }

  /** Resolves once fewer than `limit` items are queued or running (at once if already so, or when stopped). */
  whenBelow(limit: number): Promise<void> {
    if (this.#stopped || this.#queued + this.#running < limit) return Promise.resolve();
    return new Promise((wake) => this.#roomWaiters.push({ limit, wake }));
  }

  /**
   * Starts nothing more and returns the items that had not started (each group in its order); running
   * items go on. {@link idle} tells when they are done.
   */
  stop(): T[] {
    this.#stopped = true;
    const dropped = [...this.#ready, ...[...this.#behind.values()].flat()];
    this.#ready.length = 0;
    this.#behind.clear();
    this.#queued = 0;
    this.#wakeWaiters();
    return dropped;
  }

  /** Resolves once no item is running. */
  idle(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((wake) => this.#idleWaiters.push(wake));
  }

  #pump(): void {
    while (!this.#stopped && this.#running < this.#options.concurrency && this.#ready.length > 0) {
      const item = this.#ready.shift()!;
      this.#queued -= 1;
      this.#running += 1;
      void this.#start(item);
    }
  }

  async #start(item: T): Promise<void> {
    try {
      await this.#options.run(item);
    } catch (error) {
      try {
        this.#options.onError?.(error, item);
      } catch {
        // A throwing report must not leave the item running.
      }
    } finally {
      this.#running -= 1;
      this.#release(item);
      this.#pump();
      this.#wakeWaiters();
    }
  }

  /** Lets the next item of a finished item's group become ready. */
  #release(item: T): void {
    const group = this.#options.groupOf(item);
    if (group === undefined) return;
    const behind = this.#behind.get(group);
    if (!behind) return;
    const next = behind.shift();
    if (next === undefined) this.#behind.delete(group);
    else this.#ready.push(next);
  }

  #wakeWaiters(): void {
    const size = this.#queued + this.#running;
    const waiting = this.#roomWaiters.splice(0);
    for (const waiter of waiting) {
      if (this.#stopped || size < waiter.limit) waiter.wake();
      else this.#roomWaiters.push(waiter);
    }
    if (this.#running === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }
}
