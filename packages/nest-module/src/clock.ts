/** @internal The time and timers the module's shutdown bound and consumer statistics run on; tests inject a fake one. */
export interface TxmqClock {
  /** Milliseconds since the epoch (message timestamps are compared with it). */
  now(): number;
  /** Calls `callback` once, `ms` from now. */
  setTimer(callback: () => void, ms: number): unknown;
  /** Cancels a timer `setTimer` returned. */
  clearTimer(timer: unknown): void;
}

/** @internal {@link TxmqClock} on `Date.now()` and Node timers. */
export const SYSTEM_CLOCK: TxmqClock = {
  now: () => Date.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
};
