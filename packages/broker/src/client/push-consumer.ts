import { ConsumeResult, PushConsumer } from 'rocketmq-client-nodejs';
import { routeConsumeServiceLogs } from './consume-service-logger.js';
import { startGuarded } from './resilience.js';
import { baseOptions, fromMessageView, loggerOf } from './shared.js';
import type { ClientOptions, ReceivedMessage } from './types.js';

const FIRST_ASSIGNMENT_SCAN_MS = 1000;
const DEFAULT_REQUEST_TIMEOUT_MS = 3000;

/** Options of {@link createPushConsumer}. */
export interface PushConsumerOptions extends ClientOptions {
  readonly group: string;
  /** Topic → tag expression (`*`, `A || B`). */
  readonly subscriptions: Readonly<Record<string, string>>;
  /** Called once per delivery; resolve to acknowledge, throw to have it redelivered later. */
  readonly handler: (message: ReceivedMessage) => Promise<void>;
  /** Called when the handler throws (default: logged to stderr). */
  readonly onHandlerError?: (error: unknown, message: ReceivedMessage) => void;
}

/** A consumer that receives continuously and calls a handler per message. */
export interface TxmqPushConsumer {
  /** Stops receiving, waits for running handlers, and leaves the group. */
  close(): Promise<void>;
}

/** Starts a push-style consumer: messages flow to `handler` until `close()`. */
export async function createPushConsumer(options: PushConsumerOptions): Promise<TxmqPushConsumer> {
  const onError = options.onHandlerError ?? ((error, message) => console.error(`[txmq client] handler failed for ${message.messageId}`, error));
  routeConsumeServiceLogs(loggerOf(options));
  const consumer = new PushConsumer({
    ...baseOptions(options),
    consumerGroup: options.group,
    subscriptions: new Map(Object.entries(options.subscriptions)),
    messageListener: {
      async consume(view) {
        const message = fromMessageView(view);
        try {
          await options.handler(message);
          return ConsumeResult.SUCCESS;
        } catch (error) {
          onError(error, message);
          return ConsumeResult.FAILURE;
        }
      },
    },
  });
  const shutdown = await startGuarded(consumer, options);
  const startedAt = Date.now();
  return {
    close: async () => {
      // The official client schedules its first assignment scan 1 s after start-up without keeping
      // the timer; shutting down before that scan has finished leaves a receive loop running forever.
      const firstScanDone = startedAt + FIRST_ASSIGNMENT_SCAN_MS + (options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
      if (Date.now() < firstScanDone) await new Promise((resolve) => setTimeout(resolve, firstScanDone - Date.now()));
      await shutdown();
    },
  };
}
