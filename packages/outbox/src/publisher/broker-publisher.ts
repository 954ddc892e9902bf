import { createProducer } from '@txmq/broker';
import { PublishError } from '../errors.js';
import type { Publisher } from './publisher.js';
import { toBrokerMessage } from './to-broker-message.js';

/** Options of {@link createBrokerPublisher}. */
export interface BrokerPublisherOptions {
  /** `host:port` of a txmq broker or a RocketMQ 5 proxy (several separated by `;`). */
  readonly endpoints: string;
  /** Per-request timeout of the producer, in ms. */
  readonly requestTimeoutMs?: number;
}

/**
 * The relay's default {@link Publisher}: one `@txmq/broker` producer. Works against the embedded
 * txmq broker and against an Apache RocketMQ 5 proxy.
 */
export async function createBrokerPublisher(options: BrokerPublisherOptions): Promise<Publisher> {
  const producer = await createProducer({
    endpoints: options.endpoints,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  return {
    async publish(message) {
      try {
        const result = await producer.send(toBrokerMessage(message));
        return { transportMessageId: result.messageId };
      } catch (error) {
        throw new PublishError(
          `publishing outbox message ${message.messageId} to topic ${message.topic} failed: ${
            error instanceof Error ? error.message : String(error)
          }`,
          { cause: error, retryable: true },
        );
      }
    },
    close: () => producer.close(),
  };
}
