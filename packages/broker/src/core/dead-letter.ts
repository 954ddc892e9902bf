import { deadLetterTopic } from '../rules/names.js';
import type { MessageDraft, MessageRecord } from '../store/records.js';

/** The copy of `message` that goes to `%DLQ%<group>`: same id, body and properties, plus its origin. */
export function deadLetterDraft(message: MessageRecord, group: string): MessageDraft {
  const { offset: _offset, storedAt: _storedAt, ...rest } = message;
  return {
    ...rest,
    topic: deadLetterTopic(group),
    queueId: 0,
    properties: {
      ...message.properties,
      DLQ_ORIGIN_TOPIC: message.topic,
      DLQ_ORIGIN_MESSAGE_ID: message.messageId,
    },
    deadLetter: { originTopic: message.topic, originMessageId: message.messageId },
  };
}
