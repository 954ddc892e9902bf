import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** Give up after this many ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Pause between checks, in ms (default 20). */
  readonly intervalMs?: number;
}

/**
 * Polls `check` until it returns a truthy value and resolves to that value; after `timeoutMs`
 * rejects with an error that names `what`. The one polling helper of txmq's tests: use it for
 * conditions another process or a background task makes true, never to wait out a fixed time.
 */
export async function eventually<T>(what: string, check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(options.intervalMs ?? 20);
  }
}
