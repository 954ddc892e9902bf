import { PublishError } from '../errors.js';
import { SYSTEM_CLOCK, type WakeUpClock } from '../outbox/wake-up.js';

/** What the window needs to know of a row: its id and its message group, if any. */
export interface WindowRow {
  readonly id: string;
  readonly messageGroup: string | undefined;
}

/** How one publish ended: the transport's receipt, or why it failed (a timeout included). */
export type PublishResult = { readonly ok: true; readonly receipt: unknown } | { readonly ok: false; readonly error: unknown };

/** Options of {@link PublishWindow}. */
export interface PublishWindowOptions<R extends WindowRow> {
  /** Most publishes running at once (one per lane). */
  readonly maxInFlight: number;
  /** A publish not settled after this long fails with a `PUBLISH_TIMEOUT` PublishError, in ms. */
  readonly timeoutMs: number;
  /** Hands one row to the transport. */
  readonly publish: (row: R) => Promise<unknown>;
  /**
   * Records how the publish of `row` ended; returns whether its lane goes on. `false` hands the
   * lane's later rows to `release` unattempted (a group must not overtake its failed row).
   */
  readonly settle: (row: R, result: PublishResult) => boolean;
  /** Gives back a claimed row that was not attempted. */
  readonly release: (row: R) => void;
  /** Called after every settled publish (a slot may have become free). */
  readonly onSettled?: () => void;
  /** Default {@link SYSTEM_CLOCK}; tests inject a fake one. */
  readonly clock?: WakeUpClock;
}

/**
 * The relay's in-flight window: claimed rows are published concurrently, up to `maxInFlight`
 * publishes at a time, so a batching producer gets many sends at once.
 *
 * Invariant (per-group FIFO): rows run on lanes. A row without a group is a lane of its own; all
 * rows of one message group share one lane, which publishes them one at a time in admission
 * order (ascending id) and starts a row only after the previous one settled successfully. A lane
 * never has more than one publish running, and {@link free} counts lanes, so admitting at most
 * `free` lanes keeps at most `maxInFlight` publishes running.
 */
export class PublishWindow<R extends WindowRow> {
  readonly #options: PublishWindowOptions<R>;
  readonly #clock: WakeUpClock;
  /** Waiting rows of each group with a running lane; the running row is not in the list. */
  readonly #groups = new Map<string, R[]>();
  #lanes = 0;
  #held = 0;
  #idle: (() => void)[] = [];

  constructor(options: PublishWindowOptions<R>) {
    this.#options = options;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** Publishes running now (= lanes, each runs one at a time). */
  get inFlight(): number {
    return this.#lanes;
  }

  /** Rows admitted and not yet settled or released: running plus waiting behind their group's head. */
  get held(): number {
    return this.#held;
  }

  /** How many more lanes may start: a new group or an ungrouped row takes one. */
  get free(): number {
    return Math.max(0, this.#options.maxInFlight - this.#lanes);
  }

  /**
   * Admits rows in id order. A row of a group already running here waits behind it; every other
   * row starts a lane at once. The caller admits at most {@link free} new lanes.
   */
  admit(rows: readonly R[]): void {
    for (const row of rows) {
      this.#held++;
      const group = row.messageGroup;
      if (group === undefined) {
        this.#startLane(row);
        continue;
      }
      const waiting = this.#groups.get(group);
      if (waiting !== undefined) waiting.push(row);
      else {
        this.#groups.set(group, []);
        this.#startLane(row);
      }
    }
  }

  /** Resolves once every admitted row has settled or been released. */
  idle(): Promise<void> {
    if (this.#held === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #startLane(row: R): void {
    this.#lanes++;
    void this.#runLane(row);
  }

  async #runLane(first: R): Promise<void> {
    const group = first.messageGroup;
    for (let row: R | undefined = first; row !== undefined; ) {
      const result = await this.#publish(row);
      this.#held--;
      const goOn = this.#settle(row, result);
      row = group === undefined ? undefined : this.#groups.get(group)?.shift();
      if (!goOn && row !== undefined && group !== undefined) {
        const rest = [row, ...(this.#groups.get(group) ?? [])];
        this.#groups.delete(group);
        this.#held -= rest.length;
        for (const waiting of rest) this.#release(waiting);
        row = undefined;
      }
      if (row === undefined && group !== undefined) this.#groups.delete(group);
      if (row === undefined) this.#lanes--;
      this.#options.onSettled?.();
    }
    if (this.#held === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  #publish(row: R): Promise<PublishResult> {
    return new Promise<PublishResult>((resolve) => {
      let done = false;
      const finish = (result: PublishResult) => {
        if (done) return;
        done = true;
        this.#clock.clearTimer(timer);
        resolve(result);
      };
      const { timeoutMs } = this.#options;
      const timer = this.#clock.setTimer(
        // An outage, not the message's fault: the transport may even have stored it (consumers dedupe).
        () => finish({ ok: false, error: new PublishError(`publish did not settle within ${timeoutMs} ms`, { retryable: true, unavailable: true, transportCode: 'PUBLISH_TIMEOUT' }) }),
        timeoutMs,
      );
      let publishing: Promise<unknown>;
      try {
        publishing = this.#options.publish(row);
      } catch (error) {
        publishing = Promise.reject(error);
      }
      publishing.then(
        (receipt) => finish({ ok: true, receipt }),
        (error: unknown) => finish({ ok: false, error }),
      );
    });
  }

  #settle(row: R, result: PublishResult): boolean {
    try {
      return this.#options.settle(row, result);
    } catch {
      return false;
    }
  }

  #release(row: R): void {
    try {
      this.#options.release(row);
    } catch {
      // The relay's release only buffers; nothing to recover here.
    }
  }
}
