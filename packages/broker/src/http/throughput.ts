import type { MessageEvent } from '../core/views/index.js';
import { isDeadLetterTopic } from '../rules/names.js';

/** Seconds of history {@link Throughput} keeps (and the API shows). */
export const THROUGHPUT_WINDOW_SECONDS = 300;

/** One second of traffic: messages stored (`in`) and handed to consumers (`out`). */
export interface ThroughputPoint {
  /** Start of the second, ms since the epoch. */
  readonly at: number;
  readonly in: number;
  readonly out: number;
}

/**
 * Messages in and out per second over the last {@link THROUGHPUT_WINDOW_SECONDS}, counted from the
 * core's message events: `stored` is in (but not a dead-letter copy stored in a `%DLQ%` topic: that
 * message came in once already), `delivered` is out. A ring of per-second slots, each
 * stamped with its second so a slot left from a lap ago reads as zero.
 */
export class Throughput {
  readonly #seconds = new Float64Array(THROUGHPUT_WINDOW_SECONDS).fill(-1);
  readonly #in = new Uint32Array(THROUGHPUT_WINDOW_SECONDS);
  readonly #out = new Uint32Array(THROUGHPUT_WINDOW_SECONDS);

  constructor(private readonly now: () => number = Date.now) {}

  /** A MessageEventListener: counts `events` in the current second. */
  readonly record = (events: readonly MessageEvent[]): void => {
    let stored = 0;
    let delivered = 0;
    for (const event of events) {
      if (event.type === 'stored') {
        if (!isDeadLetterTopic(event.topic)) stored++;
      }
      else if (event.type === 'delivered') delivered++;
    }
    if (stored === 0 && delivered === 0) return;
    const slot = this.#slot(Math.floor(this.now() / 1000));
    this.#in[slot]! += stored;
    this.#out[slot]! += delivered;
  };

  /** The last {@link THROUGHPUT_WINDOW_SECONDS} seconds, oldest first, ending with the current one. */
  series(): ThroughputPoint[] {
    const current = Math.floor(this.now() / 1000);
    const points: ThroughputPoint[] = [];
    for (let second = current - THROUGHPUT_WINDOW_SECONDS + 1; second <= current; second++) {
      const slot = second % THROUGHPUT_WINDOW_SECONDS;
      const live = this.#seconds[slot] === second;
      points.push({ at: second * 1000, in: live ? this.#in[slot]! : 0, out: live ? this.#out[slot]! : 0 });
    }
    return points;
  }

  #slot(second: number): number {
    const slot = second % THROUGHPUT_WINDOW_SECONDS;
    if (this.#seconds[slot] !== second) {
      this.#seconds[slot] = second;
      this.#in[slot] = 0;
      this.#out[slot] = 0;
    }
    return slot;
  }
}
