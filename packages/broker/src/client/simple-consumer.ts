import { setMaxListeners } from 'node:events';
import { BrokerRefusedError, ClientClosedError, InvalidRequestError } from '../errors.js';
import { STATUS_CODES } from '../status-codes.js';
import { AckBatcher } from './consumer/ack-batcher.js';
import { ConsumerRpcs, MAX_LONG_POLL_MS } from './consumer/consumer-rpcs.js';
import { toFilterExpression } from './consumer/filter-expression.js';
import type { Receipt } from './consumer/received-message.js';
import { openConsumerSession } from './consumer/session-adapter.js';
import { checkClientOptions, checkPositive, checkSubscriptionOptions } from './option-checks.js';
import type { ClientOptions, ReceivedMessage, SubscriptionExpression } from './types.js';

/** Most messages one receive asks for (RocketMQ's proxy returns at most 32). */
const MAX_RECEIVE = 32;
const DEFAULT_AWAIT_MS = 30_000;

/** Options of {@link createSimpleConsumer}. */
export interface SimpleConsumerOptions extends ClientOptions {
  readonly group: string;
  /** Topic → tag expression (`*`, `A || B`) or `{ sql }`, an SQL92 filter on the message properties. */
  readonly subscriptions: Readonly<Record<string, SubscriptionExpression>>;
  /**
   * Longest a receive waits for a message (long polling; default 30 000 ms, clamped to 20 000, the
   * most a RocketMQ proxy honours). A proxy waits at least 5 000 ms, even when less is asked.
   */
  readonly awaitMs?: number;
}

/**
 * Pulls messages on demand and acknowledges each one explicitly. It connects on first use (or on
 * {@link TxmqSimpleConsumer.start}); failures are `BrokerError`s, as the producer's.
 */
export interface TxmqSimpleConsumer {
  /** Connects now instead of on first use; rejects with `BrokerUnreachableError` after `startupTimeoutMs`. */
  start(): Promise<void>;
  /**
   * Up to `max` messages (1..32, default 16), each invisible to the group for `invisibleMs`
   * (default 30 000; a RocketMQ proxy refuses less than 10 000). With several subscribed topics,
   * or brokers of a topic, each receive asks the next one in turn.
   */
  receive(max?: number, invisibleMs?: number): Promise<ReceivedMessage[]>;
  /**
   * Acknowledges one message. Acks made together travel in one request to the broker; each
   * promise settles with its own message's result.
   */
  ack(message: ReceivedMessage): Promise<void>;
  /** Redeliver after `invisibleMs` instead (a nack with a delay, or more time to process). */
  changeInvisibleDuration(message: ReceivedMessage, invisibleMs: number): Promise<void>;
  /** Stops receives in flight, leaves the group and disconnects; later calls reject with `ClientClosedError`. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates a simple (pull-style) consumer in a consumer group. Does no I/O: it validates the
 * options (throwing `ConfigError` naming a bad one) and connects on first use.
 *
 * @example
 * ```ts
 * const consumer = createSimpleConsumer({ endpoints: '127.0.0.1:8081', group: 'billing', subscriptions: { orders: '*' } });
 * for (const message of await consumer.receive()) await consumer.ack(message);
 * await consumer.close();
 * ```
 */
export function createSimpleConsumer(options: SimpleConsumerOptions): TxmqSimpleConsumer {
  checkClientOptions('simple consumer', options);
  checkSubscriptionOptions('simple consumer', options.group, options.subscriptions);
  checkPositive('simple consumer', 'awaitMs', options.awaitMs);
  const longPollMs = Math.min(options.awaitMs ?? DEFAULT_AWAIT_MS, MAX_LONG_POLL_MS);
  const session = openConsumerSession('simple consumer', { ...options, awaitMs: longPollMs }, 'simple');
  const rpcs = new ConsumerRpcs(session, options.group);
  const acks = new AckBatcher(rpcs.ack);
  const topics = Object.entries(options.subscriptions).map(([topic, expression]) => ({ topic, filter: toFilterExpression(expression) }));
  const receipts = new WeakMap<ReceivedMessage, Receipt>();
  const closing = new AbortController();
  // Every receive in flight listens to it.
  setMaxListeners(0, closing.signal);
  let next = 0;

  const started = async (method: string) => {
    if (closing.signal.aborted) throw new ClientClosedError(`simple consumer.${method}()`);
    await session.start(method);
    if (closing.signal.aborted) throw new ClientClosedError(`simple consumer.${method}()`);
  };
  const receiptOf = (message: ReceivedMessage): Receipt => {
    const receipt = receipts.get(message);
    if (!receipt) throw new InvalidRequestError('INVALID_RECEIPT_HANDLE', 'ack and changeInvisibleDuration take a message this consumer received (and has not acked)');
    return receipt;
  };
  const checkInvisible = (invisibleMs: unknown) => {
    if (typeof invisibleMs !== 'number' || !Number.isFinite(invisibleMs) || invisibleMs <= 0) {
      throw new InvalidRequestError('ILLEGAL_INVISIBLE_TIME', `invisibleMs must be a positive number of milliseconds, got ${String(invisibleMs)}`);
    }
  };
  return {
    start: () => started('start'),
    async receive(max = 16, invisibleMs = 30_000) {
      if (!Number.isInteger(max) || max < 1 || max > MAX_RECEIVE) {
        throw new InvalidRequestError('BAD_REQUEST', `max must be an integer from 1 to ${MAX_RECEIVE} (a receive returns at most ${MAX_RECEIVE} messages), got ${String(max)}`);
      }
      checkInvisible(invisibleMs);
      await started('receive');
      const turn = next++;
      const { topic, filter } = topics[turn % topics.length]!;
      const targets = await session.receiveTargets(topic);
      if (targets.length === 0) throw new BrokerRefusedError(STATUS_CODES.FORBIDDEN, `no queue of topic ${topic} is readable (its route has no broker to receive from)`);
      const deliveries = await rpcs.receive({
        target: targets[Math.floor(turn / topics.length) % targets.length]!, filter,
        batchSize: max,
        invisibleMs,
        autoRenew: false,
        longPollMs,
      }, closing.signal);
      if (closing.signal.aborted) throw new ClientClosedError('simple consumer.receive()');
      return deliveries.map(({ message, receipt }) => {
        receipts.set(message, receipt);
        return message;
      });
    },
    async ack(message) {
      const receipt = receiptOf(message);
      await started('ack');
      await acks.ack({ topic: receipt.topic, endpoint: receipt.endpoint }, { messageId: receipt.messageId, receiptHandle: receipt.receiptHandle });
      receipts.delete(message);
    },
    async changeInvisibleDuration(message, invisibleMs) {
      checkInvisible(invisibleMs);
      const receipt = receiptOf(message);
      await started('changeInvisibleDuration');
      await rpcs.changeInvisibleDuration(receipt, invisibleMs);
    },
    async close() {
      closing.abort();
      await acks.idle();
      await session.close();
    },
  };
}
