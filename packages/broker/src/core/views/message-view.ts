import type { MessageRecord } from '../../store/records.js';
import type { MessageView } from '../views/index.js';

/** A stored message as operators see it. */
export function toMessageView(record: MessageRecord): MessageView {
  return {
    messageId: record.messageId,
    topic: record.topic,
    offset: record.offset,
    queueId: record.queueId,
    kind: record.kind,
    ...(record.tag !== undefined && { tag: record.tag }),
    keys: record.keys,
    properties: record.properties,
    ...(record.messageGroup !== undefined && { messageGroup: record.messageGroup }),
    bornAt: record.bornAt,
    bornHost: record.bornHost,
    ...(record.producerClientId !== undefined && { producerClientId: record.producerClientId }),
    storedAt: record.storedAt,
    ...(record.deliverAt !== undefined && { deliverAt: record.deliverAt }),
    body: record.body,
    ...(record.deadLetter !== undefined && { deadLetter: record.deadLetter }),
  };
}
