import type { OutgoingMessage } from '@txmq/broker/client';
import { CONTENT_TYPE_PROPERTY, MESSAGE_ID_PROPERTY, type EncodedMessage } from '../message/message.js';
import type { PublishableMessage } from './publisher.js';

/**
 * Maps an outbox row to a broker message. User headers (trace context included) become user
 * properties; the outbox message id and the body's content type ride along so the consumer's
 * inbox can deduplicate and decode. `encodeMessage` counted these properties in the broker's
 * limits when the message was sent.
 */
export function toBrokerMessage(message: PublishableMessage): OutgoingMessage {
  return brokerMessage(message, { [MESSAGE_ID_PROPERTY]: message.messageId });
}

/** Builds a broker message from an encoded message plus txmq's own properties. */
export function brokerMessage(
  message: Pick<EncodedMessage, 'topic' | 'body' | 'tag' | 'keys' | 'messageGroup' | 'headers' | 'contentType'>,
  txmqProperties: Readonly<Record<string, string>>,
): OutgoingMessage {
  return {
    topic: message.topic,
    body: message.body,
    properties: { ...message.headers, ...txmqProperties, [CONTENT_TYPE_PROPERTY]: message.contentType },
    ...(message.tag !== undefined && { tag: message.tag }),
    ...(message.keys.length > 0 && { keys: [...message.keys] }),
    ...(message.messageGroup !== undefined && { messageGroup: message.messageGroup }),
  };
}
