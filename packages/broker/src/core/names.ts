import { InvalidRequestError } from '../errors.js';
import { Code } from '../protocol/codes.js';

const NAME_PATTERN = /^[A-Za-z0-9_%|-]+$/;
const SYSTEM_TOPIC_PREFIXES = ['RMQ_SYS_', 'rmq_sys_', 'SCHEDULE_TOPIC_', 'TRANS_CHECK_MAX_TIME_TOPIC', '%RETRY%'];

/** Throws ILLEGAL_TOPIC unless `name` is a legal, non-system RocketMQ topic name. */
export function assertTopicName(name: string): void {
  if (name.length < 1 || name.length > 127 || !NAME_PATTERN.test(name)) {
    throw new InvalidRequestError(
      Code.ILLEGAL_TOPIC,
      `illegal topic name ${JSON.stringify(name)}: use 1-127 characters from A-Z a-z 0-9 _ % | -`,
    );
  }
  if (SYSTEM_TOPIC_PREFIXES.some((p) => name.startsWith(p))) {
    throw new InvalidRequestError(Code.ILLEGAL_TOPIC, `topic ${JSON.stringify(name)} is a reserved system topic`);
  }
}

/** Throws ILLEGAL_CONSUMER_GROUP unless `name` is a legal consumer-group name. */
export function assertGroupName(name: string): void {
  if (name.length < 1 || name.length > 120 || !NAME_PATTERN.test(name)) {
    throw new InvalidRequestError(
      Code.ILLEGAL_CONSUMER_GROUP,
      `illegal consumer group ${JSON.stringify(name)}: use 1-120 characters from A-Z a-z 0-9 _ % | -`,
    );
  }
  if (name.startsWith('CID_RMQ_SYS_')) {
    throw new InvalidRequestError(Code.ILLEGAL_CONSUMER_GROUP, `consumer group ${JSON.stringify(name)} is reserved`);
  }
}

/** Whether `name` is a dead-letter topic (`%DLQ%<group>`), which the broker creates on demand. */
export function isDeadLetterTopic(name: string): boolean {
  return name.startsWith('%DLQ%');
}
