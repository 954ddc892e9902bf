import type { ReceivedMessage } from '@txmq/broker/client';
import type { TxmqClock } from '../clock.js';

/**
 * What one consumer group of the `@OnMessage` handlers has done in this process since it
 * started, as measured on the consumer side (`TxmqConsumers.stats()`). Ages are as of the call.
 */
export interface ConsumerStats {
  readonly group: string;
  /** The topics the group's handlers consume. */
  readonly topics: readonly string[];
  /** Messages received whose handler has not settled yet (running, or waiting for `concurrency`). */
  readonly inFlight: number;
  /** Deliveries acknowledged: the handler committed, or the inbox recognised a duplicate. */
  readonly handled: number;
  /** Deliveries not acknowledged: the handler (or a guard, pipe or interceptor) failed and rolled back. */
  readonly failed: number;
  /** How long the oldest in-flight message has been in flight, in ms (0 when none is). */
  readonly oldestInFlightMs: number;
  /**
   * Delivery lag of the last first delivery received: the time of receipt minus the later of the
   * message's `bornAt` and `deliverAt`, in ms (never negative). Redeliveries are left out: their
   * delay is the retry backoff, not the consumer falling behind. Undefined before the first.
   */
  readonly lagMs: number | undefined;
  /** How long ago the message that measured `lagMs` was received, in ms. */
  readonly lagAgeMs: number | undefined;
  /** When the group last received a message (any delivery attempt). */
  readonly lastReceivedAt: Date | undefined;
}

/** One message received whose handler has not settled yet. */
export interface InFlightMessage {
  /** `Class.method` of the handler. */
  readonly handler: string;
  readonly messageId: string;
  /** Epoch ms. */
  readonly receivedAt: number;
}

/** The counters of one consumer group behind {@link ConsumerStats}. */
export class GroupStats {
  readonly #group: string;
  readonly #topics: readonly string[];
  readonly #clock: TxmqClock;
  readonly #inFlight = new Set<InFlightMessage>();
  #handled = 0;
  #failed = 0;
  #lag: { ms: number; at: number } | undefined;
  #lastReceivedAt: number | undefined;

  constructor(group: string, topics: readonly string[], clock: TxmqClock) {
    this.#group = group;
    this.#topics = Object.freeze([...topics]);
    this.#clock = clock;
  }

  /** Records a receipt; pass what it returns to {@link settled} once the delivery is decided. */
  received(message: ReceivedMessage, handler: string, messageId: string): InFlightMessage {
    const now = this.#clock.now();
    this.#lastReceivedAt = now;
    if (message.deliveryAttempt <= 1) {
      const ms = deliveryLag(message, now);
      if (ms !== undefined) this.#lag = { ms, at: now };
    }
    const entry = { handler, messageId, receivedAt: now };
    this.#inFlight.add(entry);
    return entry;
  }

  settled(entry: InFlightMessage, acknowledged: boolean): void {
    if (!this.#inFlight.delete(entry)) return;
    if (acknowledged) this.#handled += 1;
    else this.#failed += 1;
  }

  get group(): string {
    return this.#group;
  }

  get handled(): number {
    return this.#handled;
  }

  /** The messages in flight, oldest first. */
  inFlight(): InFlightMessage[] {
    return [...this.#inFlight];
  }

  snapshot(): ConsumerStats {
    const now = this.#clock.now();
    const oldest = this.#inFlight.values().next();
    return {
      group: this.#group,
      topics: this.#topics,
      inFlight: this.#inFlight.size,
      handled: this.#handled,
      failed: this.#failed,
      oldestInFlightMs: oldest.done === true ? 0 : Math.max(0, now - oldest.value.receivedAt),
      lagMs: this.#lag?.ms,
      lagAgeMs: this.#lag === undefined ? undefined : Math.max(0, now - this.#lag.at),
      lastReceivedAt: this.#lastReceivedAt === undefined ? undefined : new Date(this.#lastReceivedAt),
    };
  }
}

/**
 * `receivedAt` minus the later of `bornAt` and `deliverAt`, at least 0 (the producer's clock may
 * run ahead of ours); undefined when the broker did not say when the message was born.
 */
export function deliveryLag(message: Pick<ReceivedMessage, 'bornAt' | 'deliverAt'>, receivedAt: number): number | undefined {
  const born = message.bornAt.getTime();
  if (!(born > 0)) return undefined;
  const due = Math.max(born, message.deliverAt?.getTime() ?? 0);
  return Math.max(0, receivedAt - due);
}
