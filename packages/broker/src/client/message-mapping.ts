import type { MessageView } from 'rocketmq-client-nodejs';
import type { ReceivedMessage } from './types.js';

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
