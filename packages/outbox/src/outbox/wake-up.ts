import { CompiledQuery, type Kysely } from 'kysely';

/**
 * When, after the latest `send`, the outbox sends a wake-up: right after the commit of the common
 * short transaction (a `send` late in it, then COMMIT), then again so a wake-up also follows the
 * commit of a longer one. A transaction that commits later than the last step is found by the
 * relays' next poll.
 */
export const WAKE_UP_DELAYS_MS: readonly number[] = [2, 10, 40, 160];

/**
 * Least time between two wake-ups. Under steady load relays are woken every 10 ms instead of after
 * every send: each NOTIFY is a transaction of its own (with `synchronous_commit` off, so it waits
 * for no WAL flush), and a busy relay does not need them: it claims again as soon as its previous
 * publishes are recorded, finding every row committed meanwhile in one claim.
 */
export const WAKE_UP_MIN_GAP_MS = 10;

/** The time and timers {@link WakeUpScheduler} runs on; tests inject a fake one. */
export interface WakeUpClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `callback` once, `ms` from now; must not keep the process alive. */
  setTimer(callback: () => void, ms: number): unknown;
  /** Cancels a timer `setTimer` returned. */
  clearTimer(timer: unknown): void;
}

/** {@link WakeUpClock} on `performance.now()` and unref'd Node timers. */
export const SYSTEM_CLOCK: WakeUpClock = {
  now: () => performance.now(),
  setTimer(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** Options of {@link WakeUpScheduler}. */
export interface WakeUpOptions {
  /** Sends one wake-up; its failure is ignored (relays poll as the source of truth). */
  readonly notify: () => Promise<unknown>;
  /** Ascending delays after the latest send; default {@link WAKE_UP_DELAYS_MS}. */
  readonly delaysMs?: readonly number[];
  /** Least time between two wake-ups; default {@link WAKE_UP_MIN_GAP_MS}. */
  readonly minGapMs?: number;
  /** Default {@link SYSTEM_CLOCK}. */
  readonly clock?: WakeUpClock;
}

/**
 * Coalesces wake-ups of LISTENing relays. `send` only marks the outbox dirty; the scheduler sends
 * a NOTIFY of its own, outside the caller's transaction, `delaysMs[0]` after a send and again at
 * each later step after the latest send, but never sooner than `minGapMs` after the previous one.
 * Under steady load that is one NOTIFY per `minGapMs` whatever the transaction rate, and at most
 * one is in flight at a time.
 *
 * Why not NOTIFY inside the caller's transaction: Postgres holds a database-wide lock from the
 * notifying transaction's pre-commit until its commit is flushed, so concurrent notifying commits
 * are serialized (no group commit): that cost ~40% of throughput at 8 connections.
 */
export class WakeUpScheduler {
  readonly #notify: () => Promise<unknown>;
  readonly #delaysMs: readonly number[];
  readonly #minGapMs: number;
  readonly #clock: WakeUpClock;
  #lastSendAt = Number.NEGATIVE_INFINITY;
  #lastFiredAt = Number.NEGATIVE_INFINITY;
  #timer: unknown;
  #dueAt = Number.POSITIVE_INFINITY;
  #inFlight = false;
  #fireAgain = false;

  constructor(options: WakeUpOptions) {
    this.#notify = options.notify;
    this.#delaysMs = options.delaysMs ?? WAKE_UP_DELAYS_MS;
    this.#minGapMs = options.minGapMs ?? WAKE_UP_MIN_GAP_MS;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** Records a send: a wake-up follows `delaysMs[0]` later (or sooner, if one is already due). */
  sent(): void {
    const now = this.#clock.now();
    this.#lastSendAt = now;
    this.#schedule(now + (this.#delaysMs[0] ?? 0));
  }

  #schedule(requested: number): void {
    const at = Math.max(requested, this.#lastFiredAt + this.#minGapMs);
    if (this.#timer !== undefined && this.#dueAt <= at) return;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#dueAt = at;
    this.#timer = this.#clock.setTimer(() => this.#fire(), Math.max(0, at - this.#clock.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#dueAt = Number.POSITIVE_INFINITY;
    this.#lastFiredAt = this.#clock.now();
    this.#send();
    // Timers may fire up to a millisecond early: a step due within 2 ms counts as this one.
    const now = this.#clock.now() + 2;
    const next = this.#delaysMs.map((d) => this.#lastSendAt + d).find((at) => at > now);
    if (next !== undefined) this.#schedule(next);
  }

  #send(): void {
    if (this.#inFlight) {
      this.#fireAgain = true;
      return;
    }
    this.#inFlight = true;
    void this.#notify()
      .catch(() => undefined)
      .finally(() => {
        this.#inFlight = false;
        if (this.#fireAgain) {
          this.#fireAgain = false;
          this.#send();
        }
      });
  }
}

/**
 * Sends one wake-up on `channel` through the pool of `db`, in its own single-statement
 * transaction. `synchronous_commit` is off for that transaction only: the notification is a hint,
 * so its commit need not wait for a WAL flush (and holds the NOTIFY lock for microseconds).
 */
export function notifyVia(db: Kysely<any>, channel: string): () => Promise<unknown> {
  const query = CompiledQuery.raw(`select set_config('synchronous_commit', 'off', true), pg_notify($1, '')`, [channel]);
  return () => db.executeQuery(query);
}
