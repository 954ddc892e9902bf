import { deadLetterTopic } from '../rules/names.js';
import type { MessageDraft, MessageRecord } from '../store/records.js';

/** Properties a dead-letter copy carries about its origin (as RocketMQ's do). */
const ORIGIN_TOPIC_PROPERTY = 'DLQ_ORIGIN_TOPIC';
const ORIGIN_MESSAGE_ID_PROPERTY = 'DLQ_ORIGIN_MESSAGE_ID';

/** The copy of `message` that goes to `%DLQ%<group>`: same id, body and properties, plus its origin. */
export function deadLetterDraft(message: MessageRecord, group: string): MessageDraft {
  const { offset: _offset, storedAt: _storedAt, ...rest } = message;
  return {
    ...rest,
    topic: deadLetterTopic(group),
    queueId: 0,
    properties: {
      ...message.properties,
      [ORIGIN_TOPIC_PROPERTY]: message.topic,
      [ORIGIN_MESSAGE_ID_PROPERTY]: message.messageId,
    },
    deadLetter: { originTopic: message.topic, originMessageId: message.messageId },
  };
}

/**
 * The copy of dead letter `copy` that goes back to `origin`: same id, body and properties, without
 * what {@link deadLetterDraft} added.
 */
export function resendDraft(copy: MessageRecord, origin: string): MessageDraft {
  const { offset: _offset, storedAt: _storedAt, deadLetter: _deadLetter, ...rest } = copy;
  const { [ORIGIN_TOPIC_PROPERTY]: _topic, [ORIGIN_MESSAGE_ID_PROPERTY]: _id, ...properties } = copy.properties;
  return { ...rest, topic: origin, queueId: 0, properties };
}

/** The group whose dead-letter topic `topic` is (see {@link deadLetterTopic}); `topic` must be one. */
export function deadLetterGroup(topic: string): string {
  return topic.slice(deadLetterTopic('').length);
}
