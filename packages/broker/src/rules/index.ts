/** RocketMQ's rules for names and messages, shared by the broker and every client-side package. */
export { checkGroupName, checkTopicName, deadLetterTopic, isDeadLetterTopic } from './names.js';
export {
  checkMessage,
  DEFAULT_MAX_BODY_BYTES,
  MAX_DELAY_MS,
  MAX_MESSAGE_GROUP_BYTES,
  MAX_PROPERTIES,
  MAX_PROPERTY_BYTES,
} from './message-rules.js';
export type { MessageFields, MessageLimits } from './message-rules.js';
export type { RuleViolation } from './violation.js';
