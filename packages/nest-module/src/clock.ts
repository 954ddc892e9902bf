/** @internal The time and timers the module's shutdown bound and consumer statistics run on; tests inject a fake one. */
export interface TxmqClock {
  /** Milliseconds since the epoch (message timestamps are compared with it). */
  now(): number;
  /** Calls `callback` once, `ms` from now; the timer must not keep the process alive. */
  setTimer(callback: () => void, ms: number): unknown;
  /** Cancels a timer `setTimer` returned. */
  clearTimer(timer: unknown): void;
}

/** @internal {@link TxmqClock} on `Date.now()` and unref'd Node timers. */
export const SYSTEM_CLOCK: TxmqClock = {
  now: () => Date.now(),
  setTimer(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
};
