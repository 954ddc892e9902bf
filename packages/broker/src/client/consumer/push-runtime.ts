import { setMaxListeners } from 'node:events';
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
import { Settlement } from './settlement.js';

/** Long poll of a push consumer when the broker's settings do not say (RocketMQ's proxy sends 20 s). */
const DEFAULT_LONG_POLL_MS = 20_000;
/** Refusals no retry of the same receive changes: logged as errors, every this many failures in a row. */
const PERMANENT_REFUSALS: ReadonlySet<number> = new Set([
  STATUS_CODES.ILLEGAL_FILTER_EXPRESSION, STATUS_CODES.FORBIDDEN, STATUS_CODES.TOPIC_NOT_FOUND, STATUS_CODES.CONSUMER_GROUP_NOT_FOUND,
]);
const PERMANENT_REFUSAL_LOG_EVERY = 100;

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
  /** Never throws (see `safeLogger`). */
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
  readonly #settlement: Settlement;
  readonly #dispatcher: Dispatcher<Delivery>;
  /** The long polls per topic and broker ({@link ReceiveTarget.key}). */
  readonly #loops = new Map<string, ReceiveLoop<Delivery>>();
  /** Loops stopped because their broker left the route, until they have returned. */
  readonly #leaving = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  #started = false;

  constructor(session: ConsumerSession, options: PushRuntimeOptions) {
    this.#session = session;
    this.#o = options;
    // Every pause of a retry listens to it.
    setMaxListeners(0, this.#stop.signal);
    this.#rpcs = new ConsumerRpcs(session, options.group);
    this.#settlement = new Settlement({
      rpcs: this.#rpcs,
      acks: new AckBatcher(this.#rpcs.ack),
      settings: () => session.settings(),
      logger: options.logger,
      sleep: options.sleep,
      stopped: this.#stop.signal,
    });
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
    if (this.#started) return;
    this.#started = true;
    this.#poll(subscribed);
  }

  /**
   * Looks up where each topic can be received from again: starts long polls for the brokers that
   * joined its route (or whose queues became readable) since, and stops those of brokers that left.
   */
  async refreshTargets(): Promise<void> {
    if (!this.#started || this.#stop.signal.aborted) return;
    try {
      this.#poll(await this.#subscribed());
    } catch (error) {
      this.#o.logger.debug?.('push consumer: refreshing where to receive from failed:', error);
    }
  }

  #subscribed() {
    return Promise.all(Object.entries(this.#o.subscriptions).map(async ([topic, expression]) =>
      ({ topic, filter: toFilterExpression(expression), targets: await this.#session.receiveTargets(topic) })));
  }

  #poll(subscribed: ReadonlyArray<{ topic: string; filter: FilterExpression; targets: readonly ReceiveTarget[] }>): void {
    if (this.#stop.signal.aborted) return;
    const wanted = new Set<string>();
    for (const { topic, filter, targets } of subscribed) {
      for (const target of targets) {
        const key = `${topic}\u0000${target.key}`;
        wanted.add(key);
        if (this.#loops.has(key)) continue;
        const loop = this.#loop(topic, filter, target);
        this.#loops.set(key, loop);
        loop.start();
      }
    }
    for (const [key, loop] of this.#loops) {
      if (wanted.has(key)) continue;
      this.#loops.delete(key);
      const leaving = loop.stop();
      this.#leaving.add(leaving);
      void leaving.finally(() => this.#leaving.delete(leaving));
    }
  }

  #loop(topic: string, filter: FilterExpression, target: ReceiveTarget): ReceiveLoop<Delivery> {
    const o = this.#o;
    const room = o.concurrency + o.receiveBatchSize * o.parallelReceives;
    return new ReceiveLoop<Delivery>({
      parallel: o.parallelReceives,
      receive: (signal, attemptId) => this.#rpcs.receive({
        target, filter,
        batchSize: o.receiveBatchSize,
        invisibleMs: o.invisibleMs,
        autoRenew: true,
        longPollMs: this.#session.settings().longPollingMs ?? DEFAULT_LONG_POLL_MS,
        attemptId,
      }, signal),
      deliver: (deliveries) => {
        for (const delivery of deliveries) this.#dispatcher.push(delivery);
      },
      room: () => this.#dispatcher.whenBelow(room),
      sleep: o.sleep,
      onError: (error, failures) => {
        const where = `${topic} at ${target.key === target.endpoint ? target.endpoint : `broker ${target.key} (${target.endpoint})`}`;
        if (error instanceof BrokerRefusedError && PERMANENT_REFUSALS.has(error.status)) {
          if (failures % PERMANENT_REFUSAL_LOG_EVERY === 1) o.logger.error(`push consumer: the broker refuses receives from ${where} (${failures} in a row; retrying):`, error);
        } else if (failures === 1) {
          o.logger.warn(`push consumer: receiving from ${where} failed (retrying):`, error);
        }
      },
    });
  }

  /**
   * Stops the long polls, starts no more handlers, waits for the running ones and for their
   * settlements (no failed one is tried again once stopping). Messages received but not handled
   * stay with the broker, which hands them to another member once this client leaves.
   */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all([...[...this.#loops.values()].map((loop) => loop.stop()), ...this.#leaving]);
    this.#dispatcher.stop();
    await this.#dispatcher.idle();
    await this.#settlement.idle();
  }

  async #consume(delivery: Delivery): Promise<void> {
    const fifo = this.#session.settings().fifo && delivery.message.messageGroup !== undefined;
    let message = delivery.message;
    if (delivery.corrupted) {
      this.#o.logger.warn(`push consumer: message ${message.messageId} of ${message.topic} arrived corrupted (its body does not match its digest); not handled`);
      if (fifo) await this.#settlement.forwardInOrder(delivery, message.deliveryAttempt);
      else this.#settlement.nack(delivery, message.deliveryAttempt);
      return;
    }
    for (;;) {
      if (this.#stop.signal.aborted) return;
      try {
        await this.#o.handler(message);
      } catch (error) {
        this.#report(error, message);
        if (this.#o.deadLetter !== undefined && wantsDeadLetter(this.#o.deadLetter, error, message) && (await this.#settlement.forward(delivery, message.deliveryAttempt))) return;
        const settings = this.#session.settings();
        if (!fifo) {
          this.#settlement.nack(delivery, message.deliveryAttempt);
          return;
        }
        // FIFO: the broker holds back the group's later messages until this one is settled.
        if (message.deliveryAttempt >= settings.maxAttempts) {
          await this.#settlement.forwardInOrder(delivery, message.deliveryAttempt);
          return;
        }
        await this.#o.sleep(settings.retryDelayMs(message.deliveryAttempt), this.#stop.signal);
        message = { ...message, deliveryAttempt: message.deliveryAttempt + 1 };
        continue;
      }
      this.#settlement.ack(delivery);
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
}

function wantsDeadLetter(decide: (error: unknown, message: ReceivedMessage) => boolean, error: unknown, message: ReceivedMessage): boolean {
  try {
    return decide(error, message) === true;
  } catch {
    return false;
  }
}
