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
  const producer = createProducer({
    endpoints: options.endpoints,
    ...(options.requestTimeoutMs === undefined
      ? {}
      : // Connecting gives up well within the publish timeout, so a missing broker is reported as such.
        { requestTimeoutMs: options.requestTimeoutMs, startupTimeoutMs: Math.max(500, options.requestTimeoutMs / 2) }),
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
          { cause: error, retryable: true, unavailable: isUnreachable(error) },
        );
      }
    },
    close: () => producer.close(),
  };
}

const GRPC_UNAVAILABLE = 14;
const UNREACHABLE_CODES = new Set(['BROKER_UNREACHABLE', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether `error` says the broker was never reached (gRPC UNAVAILABLE or a refused, reset or
 * unresolvable connection, anywhere in its cause chain), as opposed to the broker answering with
 * an error about this message or not answering in time.
 */
function isUnreachable(error: unknown): boolean {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === GRPC_UNAVAILABLE || (typeof code === 'string' && UNREACHABLE_CODES.has(code))) return true;
  }
  return false;
}
