import { setTimeout as sleep } from 'node:timers/promises';
import { ConsumeResult, PushConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { ConfigError } from '../errors.js';
import { STATUS_CODES } from '../status-codes.js';
import { ClientLifecycle } from './client-lifecycle.js';
import { trackAssignmentScans } from './assignment-scans.js';
import { routeConsumeServiceLogs } from './consume-service-logger.js';
import { fromMessageView } from './message-mapping.js';
import { loggerOf, officialOptions } from './official-client-options.js';
import { checkClientOptions, checkSubscriptionOptions } from './option-checks.js';
import type { ClientOptions, ReceivedMessage } from './types.js';

const FIRST_ASSIGNMENT_SCAN_MS = 1000;
const DEFAULT_REQUEST_TIMEOUT_MS = 3000;
const OK_CODE = STATUS_CODES.OK;

/** Options of {@link createPushConsumer}. */
export interface PushConsumerOptions extends ClientOptions {
  readonly group: string;
  /** Topic → tag expression (`*`, `A || B`). */
  readonly subscriptions: Readonly<Record<string, string>>;
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
   * Stops receiving, lets messages already received finish their handler, and leaves the group;
   * no handler runs once it has resolved. It takes at most the sum of: what is left of the first
   * assignment scan (which ends 1 s + `requestTimeoutMs` after start, so nothing later on), the
   * broker's long-polling time for push consumers (an open long poll is waited for; txmq's
   * `pushLongPollingMs`, 5 s by default), what the running handlers still need, one second the official
   * client reserves for the last acknowledgements, and the leaving notice (at most
   * `requestTimeoutMs`, only when the broker is slow to answer). Idempotent; `start()` after it
   * rejects with `ClientClosedError`.
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
  const logger = loggerOf(options);
  const onError = options.onHandlerError ?? ((error, message) => logger.error(`handler failed for message ${message.messageId}:`, error));
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  let scansSettled: (() => Promise<void>) | undefined;
  let official: PushConsumer | undefined;

  // The official client forwards only FIFO messages to the dead-letter queue itself; its RPC
  // works for any message. The ack that follows a forward is refused as an invalid receipt
  // handle, which the official client ignores.
  const forwardToDeadLetter = async (view: MessageView): Promise<boolean> => {
    if (!official) return false;
    try {
      const response = await official.forwardMessageToDeadLetterQueueViaRpc(
        view.endpoints, official.wrapForwardMessageToDeadLetterQueueRequest(view), official.requestTimeoutValue);
      return response.getStatus()?.getCode() === OK_CODE;
    } catch (error) {
      logger.warn(`forwarding message ${view.messageId} to the dead-letter queue failed:`, error);
      return false;
    }
  };

  const consume = async (view: MessageView): Promise<ConsumeResult> => {
    // Not acknowledged: the broker redelivers it to a running member of the group.
    if (stopped) return ConsumeResult.FAILURE;
    const message = fromMessageView(view);
    const handling = (async () => {
      try {
        await options.handler(message);
        return ConsumeResult.SUCCESS;
      } catch (error) {
        try {
          onError(error, message);
        } catch (reportError) {
          logger.error('onHandlerError threw:', reportError);
        }
        if (options.deadLetter !== undefined && wantsDeadLetter(options.deadLetter, error, message) && (await forwardToDeadLetter(view))) {
          return ConsumeResult.SUCCESS;
        }
        return ConsumeResult.FAILURE;
      }
    })();
    running.add(handling);
    try {
      return await handling;
    } finally {
      running.delete(handling);
    }
  };

  const lifecycle = new ClientLifecycle(
    'push consumer',
    options,
    () => {
      const consumer = new PushConsumer({
        ...officialOptions(options),
        consumerGroup: options.group,
        subscriptions: new Map(Object.entries(options.subscriptions)),
        messageListener: { consume },
      });
      official = consumer;
      routeConsumeServiceLogs(consumer, logger);
      scansSettled = trackAssignmentScans(consumer);
      return consumer;
    },
    async () => {
      const startedAt = lifecycle.startedAt;
      if (startedAt === undefined || !scansSettled) return;
      // Bounded: a first scan that fails before its query (no route) never reports.
      const latest = startedAt + FIRST_ASSIGNMENT_SCAN_MS + (options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
      const giveUp = new AbortController();
      await Promise.race([scansSettled(), sleep(Math.max(0, latest - Date.now()), undefined, { signal: giveUp.signal }).catch(() => undefined)]);
      giveUp.abort();
    },
  );

  return {
    start: () => lifecycle.client('start').then(() => undefined),
    async close() {
      await lifecycle.close();
      stopped = true;
      await Promise.all(running);
    },
  };
}

function wantsDeadLetter(decide: (error: unknown, message: ReceivedMessage) => boolean, error: unknown, message: ReceivedMessage): boolean {
  try {
    return decide(error, message) === true;
  } catch {
    return false;
  }
}
