import { Producer, type MessageView } from 'rocketmq-client-nodejs';
import { ClientClosedError, ConfigError, InvalidRequestError } from '../errors.js';
import { checkTopicName } from '../rules/index.js';
import { ClientLifecycle } from './client-lifecycle.js';
import { fromMessageView, toMessageOptions } from './message-mapping.js';
import { loggerOf, officialOptions } from './official-client-options.js';
import { checkClientOptions, checkPositive } from './option-checks.js';
import { assertValidMessage } from './outgoing-rules.js';
import type { CheckResult, ClientOptions, HalfMessage, OutgoingMessage, SendResult, TransactionChecker } from './types.js';

type Transaction = ReturnType<Producer['beginTransaction']>;

/** Options of {@link createProducer}. */
export interface ProducerOptions extends ClientOptions {
  /** Topics to resolve at start-up (others are resolved on first send). */
  readonly topics?: readonly string[];
  /** Send attempts for non-transactional messages (default 3). */
  readonly maxAttempts?: number;
  /** Required for {@link TxmqProducer.sendHalf}: answers the broker's transaction check-backs. */
  readonly checker?: TransactionChecker;
}

/**
 * Publishes messages to a txmq broker or a RocketMQ 5 proxy. It connects on first use (or on
 * {@link TxmqProducer.start}). Every failure is a `BrokerError`: `InvalidRequestError` for a
 * message that breaks RocketMQ's rules (nothing is sent), `BrokerUnreachableError`,
 * `BrokerTimeoutError`, `BrokerRefusedError` (see its `retryable`), `ClientClosedError`.
 */
export interface TxmqProducer {
  /**
   * Connects now instead of on first use, and fails fast: rejects with `BrokerUnreachableError`
   * when no connection could be made within `startupTimeoutMs`. Calling it again after a failure
   * tries again; after success it resolves at once.
   */
  start(): Promise<void>;
  /** Publishes and resolves once the broker stored the message durably. */
  send(message: OutgoingMessage): Promise<SendResult>;
  /**
   * Publishes without waiting; a broker failure is reported to `onError` (default: logged). Throws
   * at once (`InvalidRequestError`, `ClientClosedError`) when the message cannot be sent at all.
   */
  sendOneWay(message: OutgoingMessage, onError?: (error: unknown) => void): void;
  /**
   * Sends a transactional half message; commit or roll it back when the local work is done.
   * Rejects with `ConfigError` when the producer was created without `checker`.
   */
  sendHalf(message: OutgoingMessage): Promise<HalfMessage>;
  /** Cancels a DELAY message before its delivery time; resolves to its message id. */
  recall(topic: string, recallHandle: string): Promise<string>;
  /** Disconnects; later calls reject with `ClientClosedError`. Idempotent. */
  close(): Promise<void>;
}

const RESOLUTION: Record<CheckResult, number> = { UNKNOWN: 0, COMMIT: 1, ROLLBACK: 2 };

/**
 * Creates a producer (a typed layer over the official `rocketmq-client-nodejs` Producer). Does no
 * I/O: it validates the options (throwing `ConfigError` naming a bad one) and connects on first
 * use. A producer with a `checker` answers check-backs only while connected: call `start()` to
 * answer them before the first send.
 *
 * @example
 * ```ts
 * const producer = createProducer({ endpoints: '127.0.0.1:8081' });
 * await producer.send({ topic: 'orders', tag: 'created', body: JSON.stringify(order) });
 * await producer.close();
 * ```
 */
export function createProducer(options: ProducerOptions): TxmqProducer {
  checkProducerOptions(options);
  const { checker } = options;
  const lifecycle = new ClientLifecycle('producer', options, () => new Producer({
    ...officialOptions(options),
    // One topic at construction: several can race the Settings reply and hang start-up (client quirk).
    ...(options.topics?.[0] !== undefined && { topic: options.topics[0] }),
    ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
    ...(checker && {
      checker: {
        check: async (view: MessageView) => RESOLUTION[await checker(fromMessageView(view))] as never,
      },
    }),
  }));
  const send = (method: string, message: OutgoingMessage, transaction?: (producer: Producer) => Transaction) => {
    assertValidMessage(message);
    return lifecycle.run(method, async (producer) => {
      const tx = transaction?.(producer);
      const receipt = await producer.send(toMessageOptions(message), tx);
      const result: SendResult = {
        messageId: receipt.messageId,
        transactionId: receipt.transactionId,
        offset: Number(receipt.offset),
        ...(receipt.recallHandle ? { recallHandle: receipt.recallHandle } : {}),
      };
      return { result, tx };
    });
  };
  return {
    start: () => lifecycle.client('start').then(() => undefined),
    send: async (message) => (await send('send', message)).result,
    sendOneWay(message, onError = (error) => loggerOf(options).error('one-way send failed:', error)) {
      if (lifecycle.closed) throw new ClientClosedError('producer.sendOneWay()');
      send('sendOneWay', message).catch(onError);
    },
    async sendHalf(message) {
      if (!checker) throw new ConfigError('producer.sendHalf() needs a producer created with the `checker` option (it answers the broker\'s transaction check-backs); this producer was created without one');
      const { result, tx } = await send('sendHalf', message, (producer) => producer.beginTransaction());
      const transaction = tx!;
      return {
        messageId: result.messageId,
        transactionId: result.transactionId,
        commit: () => lifecycle.run('commit', () => transaction.commit()),
        rollback: () => lifecycle.run('rollback', () => transaction.rollback()),
      };
    },
    async recall(topic, recallHandle) {
      const violation = checkTopicName(topic);
      if (violation) throw new InvalidRequestError(violation.code, `invalid recall: topic ${violation.problem}`);
      if (typeof recallHandle !== 'string' || recallHandle === '') throw new InvalidRequestError('BAD_REQUEST', 'invalid recall: recallHandle must be a non-empty string');
      return lifecycle.run('recall', async (producer) => (await producer.recallMessage(topic, recallHandle)).messageId);
    },
    close: () => lifecycle.close(),
  };
}

function checkProducerOptions(options: ProducerOptions): void {
  checkClientOptions('producer', options);
  checkPositive('producer', 'maxAttempts', options.maxAttempts, true);
  if (options.checker !== undefined && typeof options.checker !== 'function') {
    throw ConfigError.forOption('producer', 'checker', 'must be a function (message) => Promise<"COMMIT" | "ROLLBACK" | "UNKNOWN">');
  }
  for (const [i, topic] of (options.topics ?? []).entries()) {
    const violation = checkTopicName(topic);
    if (violation) throw ConfigError.forOption('producer', `topics[${i}]`, violation.problem);
  }
}
