import type { ClientLogger, TxmqProducer } from '@txmq/broker/client';
import { InvalidOptionsError, PublishError } from '../errors.js';
import { brokerSecurity, type BrokerSecurityOptions } from './broker-security.js';
import { createOutboxProducer } from './outbox-producer.js';
import type { Publisher } from './publisher.js';
import { toBrokerMessage } from './to-broker-message.js';
import { toPublishError } from './to-publish-error.js';

/** Options of {@link createBrokerPublisher}; with `credentials` and TLS for a secured broker. */
export interface BrokerPublisherOptions extends BrokerSecurityOptions {
  /** `host:port` of a txmq broker or a RocketMQ 5 proxy (one address). */
  readonly endpoints: string;
  /** RocketMQ namespace to publish in (default none): consumers with the same namespace get the messages. */
  readonly namespace?: string;
  /** Per-request timeout of the producer, in ms (at least 1000; the client's default otherwise). */
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

/** The part of a broker producer the publisher uses. */
export type PublishingProducer = Pick<TxmqProducer, 'start' | 'send' | 'close'>;

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
  return brokerPublisher(options, {});
}

/**
 * {@link createBrokerPublisher} for an outbox factory that takes the producer's options under
 * other names: a bad option is reported under the name in `outboxNames` (see {@link createOutboxProducer}).
 */
export function brokerPublisher(options: BrokerPublisherOptions, outboxNames: Readonly<Record<string, string>>): BrokerPublisher {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', 'must be an object');
  const { endpoints, namespace, requestTimeoutMs, logger } = options;
  return publisherOn(
    createOutboxProducer(
      {
        endpoints,
        ...(namespace !== undefined && { namespace }),
        ...(requestTimeoutMs !== undefined && { requestTimeoutMs }),
        ...(logger !== undefined && { logger }),
        ...brokerSecurity(options),
      },
      outboxNames,
    ),
  );
}

/** A {@link BrokerPublisher} over `producer`; its failures are mapped by {@link toPublishError}. */
export function publisherOn(producer: PublishingProducer): BrokerPublisher {
  let closed = false;
  return {
    async start() {
      if (closed) throw closedError('start()');
      try {
        await producer.start();
      } catch (error) {
        throw toPublishError(error, 'connecting the outbox publisher');
      }
    },
    async publish(message) {
      if (closed) throw closedError('publish()');
      try {
        const result = await producer.send(toBrokerMessage(message));
        return { transportMessageId: result.messageId };
      } catch (error) {
        throw toPublishError(error, `publishing outbox message ${message.messageId} to topic ${message.topic}`);
      }
    },
    close() {
      closed = true;
      return producer.close();
    },
  };
}

function closedError(what: string): PublishError {
  return new PublishError(`the outbox publisher's ${what} was called after close()`, { retryable: true, transportCode: 'CLIENT_CLOSED' });
}
