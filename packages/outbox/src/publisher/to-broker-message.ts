import { CONTENT_TYPE_PROPERTY, MESSAGE_ID_PROPERTY } from '../message/message.js';
import type { PublishableMessage } from './publisher.js';

/** The broker's outgoing-message shape (a subset of `@txmq/broker`'s `OutgoingMessage`). */
export interface BrokerOutgoingMessage {
  topic: string;
  body: Buffer;
  tag?: string;
  keys?: string[];
  messageGroup?: string;
  properties?: Record<string, string>;
}

/**
 * Maps an outbox row to a broker message. User headers (trace context included) become user
 * properties; the outbox message id and the body's content type ride along so the consumer's
 * inbox can deduplicate and decode.
 */
export function toBrokerMessage(message: PublishableMessage): BrokerOutgoingMessage {
  const out: BrokerOutgoingMessage = {
    topic: message.topic,
    body: message.body,
    properties: {
      ...message.headers,
      [MESSAGE_ID_PROPERTY]: message.messageId,
      [CONTENT_TYPE_PROPERTY]: message.contentType,
    },
  };
  if (message.tag !== undefined) out.tag = message.tag;
  if (message.keys.length > 0) out.keys = [...message.keys];
  if (message.messageGroup !== undefined) out.messageGroup = message.messageGroup;
  return out;
}
