import { BrokerRefusedError } from '../../errors.js';
import { STATUS_CODES } from '../../status-codes.js';
import type { ClientLogger } from '../types.js';
import type { AckBatcher } from './ack-batcher.js';
import type { ConsumerRpcs } from './consumer-rpcs.js';
import type { ConsumerSettings } from './consumer-session.js';
import type { Sleep } from './receive-loop.js';
import type { Delivery } from './received-message.js';

/** Attempts of one acknowledgement (or nack) that failed for a reason a retry can fix. */
const SETTLE_ATTEMPTS = 3;
const SETTLE_RETRY_MS = 200;
/** Longest pause between two dead-letter forwards of a FIFO message. */
const MAX_FORWARD_RETRY_MS = 5000;

/** What a {@link Settlement} works with. */
export interface SettlementOptions {
  readonly rpcs: ConsumerRpcs;
  readonly acks: AckBatcher;
  readonly settings: () => ConsumerSettings;
  readonly logger: ClientLogger;
  readonly sleep: Sleep;
  /** Aborts when the consumer stops: nothing failed is tried again after that, and pauses end. */
  readonly stopped: AbortSignal;
}

/**
 * Settles a push consumer's deliveries with the broker: acks (batched), nacks
 * (ChangeInvisibleDuration to the group's retry delay) and dead-letter forwards. A failed ack or
 * nack is tried again a few times, unless the receipt is stale or the consumer is stopping.
 */
export class Settlement {
  readonly #o: SettlementOptions;
  /** Acks, nacks and forwards in flight. */
  readonly #settling = new Set<Promise<void>>();

  constructor(options: SettlementOptions) {
    this.#o = options;
  }

  /** Resolves once every settlement started so far has ended. */
  async idle(): Promise<void> {
    while (this.#settling.size > 0) await Promise.all(this.#settling);
  }

  ack(delivery: Delivery): void {
    const { receipt } = delivery;
    this.#track(this.#settle(`acknowledging message ${receipt.messageId}`, () =>
      this.#o.acks.ack({ topic: receipt.topic, endpoint: receipt.endpoint }, { messageId: receipt.messageId, receiptHandle: receipt.receiptHandle })));
  }

  /** Has the broker redeliver after the group's retry delay for `attempt`. */
  nack(delivery: Delivery, attempt: number): void {
    const delayMs = this.#o.settings().retryDelayMs(attempt);
    this.#track(this.#settle(`returning message ${delivery.receipt.messageId} for redelivery`, () => this.#o.rpcs.changeInvisibleDuration(delivery.receipt, delayMs)));
  }

  /** One dead-letter forward; resolves to whether the message is now in the dead-letter queue. */
  forward(delivery: Delivery, attempt: number): Promise<boolean> {
    return this.#tracked(this.#forwardOnce(delivery, attempt, 1).then((outcome) => outcome === true));
  }

  /**
   * Forwards to the dead-letter queue, trying again (with growing pauses) until it worked, the
   * receipt went stale or the consumer stops: in a FIFO group the broker holds back the group's
   * later messages until this one is settled, and a nack would break their order.
   */
  forwardInOrder(delivery: Delivery, attempt: number): Promise<boolean> {
    return this.#tracked((async () => {
      for (let tries = 1; ; tries++) {
        const outcome = await this.#forwardOnce(delivery, attempt, tries);
        if (outcome !== 'retry') return outcome;
        if (this.#o.stopped.aborted) return false;
        await this.#o.sleep(Math.min(MAX_FORWARD_RETRY_MS, SETTLE_RETRY_MS * 2 ** (tries - 1)), this.#o.stopped);
        if (this.#o.stopped.aborted) return false;
      }
    })().then((outcome) => outcome === true));
  }

  async #forwardOnce(delivery: Delivery, attempt: number, tries: number): Promise<boolean | 'retry'> {
    const { messageId } = delivery.receipt;
    try {
      await this.#o.rpcs.forwardToDeadLetterQueue(delivery.receipt, attempt, this.#o.settings().maxAttempts);
      return true;
    } catch (error) {
      if (isStale(error)) {
        this.#o.logger.warn(`push consumer: forwarding message ${messageId} to the dead-letter queue failed; the broker redelivers it:`, error);
        return false;
      }
      if (tries === 1 || tries % 10 === 0) this.#o.logger.warn(`push consumer: forwarding message ${messageId} to the dead-letter queue failed (attempt ${tries}):`, error);
      return 'retry';
    }
  }

  /** Runs `call`, again after a short pause when it failed for a reason other than a stale receipt (not once stopping). */
  async #settle(what: string, call: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await call();
        return;
      } catch (error) {
        if (isStale(error) || attempt >= SETTLE_ATTEMPTS || this.#o.stopped.aborted) {
          this.#o.logger.warn(`push consumer: ${what} failed; the broker redelivers it:`, error);
          return;
        }
        await this.#o.sleep(SETTLE_RETRY_MS * attempt, this.#o.stopped);
      }
    }
  }

  #tracked<T>(settling: Promise<T>): Promise<T> {
    this.#track(settling);
    return settling;
  }

  #track(settling: Promise<unknown>): void {
    const tracked = settling.then(() => undefined, () => undefined);
    this.#settling.add(tracked);
    void tracked.finally(() => this.#settling.delete(tracked));
  }
}

function isStale(error: unknown): boolean {
  return error instanceof BrokerRefusedError && error.status === STATUS_CODES.INVALID_RECEIPT_HANDLE;
}
