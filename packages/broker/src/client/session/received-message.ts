import { gunzipSync } from 'node:zlib';
import { Encoding } from '../../wire/enums.js';
import { millisOf, type WireMessage } from '../../wire/types.js';
import type { ReceivedMessage } from '../types.js';

/**
 * A delivered (or check-back) wire message as the typed clients hand it to users: the topic
 * without its namespace, a GZIP body inflated, user properties as a record.
 */
export function fromWireMessage(wire: WireMessage): ReceivedMessage {
  const system = wire.systemProperties ?? {};
  const raw = Buffer.from(wire.body ?? Buffer.alloc(0));
  const deliverAt = millisOf(system.deliveryTimestamp);
  return {
    messageId: system.messageId ?? '',
    topic: wire.topic?.name ?? '',
    ...(system.tag !== undefined && { tag: system.tag }),
    keys: system.keys ?? [],
    properties: { ...(wire.userProperties ?? {}) },
    body: system.bodyEncoding === Encoding.GZIP ? gunzipSync(raw) : raw,
    ...(system.messageGroup !== undefined && { messageGroup: system.messageGroup }),
    deliveryAttempt: system.deliveryAttempt ?? 1,
    bornAt: new Date(millisOf(system.bornTimestamp) ?? 0),
    ...(deliverAt !== undefined && { deliverAt: new Date(deliverAt) }),
  };
}
