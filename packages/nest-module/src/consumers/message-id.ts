import type { ReceivedMessage } from '@txmq/broker/client';
import { inboxMessageId } from '@txmq/outbox';

/**
 * The id logs and errors name a delivery by: its `txmq-message-id` (what the inbox dedups on,
 * and what the sender's `TxmqProducer.send` returned), or the broker's id when it has none.
 */
export function deliveryId(message: ReceivedMessage): string {
  try {
    return inboxMessageId(message);
  } catch {
    return message.messageId;
  }
}
