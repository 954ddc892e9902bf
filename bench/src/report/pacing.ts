/** Time source of {@link paced}: injected so tests run it without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock: `performance.now()` and timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** When event `i` of a schedule of `rate` per second starting at `start` is due (ms). */
export function dueAt(start: number, i: number, rate: number): number {
  return start + (i * 1000) / rate;
}

/**
 * Calls `fire(i)` for i in [0, count) at `rate` per second, each as soon as it is due; a late call
 * does not delay the schedule of the next ones (an open-loop load generator). `fire` is not
 * awaited: whatever it starts runs alongside the schedule. Resolves after the last call.
 */
export async function paced(count: number, rate: number, fire: (i: number) => void, clock: Clock = realClock): Promise<void> {
  const start = clock.now();
  for (let i = 0; i < count; i++) {
    const wait = dueAt(start, i, rate) - clock.now();
    if (wait > 0) await clock.sleep(wait);
    fire(i);
  }
}
