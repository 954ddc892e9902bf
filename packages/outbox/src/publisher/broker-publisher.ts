import { createProducer, type ClientLogger, type TxmqProducer } from '@txmq/broker/client';
import { InvalidOptionsError, PublishError } from '../errors.js';
import { LazyProducer } from './lazy-producer.js';
import type { Publisher } from './publisher.js';
import { toBrokerMessage } from './to-broker-message.js';
import { toPublishError } from './to-publish-error.js';

/** Options of {@link createBrokerPublisher}. */
export interface BrokerPublisherOptions {
  /** `host:port` of a txmq broker or a RocketMQ 5 proxy (several separated by `;`). */
  readonly endpoints: string;
  /** Per-request timeout of the producer, in ms. */
  readonly requestTimeoutMs?: number;
  /** Where the producer logs; default warnings and errors on stderr. */
  readonly logger?: ClientLogger;
}

/** A {@link Publisher} over one broker producer; see {@link createBrokerPublisher}. */
export interface BrokerPublisher extends Publisher {
  /** Connects now (instead of on the first publish), so a wrong endpoint fails fast. */
  start(): Promise<void>;
  /** Closes the producer; idempotent. */
  close(): Promise<void>;
}

/** The part of a producer the publisher uses; `start` connects eagerly when the client has it. */
export type PublishingProducer = Pick<TxmqProducer, 'send' | 'close'> & { start?(): Promise<void> };

/**
 * The relay's default {@link Publisher}: one `@txmq/broker` producer. Works against the embedded
 * txmq broker and against an Apache RocketMQ 5 proxy. Does no I/O: it connects on the first
 * `publish` (or on `start()`), and after a failed connection tries again on the next one.
 *
 * @example
 * ```ts
 * const publisher = createBrokerPublisher({ endpoints: '127.0.0.1:8081' });
 * const relay = createRelay({ outbox, publisher });
 * ```
 * @throws InvalidOptionsError naming a bad option.
 */
export function createBrokerPublisher(options: BrokerPublisherOptions): BrokerPublisher {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', 'must be an object');
  const { endpoints, requestTimeoutMs, logger } = options;
  if (typeof endpoints !== 'string' || endpoints.trim() === '') {
    throw new InvalidOptionsError('endpoints', `must be a non-empty "host:port" string, got ${JSON.stringify(endpoints)}`);
  }
  if (requestTimeoutMs !== undefined && (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs <= 0)) {
    throw new InvalidOptionsError('requestTimeoutMs', `must be a positive integer, got ${String(requestTimeoutMs)}`);
  }
  return publisherOn(() =>
    createProducer({ endpoints, ...(requestTimeoutMs !== undefined && { requestTimeoutMs }), ...(logger !== undefined && { logger }) }),
  );
}

/**
 * A {@link BrokerPublisher} over the producer `connect` returns, created on first use. Failures
 * of connecting and of sending are mapped by {@link toPublishError}.
 */
export function publisherOn(connect: () => PublishingProducer | Promise<PublishingProducer>): BrokerPublisher {
  const producer = new LazyProducer(connect);
  return {
    async start() {
      if (producer.closed) throw closedError('start()');
      try {
        await producer.get();
      } catch (error) {
        throw toPublishError(error, 'connecting the outbox publisher');
      }
    },
    async publish(message) {
      if (producer.closed) throw closedError('publish()');
      try {
        const result = await (await producer.get()).send(toBrokerMessage(message));
        return { transportMessageId: result.messageId };
      } catch (error) {
        throw toPublishError(error, `publishing outbox message ${message.messageId} to topic ${message.topic}`);
      }
    },
    close: () => producer.close(),
  };
}

function closedError(what: string): PublishError {
  return new PublishError(`the outbox publisher's ${what} was called after close()`, { retryable: true, transportCode: 'CLIENT_CLOSED' });
}
