import { completeRows, type Failure, type Outcome, type Release, type Success } from './complete.js';
import type { Kysely } from 'kysely';

/**
 * Collects publish outcomes and writes them in batches, one flush at a time. A failed flush keeps
 * the outcomes and retries; if the process dies first, the leases expire and the rows are
 * published again (a duplicate, never a loss).
 */
export class CompletionBuffer {
  readonly #db: Kysely<any>;
  readonly #schema: string;
  readonly #retainSent: boolean;
  readonly #onError: (error: unknown) => void;
  readonly #onFlushed: (outcome: Outcome) => void;
  #successes: Success[] = [];
  #failures: Failure[] = [];
  #releases: Release[] = [];
  #flushing: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: {
    db: Kysely<any>;
    schema: string;
    retainSent: boolean;
    onError: (error: unknown) => void;
    onFlushed: (outcome: Outcome) => void;
  }) {
    this.#db = options.db;
    this.#schema = options.schema;
    this.#retainSent = options.retainSent;
    this.#onError = options.onError;
    this.#onFlushed = options.onFlushed;
  }

  get size(): number {
    return this.#successes.length + this.#failures.length + this.#releases.length;
  }

  succeed(outcome: Success): void {
    this.#successes.push(outcome);
    this.#schedule();
  }

  fail(outcome: Failure): void {
    this.#failures.push(outcome);
    this.#schedule();
  }

  release(outcome: Release): void {
    this.#releases.push(outcome);
    this.#schedule();
  }

  /** Writes everything buffered so far; resolves when the buffer is empty or `giveUp` says so. */
  async drain(giveUp: () => boolean = () => false): Promise<void> {
    while (this.size > 0 || this.#flushing !== undefined) {
      if (this.#flushing === undefined) this.#flushing = this.#flush();
      await this.#flushing;
      if (this.size > 0 && giveUp()) return;
      if (this.size > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops retry timers (used when the relay stops without a database to write to). */
  dispose(): void {
    clearTimeout(this.#retryTimer);
  }

  #schedule(): void {
    if (this.#flushing !== undefined || this.#retryTimer !== undefined) return;
    // Let the outcomes of the same tick accumulate into one statement.
    this.#flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#flush());
  }

  async #flush(): Promise<void> {
    try {
      while (this.size > 0) {
        const outcome = { successes: this.#successes, failures: this.#failures, releases: this.#releases };
        this.#successes = [];
        this.#failures = [];
        this.#releases = [];
        try {
          await completeRows(this.#db, this.#schema, this.#retainSent, outcome);
          this.#onFlushed(outcome);
        } catch (error) {
          this.#successes.unshift(...outcome.successes);
          this.#failures.unshift(...outcome.failures);
          this.#releases.unshift(...outcome.releases);
          this.#onError(error);
          this.#retryTimer = setTimeout(() => {
            this.#retryTimer = undefined;
            this.#schedule();
          }, 1_000);
          this.#retryTimer.unref();
          return;
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }
}
