import { BrokerRefusedError } from '../../errors.js';
import { STATUS_CODES } from '../../status-codes.js';
import type { ClientLogger, ReceivedMessage, SubscriptionExpression } from '../types.js';
import { AckBatcher } from './ack-batcher.js';
import type { FilterExpression } from '../../wire/types.js';
import type { ConsumerSession, ReceiveTarget } from './consumer-session.js';
import { ConsumerRpcs } from './consumer-rpcs.js';
import { Dispatcher } from './dispatcher.js';
import { toFilterExpression } from './filter-expression.js';
import { ReceiveLoop, type Sleep } from './receive-loop.js';
import type { Delivery } from './received-message.js';

/** Long poll of a push consumer when the broker's settings do not say (RocketMQ's proxy sends 20 s). */
const DEFAULT_LONG_POLL_MS = 20_000;
/** Attempts of one acknowledgement (or nack) that failed for a reason a retry can fix. */
const SETTLE_ATTEMPTS = 3;
const SETTLE_RETRY_MS = 200;

/** What a {@link PushRuntime} runs with (validated and defaulted). */
export interface PushRuntimeOptions {
  readonly group: string;
  readonly subscriptions: Readonly<Record<string, SubscriptionExpression>>;
  readonly handler: (message: ReceivedMessage) => Promise<void>;
  readonly onHandlerError: (error: unknown, message: ReceivedMessage) => void;
  readonly deadLetter: ((error: unknown, message: ReceivedMessage) => boolean) | undefined;
  readonly concurrency: number;
  readonly receiveBatchSize: number;
  readonly parallelReceives: number;
  readonly invisibleMs: number;
  readonly logger: ClientLogger;
  readonly sleep: Sleep;
}

/**
 * A started push consumer: per subscribed topic and broker, `parallelReceives` long polls feed a
 * dispatcher that runs the handler (`concurrency` at once, one at a time per message group), and
 * settles each message: an ack (batched), a dead-letter forward, or a nack. In a FIFO group a
 * failed message is retried here, in place, so later messages of its group wait for it.
 */
export class PushRuntime {
  readonly #session: ConsumerSession;
  readonly #o: PushRuntimeOptions;
  readonly #rpcs: ConsumerRpcs;
  readonly #acks: AckBatcher;
  readonly #dispatcher: Dispatcher<Delivery>;
  readonly #loops: ReceiveLoop<Delivery>[] = [];
  /** The topic and broker pairs long-polled. */
  readonly #polled = new Set<string>();
  /** Nacks and forwards in flight (acks are the batcher's). */
  readonly #settling = new Set<Promise<void>>();
  readonly #stop = new AbortController();

  constructor(session: ConsumerSession, options: PushRuntimeOptions) {
    this.#session = session;
    this.#o = options;
    this.#rpcs = new ConsumerRpcs(session, options.group);
    this.#acks = new AckBatcher(this.#rpcs.ack);
    this.#dispatcher = new Dispatcher<Delivery>({
      concurrency: options.concurrency,
      groupOf: (d) => d.message.messageGroup,
      run: (d) => this.#consume(d),
      onError: (error) => options.logger.error('push consumer: consuming a message failed:', error),
    });
  }

  /** Starts the long polls of every subscribed topic (once). */
  async start(): Promise<void> {
    // Every route first: a start that fails leaves nothing behind, and the next one starts afresh.
    const subscribed = await this.#subscribed();
    if (this.#polled.size === 0) this.#pollNew(subscribed);
  }

  /**
   * Looks up where each topic can be received from again and starts long polls for the brokers
   * that joined its route since (one that left stops answering: its polls fail and back off).
   */
  async refreshTargets(): Promise<void> {
    if (this.#polled.size === 0 || this.#stop.signal.aborted) return;
    try {
      this.#pollNew(await this.#subscribed());
    } catch (error) {
      this.#o.logger.debug?.('push consumer: refreshing where to receive from failed:', error);
    }
  }

  #subscribed() {
    return Promise.all(Object.entries(this.#o.subscriptions).map(async ([topic, expression]) =>
      ({ topic, filter: toFilterExpression(expression), targets: await this.#session.receiveTargets(topic) })));
  }

  #pollNew(subscribed: ReadonlyArray<{ topic: string; filter: FilterExpression; targets: readonly ReceiveTarget[] }>): void {
    const o = this.#o;
    const room = o.concurrency + o.receiveBatchSize * o.parallelReceives;
    for (const { topic, filter, targets } of subscribed) {
      for (const target of targets) {
        const key = `${topic}\u0000${target.key}`;
        if (this.#stop.signal.aborted || this.#polled.has(key)) continue;
        this.#polled.add(key);
        const loop = new ReceiveLoop<Delivery>({
          parallel: o.parallelReceives,
          receive: (signal, attemptId) => this.#rpcs.receive({
            topic, target, filter,
            batchSize: o.receiveBatchSize,
            invisibleMs: o.invisibleMs,
            autoRenew: true,
            longPollMs: this.#session.settings().longPollingMs ?? DEFAULT_LONG_POLL_MS,
            attemptId,
          }, signal),
          deliver: (deliveries) => {
            for (const delivery of deliveries) this.#accept(delivery);
          },
          room: () => this.#dispatcher.whenBelow(room),
          sleep: o.sleep,
          onError: (error, failures) => {
            if (failures === 1) o.logger.warn(`push consumer: receiving from ${topic} at ${target.endpoint} failed (retrying):`, error);
          },
        });
        this.#loops.push(loop);
        loop.start();
      }
    }
  }

  /**
   * Stops the long polls, starts no more handlers, waits for the running ones and for their
   * acknowledgements. Messages received but not handled stay with the broker, which hands them
   * to another member once this client leaves.
   */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops.map((loop) => loop.stop()));
    this.#dispatcher.stop();
    await this.#dispatcher.idle();
    await Promise.all(this.#settling);
    await this.#acks.idle();
  }

  #accept(delivery: Delivery): void {
    if (!delivery.corrupted) {
      this.#dispatcher.push(delivery);
      return;
    }
    this.#o.logger.warn(`push consumer: message ${delivery.message.messageId} of ${delivery.message.topic} arrived corrupted (its body does not match its digest); not handled`);
    this.#track(this.#session.settings().fifo ? this.#forward(delivery, delivery.message.deliveryAttempt) : this.#nack(delivery, delivery.message.deliveryAttempt));
  }

  async #consume(delivery: Delivery): Promise<void> {
    const fifo = this.#session.settings().fifo && delivery.message.messageGroup !== undefined;
    let message = delivery.message;
    for (;;) {
      if (this.#stop.signal.aborted) return;
      try {
        await this.#o.handler(message);
      } catch (error) {
        this.#report(error, message);
        if (this.#o.deadLetter !== undefined && wantsDeadLetter(this.#o.deadLetter, error, message) && (await this.#forward(delivery, message.deliveryAttempt))) return;
        const settings = this.#session.settings();
        if (!fifo) {
          this.#track(this.#nack(delivery, message.deliveryAttempt));
          return;
        }
        // FIFO: the broker holds back the group's later messages until this one is settled.
        if (message.deliveryAttempt >= settings.maxAttempts) {
          if (!(await this.#forward(delivery, message.deliveryAttempt))) this.#track(this.#nack(delivery, message.deliveryAttempt));
          return;
        }
        await this.#o.sleep(settings.retryDelayMs(message.deliveryAttempt), this.#stop.signal);
        message = { ...message, deliveryAttempt: message.deliveryAttempt + 1 };
        continue;
      }
      this.#track(this.#ack(delivery));
      return;
    }
  }

  #report(error: unknown, message: ReceivedMessage): void {
    try {
      this.#o.onHandlerError(error, message);
    } catch (reportError) {
      this.#o.logger.error('push consumer: onHandlerError threw:', reportError);
    }
  }

  #ack(delivery: Delivery): Promise<void> {
    const { receipt } = delivery;
    return this.#settle(`acknowledging message ${receipt.messageId}`, () =>
      this.#acks.ack({ topic: receipt.topic, endpoint: receipt.endpoint }, { messageId: receipt.messageId, receiptHandle: receipt.receiptHandle }));
  }

  /** Has the broker redeliver after the group's retry delay. */
  #nack(delivery: Delivery, attempt: number): Promise<void> {
    const delayMs = this.#session.settings().retryDelayMs(attempt);
    return this.#settle(`returning message ${delivery.receipt.messageId} for redelivery`, () => this.#rpcs.changeInvisibleDuration(delivery.receipt, delayMs));
  }

  /** Resolves to whether the message is now in the dead-letter queue. */
  async #forward(delivery: Delivery, attempt: number): Promise<boolean> {
    try {
      await this.#rpcs.forwardToDeadLetterQueue(delivery.receipt, attempt, this.#session.settings().maxAttempts);
      return true;
    } catch (error) {
      this.#o.logger.warn(`push consumer: forwarding message ${delivery.receipt.messageId} to the dead-letter queue failed:`, error);
      return false;
    }
  }

  /** Runs `call`, again after a short pause when it failed for a reason other than a stale receipt. */
  async #settle(what: string, call: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await call();
        return;
      } catch (error) {
        const stale = error instanceof BrokerRefusedError && error.status === STATUS_CODES.INVALID_RECEIPT_HANDLE;
        if (stale || attempt >= SETTLE_ATTEMPTS) {
          this.#o.logger.warn(`push consumer: ${what} failed; the broker redelivers it:`, error);
          return;
        }
        await this.#o.sleep(SETTLE_RETRY_MS * attempt, new AbortController().signal);
      }
    }
  }

  #track(settling: Promise<unknown>): void {
    const tracked = settling.then(() => undefined, () => undefined);
    this.#settling.add(tracked);
    void tracked.finally(() => this.#settling.delete(tracked));
  }
}

function wantsDeadLetter(decide: (error: unknown, message: ReceivedMessage) => boolean, error: unknown, message: ReceivedMessage): boolean {
  try {
    return decide(error, message) === true;
  } catch {
    return false;
  }
}
