import { hostname } from 'node:os';
import { Encoding, MessageType, type MessageTypeNumber } from '../../wire/enums.js';
import { timestampOf, type WireMessage } from '../../wire/types.js';
import type { OutgoingMessage } from '../types.js';

const BORN_HOST = hostname();

/** The RocketMQ message type of `message` (TRANSACTION when sent as a half message). */
export function messageTypeOf(message: OutgoingMessage, transactional: boolean): MessageTypeNumber {
  if (transactional) return MessageType.TRANSACTION;
  if (message.messageGroup !== undefined) return MessageType.FIFO;
  if (message.deliverAt !== undefined) return MessageType.DELAY;
  return MessageType.NORMAL;
}

/** `message` as it travels in a SendMessageRequest; `stamp` sets the per-attempt fields. */
export function toWireMessage(message: OutgoingMessage, messageId: string, type: MessageTypeNumber, namespace: string): WireMessage {
  return {
    topic: { name: message.topic, resourceNamespace: namespace },
    body: typeof message.body === 'string' ? Buffer.from(message.body) : message.body,
    userProperties: { ...(message.properties ?? {}) },
    systemProperties: {
      messageId,
      keys: [...(message.keys ?? [])],
      ...(message.tag !== undefined && { tag: message.tag }),
      ...(message.messageGroup !== undefined && { messageGroup: message.messageGroup }),
      ...(message.deliverAt !== undefined && { deliveryTimestamp: timestampOf(message.deliverAt.getTime()) }),
      bodyEncoding: Encoding.IDENTITY,
      messageType: type,
      bornHost: BORN_HOST,
    },
  };
}

/** Sets the fields of one send attempt: the born time and the queue the request names. */
export function stamp(message: WireMessage, queueId: number, now: number): void {
  message.systemProperties!.bornTimestamp = timestampOf(now);
  message.systemProperties!.queueId = queueId;
}

/** What a message counts against `maxBatchBytes`: its body and its properties (tag, keys and user properties). */
export function batchBytesOf(message: OutgoingMessage): number {
  let bytes = typeof message.body === 'string' ? Buffer.byteLength(message.body) : message.body.byteLength;
  if (message.tag !== undefined) bytes += Buffer.byteLength(message.tag);
  for (const key of message.keys ?? []) bytes += Buffer.byteLength(key);
  for (const [key, value] of Object.entries(message.properties ?? {})) bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  return bytes;
}
