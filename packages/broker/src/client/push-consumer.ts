import { setTimeout as sleep } from 'node:timers/promises';
import { ClientClosedError, ConfigError } from '../errors.js';
import { describe } from '../rules/names.js';
import { PushRuntime } from './consumer/push-runtime.js';
import { openConsumerSession } from './consumer/session-adapter.js';
import { loggerOf } from './client-logger.js';
import { safeLogger } from './consumer/safe-logger.js';
import { checkClientOptions, checkSubscriptionOptions } from './option-checks.js';
import type { ClientOptions, ReceivedMessage, SubscriptionExpression } from './types.js';

/** How often a started push consumer looks for brokers that joined a topic's route (the session refreshes routes as often). */
const TARGET_REFRESH_MS = 30_000;
const DEFAULTS = { concurrency: 16, receiveBatchSize: 32, parallelReceives: 2, invisibleMs: 30_000 } as const;
/** Most messages one receive asks for (RocketMQ's proxy returns at most 32). */
const MAX_RECEIVE_BATCH = 32;
/** Shortest invisible time a RocketMQ proxy accepts. */
const MIN_INVISIBLE_MS = 10_000;
const MAX_INVISIBLE_MS = 12 * 3_600_000;

/** Options of {@link createPushConsumer}. */
export interface PushConsumerOptions extends ClientOptions {
  readonly group: string;
  /** Topic → tag expression (`*`, `A || B`) or `{ sql }`, an SQL92 filter on the message properties. */
  readonly subscriptions: Readonly<Record<string, SubscriptionExpression>>;
  /** Called once per delivery; resolve to acknowledge, throw to have it redelivered later. */
  readonly handler: (message: ReceivedMessage) => Promise<void>;
  /** Called when the handler throws (default: logged to the client's logger). */
  readonly onHandlerError?: (error: unknown, message: ReceivedMessage) => void;
  /**
   * Called when the handler throws: return `true` to move the message to the group's dead-letter
   * topic (`%DLQ%<group>`) at once instead of having it redelivered (default: never; the broker
   * still moves it there after the group's max delivery attempts). If the move fails, the
   * message is redelivered.
   */
  readonly deadLetter?: (error: unknown, message: ReceivedMessage) => boolean;
  /**
   * Handlers running at once (default 16). Messages of one message group are handled one at a
   * time (in send order when the consumer group is FIFO); messages of other groups, or of none,
   * run alongside.
   */
  readonly concurrency?: number;
  /** Messages one receive asks for, 1..32 (default 32). */
  readonly receiveBatchSize?: number;
  /** Receives (long polls) kept in flight per subscribed topic and broker (default 2). */
  readonly parallelReceives?: number;
  /**
   * How long a received message stays invisible to the rest of the group (default 30 000 ms,
   * 10 s..12 h). The broker keeps a message invisible for as long as this consumer is connected
   * and has not settled it; this is the bound a broker that does not renew applies.
   */
  readonly invisibleMs?: number;
}

/** A consumer that receives continuously and calls a handler per message, from `start()` to `close()`. */
export interface TxmqPushConsumer {
  /**
   * Connects, joins the group and starts delivering to the handler. Rejects with
   * `BrokerUnreachableError` when no connection could be made within `startupTimeoutMs` (calling
   * it again tries again); resolves at once when already started.
   */
  start(): Promise<void>;
  /**
   * Stops receiving (receives in flight are cancelled), lets the running handlers finish, waits
   * for their acknowledgements, and leaves the group; no handler runs once it has resolved.
   * Messages received but not yet handed to the handler go back to the group when it leaves.
   * It takes what the running handlers still need and, when the broker is slow to answer, at
   * most three times `requestTimeoutMs` plus one second more: an acknowledgement waiting for the
   * one in flight before it (nothing that fails is tried again once closing), the leaving notice,
   * the end of the Telemetry stream.
   * Idempotent; `start()` after it rejects with `ClientClosedError`.
   */
  close(): Promise<void>;
}

/**
 * Creates a push-style consumer. Does no I/O and nothing until `start()`: it validates the
 * options (throwing `ConfigError` naming a bad one) and returns.
 *
 * @example
 * ```ts
 * const consumer = createPushConsumer({
 *   endpoints: '127.0.0.1:8081', group: 'billing', subscriptions: { orders: '*' },
 *   handler: async (message) => console.log(message.body.toString()),
 * });
 * await consumer.start();
 * // ...
 * await consumer.close();
 * ```
 */
export function createPushConsumer(options: PushConsumerOptions): TxmqPushConsumer {
  checkClientOptions('push consumer', options);
  checkSubscriptionOptions('push consumer', options.group, options.subscriptions);
  if (typeof options.handler !== 'function') throw ConfigError.forOption('push consumer', 'handler', 'must be a function (message) => Promise<void>');
  if (options.onHandlerError !== undefined && typeof options.onHandlerError !== 'function') {
    throw ConfigError.forOption('push consumer', 'onHandlerError', 'must be a function (error, message) => void');
  }
  if (options.deadLetter !== undefined && typeof options.deadLetter !== 'function') {
    throw ConfigError.forOption('push consumer', 'deadLetter', 'must be a function (error, message) => boolean');
  }
  const concurrency = integerOption('concurrency', options.concurrency, DEFAULTS.concurrency, 1, Number.MAX_SAFE_INTEGER);
  const receiveBatchSize = integerOption('receiveBatchSize', options.receiveBatchSize, DEFAULTS.receiveBatchSize, 1, MAX_RECEIVE_BATCH);
  const parallelReceives = integerOption('parallelReceives', options.parallelReceives, DEFAULTS.parallelReceives, 1, 64);
  const invisibleMs = integerOption('invisibleMs', options.invisibleMs, DEFAULTS.invisibleMs, MIN_INVISIBLE_MS, MAX_INVISIBLE_MS);
  const logger = safeLogger(loggerOf(options));
  const session = openConsumerSession('push consumer', options, 'push');
  const runtime = new PushRuntime(session, {
    group: options.group,
    subscriptions: options.subscriptions,
    handler: options.handler,
    onHandlerError: options.onHandlerError ?? ((error, message) => logger.error(`handler failed for message ${message.messageId}:`, error)),
    deadLetter: options.deadLetter,
    concurrency, receiveBatchSize, parallelReceives, invisibleMs,
    logger,
    sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
  });
  let starting: Promise<void> | undefined;
  let started = false;
  let refresher: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;

  const start = async () => {
    await session.start('start');
    if (closing) throw new ClientClosedError('push consumer.start()');
    await runtime.start();
    if (closing) throw new ClientClosedError('push consumer.start()');
    started = true;
    refresher = setInterval(() => void runtime.refreshTargets(), TARGET_REFRESH_MS);
    refresher.unref();
  };
  return {
    start() {
      if (closing) return Promise.reject(new ClientClosedError('push consumer.start()'));
      if (started) return Promise.resolve();
      starting ??= start().finally(() => {
        starting = undefined;
      });
      return starting;
    },
    close() {
      closing ??= (async () => {
        clearInterval(refresher);
        await runtime.stop();
        // Also ends a start in progress.
        await session.close();
        await starting?.catch(() => undefined);
      })();
      return closing;
    },
  };
}

function integerOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw ConfigError.forOption('push consumer', name, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}
