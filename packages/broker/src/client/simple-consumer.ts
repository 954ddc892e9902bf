import { SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { InvalidRequestError } from '../errors.js';
import { ClientLifecycle } from './client-lifecycle.js';
import { fromMessageView } from './message-mapping.js';
import { officialOptions } from './official-client-options.js';
import { checkClientOptions, checkPositive, checkSubscriptionOptions } from './option-checks.js';
import type { ClientOptions, ReceivedMessage } from './types.js';

/** Options of {@link createSimpleConsumer}. */
export interface SimpleConsumerOptions extends ClientOptions {
  readonly group: string;
  /** Topic → tag expression (`*`, `A || B`). */
  readonly subscriptions: Readonly<Record<string, string>>;
  /** Longest a receive waits for a message (long polling; default 30 000 ms). */
  readonly awaitMs?: number;
}

/**
 * Pulls messages on demand and acknowledges each one explicitly. It connects on first use (or on
 * {@link TxmqSimpleConsumer.start}); failures are `BrokerError`s, as the producer's.
 */
export interface TxmqSimpleConsumer {
  /** Connects now instead of on first use; rejects with `BrokerUnreachableError` after `startupTimeoutMs`. */
  start(): Promise<void>;
  /** Up to `max` messages (default 16), each invisible to the group for `invisibleMs` (default 30 000). */
  receive(max?: number, invisibleMs?: number): Promise<ReceivedMessage[]>;
  ack(message: ReceivedMessage): Promise<void>;
  /** Redeliver after `invisibleMs` instead (a nack with a delay, or more time to process). */
  changeInvisibleDuration(message: ReceivedMessage, invisibleMs: number): Promise<void>;
  /** Disconnects; later calls reject with `ClientClosedError`. Idempotent. */
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
  const lifecycle = new ClientLifecycle('simple consumer', options, () => new SimpleConsumer({
    ...officialOptions(options),
    consumerGroup: options.group,
    subscriptions: new Map(Object.entries(options.subscriptions)),
    ...(options.awaitMs !== undefined && { awaitDuration: options.awaitMs }),
  }));
  // The official client acks through its own view object; remember it per received message.
  const views = new WeakMap<ReceivedMessage, MessageView>();
  const viewOf = (message: ReceivedMessage): MessageView => {
    const view = views.get(message);
    if (!view) throw new InvalidRequestError('INVALID_RECEIPT_HANDLE', 'ack and changeInvisibleDuration take a message this consumer received (and has not acked)');
    return view;
  };
  const checkInvisible = (invisibleMs: unknown) => {
    if (typeof invisibleMs !== 'number' || !Number.isFinite(invisibleMs) || invisibleMs <= 0) {
      throw new InvalidRequestError('ILLEGAL_INVISIBLE_TIME', `invisibleMs must be a positive number of milliseconds, got ${String(invisibleMs)}`);
    }
  };
  return {
    start: () => lifecycle.client('start').then(() => undefined),
    async receive(max = 16, invisibleMs = 30_000) {
      if (!Number.isInteger(max) || max <= 0) throw new InvalidRequestError('BAD_REQUEST', `max must be a positive integer, got ${String(max)}`);
      checkInvisible(invisibleMs);
      const received = await lifecycle.run('receive', (consumer) => consumer.receive(max, invisibleMs));
      return received.map((view) => {
        const message = fromMessageView(view);
        views.set(message, view);
        return message;
      });
    },
    async ack(message) {
      const view = viewOf(message);
      await lifecycle.run('ack', (consumer) => consumer.ack(view));
      views.delete(message);
    },
    async changeInvisibleDuration(message, invisibleMs) {
      checkInvisible(invisibleMs);
      const view = viewOf(message);
      await lifecycle.run('changeInvisibleDuration', (consumer) => consumer.changeInvisibleDuration(view, invisibleMs));
    },
    close: () => lifecycle.close(),
  };
}
