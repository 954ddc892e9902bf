import { SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { startGuarded } from './resilience.js';
import { baseOptions, fromMessageView } from './shared.js';
import type { ClientOptions, ReceivedMessage } from './types.js';

/** Options of {@link createSimpleConsumer}. */
export interface SimpleConsumerOptions extends ClientOptions {
  readonly group: string;
  /** Topic → tag expression (`*`, `A || B`). */
  readonly subscriptions: Readonly<Record<string, string>>;
  /** Longest a receive waits for a message (long polling; default 30 000 ms). */
  readonly awaitMs?: number;
}

/** Pulls messages on demand and acknowledges each one explicitly. */
export interface TxmqSimpleConsumer {
  /** Up to `max` messages (default 16), each invisible to the group for `invisibleMs` (default 30 000). */
  receive(max?: number, invisibleMs?: number): Promise<ReceivedMessage[]>;
  ack(message: ReceivedMessage): Promise<void>;
  /** Redeliver after `invisibleMs` instead (a nack with a delay, or more time to process). */
  changeInvisibleDuration(message: ReceivedMessage, invisibleMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a simple (pull-style) consumer in a consumer group. */
export async function createSimpleConsumer(options: SimpleConsumerOptions): Promise<TxmqSimpleConsumer> {
  const consumer = new SimpleConsumer({
    ...baseOptions(options),
    consumerGroup: options.group,
    subscriptions: new Map(Object.entries(options.subscriptions)),
    ...(options.awaitMs !== undefined && { awaitDuration: options.awaitMs }),
  });
  const shutdown = await startGuarded(consumer, options);
  // The official client acks through its own view object; remember it per received message.
  const views = new WeakMap<ReceivedMessage, MessageView>();
  const viewOf = (message: ReceivedMessage): MessageView => {
    const view = views.get(message);
    if (!view) throw new TypeError('ack/changeInvisibleDuration take a message this consumer received');
    return view;
  };
  return {
    async receive(max = 16, invisibleMs = 30_000) {
      const received = await consumer.receive(max, invisibleMs);
      return received.map((view) => {
        const message = fromMessageView(view);
        views.set(message, view);
        return message;
      });
    },
    async ack(message) {
      await consumer.ack(viewOf(message));
      views.delete(message);
    },
    async changeInvisibleDuration(message, invisibleMs) {
      await consumer.changeInvisibleDuration(viewOf(message), invisibleMs);
    },
    close: shutdown,
  };
}
