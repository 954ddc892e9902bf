import type { MessageOptions, MessageView } from 'rocketmq-client-nodejs';
import type { OutgoingMessage, ReceivedMessage } from './types.js';

/** A message in the shape the official client's `send` takes. */
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

/** A received message as this package hands it to users. */
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
