import { format } from 'node:util';
import type { MessageOptions, MessageView } from 'rocketmq-client-nodejs';
import type { ClientLogger, ClientOptions, OutgoingMessage, ReceivedMessage } from './types.js';

/** Warnings and errors to stderr; the official client's own default writes files under ~/logs. */
const STDERR_LOGGER: ClientLogger = {
  info: () => undefined,
  debug: () => undefined,
  warn: (...args) => console.warn(`[txmq client] ${format(...args)}`),
  error: (...args) => console.error(`[txmq client] ${format(...args)}`),
};

/** The logger a client logs to. */
export function loggerOf(options: ClientOptions): ClientLogger {
  return options.logger ?? STDERR_LOGGER;
}

/** Options in the shape the official client's constructors take. */
export function baseOptions(options: ClientOptions) {
  return {
    endpoints: options.endpoints,
    namespace: options.namespace ?? '',
    ...(options.requestTimeoutMs !== undefined && { requestTimeout: options.requestTimeoutMs }),
    ...(options.sslEnabled !== undefined && { sslEnabled: options.sslEnabled }),
    logger: { ...loggerOf(options), close: () => undefined },
  };
}

export function toMessageOptions(message: OutgoingMessage): MessageOptions {
  return {
    topic: message.topic,
    body: typeof message.body === 'string' ? Buffer.from(message.body) : message.body,
    ...(message.tag !== undefined && { tag: message.tag }),
    ...(message.keys !== undefined && { keys: [...message.keys] }),
    ...(message.messageGroup !== undefined && { messageGroup: message.messageGroup }),
    ...(message.deliverAt !== undefined && { deliveryTimestamp: message.deliverAt }),
    ...(message.properties !== undefined && { properties: new Map(Object.entries(message.properties)) }),
  };
}

export function fromMessageView(view: MessageView): ReceivedMessage {
  return {
    messageId: view.messageId,
    topic: view.topic,
    ...(view.tag !== undefined && { tag: view.tag }),
    keys: view.keys,
    properties: Object.fromEntries(view.properties),
    body: view.body,
    ...(view.messageGroup !== undefined && { messageGroup: view.messageGroup }),
    deliveryAttempt: view.deliveryAttempt ?? 1,
    bornAt: view.bornTimestamp ?? new Date(0),
    ...(view.deliveryTimestamp !== undefined && { deliverAt: view.deliveryTimestamp }),
  };
}
