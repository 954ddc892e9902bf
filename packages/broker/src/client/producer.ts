import { ClientClosedError, ConfigError, InvalidRequestError } from '../errors.js';
import { checkTopicName } from '../rules/index.js';
import { ClientType } from '../wire/enums.js';
import type { RecallMessageResponse } from '../wire/types.js';
import { loggerOf } from './client-logger.js';
import { checkClientOptions, checkPositive } from './option-checks.js';
import { assertValidMessage } from './outgoing-rules.js';
import { Sender } from './producer/sender.js';
import { checkBackHandler, endTransaction, type HalfMessageRef } from './producer/transactions.js';
import { ClientSession } from './session/session.js';
import type { ClientOptions, HalfMessage, OutgoingMessage, SendResult, TransactionChecker } from './types.js';

/** `maxBatchMessages` when the options do not say. */
const DEFAULT_MAX_BATCH_MESSAGES = 128;
/** `maxBatchBytes` when the options do not say: well below the 4 MiB a RocketMQ broker stores per batch. */
const DEFAULT_MAX_BATCH_BYTES = 3 * 1024 * 1024;
/**
 * Largest `maxBatchBytes`: RocketMQ stores at most 4 MiB per batch (its default maxMessageSize,
 * also txmq's body limit); 512 KiB stay for what the cap does not count (message ids, system
 * properties and framing of up to 1024 messages).
 */
const MAX_BATCH_BYTES_LIMIT = 3.5 * 1024 * 1024;
/** Largest `maxBatchMessages`. */
const MAX_BATCH_MESSAGES_LIMIT = 1024;

/** Options of {@link createProducer}. */
export interface ProducerOptions extends ClientOptions {
  /**
   * Topics to resolve and announce at start-up: the broker sends this producer the check-backs of
   * their half messages. Others are resolved and announced on the first send to them.
   */
  readonly topics?: readonly string[];
  /**
   * Send attempts for non-transactional messages (default 3); only transient failures are retried
   * (unreachable, timed out, throttled, internal or persistence-timeout refusals). A failure whose
   * outcome is unknown (a timeout, a lost connection) resends the whole batch with the same message
   * ids, so the broker may store a message twice: delivery is at-least-once, consumers that must
   * not see duplicates dedupe by `messageId`.
   */
  readonly maxAttempts?: number;
  /** Required for {@link TxmqProducer.sendHalf}: answers the broker's transaction check-backs. */
  readonly checker?: TransactionChecker;
  /**
   * Most messages in one SendMessageRequest (default 128, at most 1024). Concurrent NORMAL sends
   * to one topic travel together while a request of that topic is in flight; `1` sends each
   * message alone.
   */
  readonly maxBatchMessages?: number;
  /**
   * Most bytes of bodies and properties in one SendMessageRequest (default 3 MiB, at most 3.5 MiB;
   * lowered to the body limit the broker announces); a larger message goes alone.
   */
  readonly maxBatchBytes?: number;
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
  /**
   * Waits for the sends already made (retries included), then tells the broker it leaves and
   * disconnects; later calls reject with `ClientClosedError`. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Creates a producer, speaking RocketMQ 5 gRPC itself. Does no I/O: it validates the options
 * (throwing `ConfigError` naming a bad one) and connects on first use. Concurrent NORMAL sends to
 * one topic are batched into one request (see `maxBatchMessages`); FIFO, DELAY and transactional
 * messages go one per request. Retryable failures are retried up to `maxAttempts` (transactional
 * sends are not retried). A producer with a `checker` answers check-backs only while connected:
 * call `start()` to answer them before the first send.
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
  const topics = [...(options.topics ?? [])];
  let closed = false;
  let closing: Promise<void> | undefined;
  // Calls of the public methods not yet settled, counted from their first synchronous step so that
  // close() right after send() still waits for it.
  let running = 0;
  let idle: Array<() => void> = [];
  const tracked = async <T>(work: () => Promise<T>): Promise<T> => {
    running++;
    try {
      return await work();
    } finally {
      if (--running === 0) for (const wake of idle.splice(0)) wake();
    }
  };
  const drained = () => (running === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve)));
  const session: ClientSession = new ClientSession({
    what: 'producer',
    options,
    clientType: ClientType.PRODUCER,
    topics: () => topics,
    pubSub: () => ({ publishing: { topics: sender.publishingTopics(), validateMessageType: true } }),
    onCommand: checkBackHandler(() => session, checker),
  });
  const sender = new Sender(session, options.maxAttempts ?? 3, {
    maxMessages: options.maxBatchMessages ?? DEFAULT_MAX_BATCH_MESSAGES,
    maxBytes: options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES,
  }, topics);
  const ready = async (method: string) => {
    if (closed) throw new ClientClosedError(`producer.${method}()`);
    await session.start(method);
  };
  const send = (method: string, message: OutgoingMessage, transactional: boolean) => {
    if (closed) return Promise.reject(new ClientClosedError(`producer.${method}()`));
    assertValidMessage(message);
    return tracked(async () => {
      await ready(method);
      try {
        return await sender.send(message, transactional);
      } catch (error) {
        throw session.toError(error, method);
      }
    });
  };
  const settle = (method: string, endpoint: string, half: HalfMessageRef, resolution: 'COMMIT' | 'ROLLBACK') => tracked(async () => {
    await ready(method);
    try {
      await endTransaction(session, endpoint, half, resolution, 'CLIENT');
    } catch (error) {
      throw session.toError(error, method, endpoint);
    }
  });
  return {
    start: () => ready('start'),
    send: async (message) => (await send('send', message, false)).result,
    sendOneWay(message, onError = (error) => loggerOf(options).error('one-way send failed:', error)) {
      if (closed) throw new ClientClosedError('producer.sendOneWay()');
      assertValidMessage(message);
      send('sendOneWay', message, false).catch(onError);
    },
    async sendHalf(message) {
      if (!checker) throw new ConfigError('producer.sendHalf() needs a producer created with the `checker` option (it answers the broker\'s transaction check-backs); this producer was created without one');
      if (message?.messageGroup !== undefined || message?.deliverAt !== undefined) {
        throw new InvalidRequestError('BAD_REQUEST', 'invalid half message: a transactional message cannot have a messageGroup or deliverAt');
      }
      const { result, endpoint } = await send('sendHalf', message, true);
      const half: HalfMessageRef = { topic: session.resource(message.topic), messageId: result.messageId, transactionId: result.transactionId };
      return {
        messageId: result.messageId,
        transactionId: result.transactionId,
        commit: () => settle('commit', endpoint, half, 'COMMIT'),
        rollback: () => settle('rollback', endpoint, half, 'ROLLBACK'),
      };
    },
    async recall(topic, recallHandle) {
      const violation = checkTopicName(topic);
      if (violation) throw new InvalidRequestError(violation.code, `invalid recall: topic ${violation.problem}`);
      if (typeof recallHandle !== 'string' || recallHandle === '') throw new InvalidRequestError('BAD_REQUEST', 'invalid recall: recallHandle must be a non-empty string');
      return tracked(async () => {
        await ready('recall');
        try {
          const response = await session.call<RecallMessageResponse>('RecallMessage', session.endpoint, { topic: session.resource(topic), recallHandle });
          return response.messageId ?? '';
        } catch (error) {
          throw session.toError(error, 'recall');
        }
      });
    },
    close() {
      closed = true;
      closing ??= drained().then(() => session.close());
      return closing;
    },
  };
}

function checkProducerOptions(options: ProducerOptions): void {
  checkClientOptions('producer', options);
  checkPositive('producer', 'maxAttempts', options.maxAttempts, true);
  checkPositive('producer', 'maxBatchMessages', options.maxBatchMessages, true);
  checkPositive('producer', 'maxBatchBytes', options.maxBatchBytes, true);
  if (options.maxBatchMessages !== undefined && options.maxBatchMessages > MAX_BATCH_MESSAGES_LIMIT) {
    throw ConfigError.forOption('producer', 'maxBatchMessages', `must be at most ${MAX_BATCH_MESSAGES_LIMIT}, got ${options.maxBatchMessages}`);
  }
  if (options.maxBatchBytes !== undefined && options.maxBatchBytes > MAX_BATCH_BYTES_LIMIT) {
    throw ConfigError.forOption('producer', 'maxBatchBytes', `must be at most ${MAX_BATCH_BYTES_LIMIT} (3.5 MiB: a RocketMQ broker stores at most 4 MiB per batch), got ${options.maxBatchBytes}`);
  }
  if (options.checker !== undefined && typeof options.checker !== 'function') {
    throw ConfigError.forOption('producer', 'checker', 'must be a function (message) => Promise<"COMMIT" | "ROLLBACK" | "UNKNOWN">');
  }
  for (const [i, topic] of (options.topics ?? []).entries()) {
    const violation = checkTopicName(topic);
    if (violation) throw ConfigError.forOption('producer', `topics[${i}]`, violation.problem);
  }
}
