import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { BrokerRefusedError } from '../../errors.js';
import { STATUS_CODES } from '../../status-codes.js';

/** Waits `ms`, or less when `signal` aborts (then it resolves, never rejects). */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** Options of {@link ReceiveLoop}. */
export interface ReceiveLoopOptions<T> {
  /** Long polls kept in flight. */
  readonly parallel: number;
  /**
   * One long poll; resolves with what it received (maybe nothing). `signal` aborts it.
   * `attemptId` is new for each poll and the same when a failed one is tried again (RocketMQ's
   * proxy then answers the retry with what the failed poll had taken).
   */
  readonly receive: (signal: AbortSignal, attemptId: string) => Promise<readonly T[]>;
  /** Takes what a long poll received. */
  readonly deliver: (items: readonly T[]) => void;
  /** Resolves when there is room for another long poll's messages. */
  readonly room: () => Promise<void>;
  readonly sleep: Sleep;
  /**
   * A long poll failed; `failures` counts this poller's failures in a row (1 for the first; 0 when
   * the poller itself failed and ended). What it throws is ignored.
   */
  readonly onError: (error: unknown, failures: number) => void;
}

/** First pause after a failed long poll; doubled per failure in a row, up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 3000;
/** Pause after the broker said TOO_MANY_REQUESTS (it has too many polls parked). */
const THROTTLED_BACKOFF_MS = 20;

/** How long a poller waits after its `failures`-th failure in a row, `error`. */
export function receiveBackoffMs(error: unknown, failures: number): number {
  if (error instanceof BrokerRefusedError && error.status === STATUS_CODES.TOO_MANY_REQUESTS) return THROTTLED_BACKOFF_MS;
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, failures - 1));
}

/**
 * Keeps `parallel` long polls in flight: each poller waits for room, receives, hands the result
 * over and polls again; after a failure it backs off (doubling, reset by a success). `stop()`
 * aborts the polls in flight and resolves once every poller has returned; nothing is delivered
 * after that.
 */
export class ReceiveLoop<T> {
  readonly #options: ReceiveLoopOptions<T>;
  readonly #abort = new AbortController();
  readonly #stopped = new Promise<void>((resolve) => this.#abort.signal.addEventListener('abort', () => resolve(), { once: true }));
  #pollers: Promise<void>[] = [];

  constructor(options: ReceiveLoopOptions<T>) {
    this.#options = options;
    // Every poller's receive and pause listens to it.
    setMaxListeners(0, this.#abort.signal);
  }

  /** Starts the pollers (once). */
  start(): void {
    if (this.#pollers.length > 0 || this.#abort.signal.aborted) return;
    const report = (error: unknown) => {
      try {
        this.#options.onError(error, 0);
      } catch {
        // Nothing more to tell.
      }
    };
    for (let i = 0; i < this.#options.parallel; i++) this.#pollers.push(this.#poll().catch(report));
  }

  /** Stops polling; resolves once no poll is in flight. Idempotent. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.all(this.#pollers);
  }

  async #poll(): Promise<void> {
    const { signal } = this.#abort;
    const o = this.#options;
    let failures = 0;
    let attemptId = randomUUID();
    while (!signal.aborted) {
      await Promise.race([o.room(), this.#stopped]);
      if (signal.aborted) return;
      let items: readonly T[];
      try {
        items = await o.receive(signal, attemptId);
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        try {
          o.onError(error, failures);
        } catch {
          // A throwing error report must not end the poller.
        }
        await o.sleep(receiveBackoffMs(error, failures), signal);
        continue;
      }
      failures = 0;
      attemptId = randomUUID();
      if (signal.aborted) return;
      if (items.length > 0) o.deliver(items);
    }
  }
}
