import type { TxmqClock } from '../clock.js';

/** A point in time the steps of a shutdown race against; `dispose()` cancels its timer. */
export class Deadline {
  readonly #clock: TxmqClock;
  readonly #at: number;
  readonly #timer: unknown;
  readonly #passed: Promise<false>;
  #expired = false;

  constructor(clock: TxmqClock, ms: number) {
    this.#clock = clock;
    this.#at = clock.now() + ms;
    let expire!: () => void;
    this.#passed = new Promise<false>((resolve) => (expire = () => resolve(false)));
    this.#timer = clock.setTimer(() => {
      this.#expired = true;
      expire();
    }, ms);
  }

  /** True once the deadline has passed. */
  get expired(): boolean {
    return this.#expired;
  }

  /** Milliseconds left (0 once passed). */
  remainingMs(): number {
    return this.#expired ? 0 : Math.max(0, this.#at - this.#clock.now());
  }

  /**
   * Resolves `true` when `work` settles (fulfilled or rejected: its failure is `onError`'s) before
   * the deadline, `false` when the deadline passes first; `work` goes on in the background then.
   */
  async within(work: Promise<unknown>, onError: (error: unknown) => void): Promise<boolean> {
    const settled = work.then(
      () => true as const,
      (error: unknown) => {
        onError(error);
        return true as const;
      },
    );
    if (this.#expired) return Promise.race([settled, Promise.resolve(false as const)]);
    return Promise.race([settled, this.#passed]);
  }

  /** Waits `ms`, or less when the deadline comes first; resolves `false` once it has passed. */
  sleep(ms: number): Promise<boolean> {
    if (this.#expired) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      this.#clock.setTimer(() => resolve(!this.#expired && this.remainingMs() > 0), Math.min(ms, this.remainingMs()));
    });
  }

  dispose(): void {
    this.#clock.clearTimer(this.#timer);
    this.#expired = true;
  }
}
