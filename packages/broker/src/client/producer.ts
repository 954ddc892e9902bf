import { Producer, type MessageView } from 'rocketmq-client-nodejs';

type Transaction = ReturnType<Producer['beginTransaction']>;
import { startGuarded } from './resilience.js';
import { baseOptions, fromMessageView, toMessageOptions } from './shared.js';
import type { CheckResult, ClientOptions, HalfMessage, OutgoingMessage, SendResult, TransactionChecker } from './types.js';

/** Options of {@link createProducer}. */
export interface ProducerOptions extends ClientOptions {
  /** Topics to resolve at start-up (others are resolved on first send). */
  readonly topics?: readonly string[];
  /** Send attempts for non-transactional messages (default 3). */
  readonly maxAttempts?: number;
  /** Required for {@link TxmqProducer.sendHalf}: answers the broker's transaction check-backs. */
  readonly checker?: TransactionChecker;
}

/** Publishes messages to a txmq broker or a RocketMQ 5 proxy. */
export interface TxmqProducer {
  /** Publishes and resolves once the broker stored the message durably. */
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Publishes without waiting; a failure is reported to `onError` (default: logged). */
  sendOneWay(message: OutgoingMessage, onError?: (error: unknown) => void): void;
  /** Sends a transactional half message; commit or roll it back when the local work is done. */
  sendHalf(message: OutgoingMessage): Promise<HalfMessage>;
  /** Cancels a DELAY message before its delivery time; resolves to its message id. */
  recall(topic: string, recallHandle: string): Promise<string>;
  close(): Promise<void>;
}

const RESOLUTION: Record<CheckResult, number> = { UNKNOWN: 0, COMMIT: 1, ROLLBACK: 2 };

/**
 * Starts a producer (a thin typed layer over the official `rocketmq-client-nodejs` Producer).
 *
 * @example
 * ```ts
 * const producer = await createProducer({ endpoints: '127.0.0.1:8081' });
 * await producer.send({ topic: 'orders', tag: 'created', body: JSON.stringify(order) });
 * ```
 */
export async function createProducer(options: ProducerOptions): Promise<TxmqProducer> {
  const { checker } = options;
  const producer = new Producer({
    ...baseOptions(options),
    // One topic at construction: several can race the Settings reply and hang start-up (client quirk).
    ...(options.topics?.[0] !== undefined && { topic: options.topics[0] }),
    ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
    ...(checker && {
      checker: {
        check: async (view: MessageView) => RESOLUTION[await checker(fromMessageView(view))] as never,
      },
    }),
  });
  const shutdown = await startGuarded(producer, options);
  const send = async (message: OutgoingMessage, transaction?: Transaction): Promise<SendResult> => {
    const receipt = await producer.send(toMessageOptions(message), transaction);
    return {
      messageId: receipt.messageId,
      transactionId: receipt.transactionId,
      offset: Number(receipt.offset),
      ...(receipt.recallHandle ? { recallHandle: receipt.recallHandle } : {}),
    };
  };
  return {
    send: (message) => send(message),
    sendOneWay(message, onError = (error) => console.error('[txmq client] one-way send failed', error)) {
      send(message).catch(onError);
    },
    async sendHalf(message) {
      if (!checker) throw new TypeError('sendHalf needs a producer created with a `checker` to answer check-backs');
      const transaction = producer.beginTransaction();
      const result = await send(message, transaction);
      return {
        messageId: result.messageId,
        transactionId: result.transactionId,
        commit: () => transaction.commit(),
        rollback: () => transaction.rollback(),
      };
    },
    async recall(topic, recallHandle) {
      return (await producer.recallMessage(topic, recallHandle)).messageId;
    },
    close: shutdown,
  };
}
