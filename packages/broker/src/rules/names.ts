import type { RuleViolation } from './violation.js';

/** RocketMQ's legal characters of topic and consumer-group names (`TopicValidator`). */
const NAME_PATTERN = /^[A-Za-z0-9_%|-]+$/;
const SYSTEM_TOPIC_PREFIXES = ['RMQ_SYS_', 'rmq_sys_', 'SCHEDULE_TOPIC_', 'TRANS_CHECK_MAX_TIME_TOPIC', '%RETRY%'];
const MAX_TOPIC_LENGTH = 127;
const MAX_GROUP_LENGTH = 120;

/** Why `name` is not a legal, non-system topic name to send to, or undefined when it is. */
export function checkTopicName(name: unknown, field = 'topic'): RuleViolation | undefined {
  if (typeof name !== 'string' || name.length < 1 || name.length > MAX_TOPIC_LENGTH || !NAME_PATTERN.test(name)) {
    return {
      field,
      code: 'ILLEGAL_TOPIC',
      problem: `must be 1-${MAX_TOPIC_LENGTH} characters from A-Z a-z 0-9 _ % | -, got ${describe(name)}`,
    };
  }
  if (SYSTEM_TOPIC_PREFIXES.some((p) => name.startsWith(p))) {
    return { field, code: 'ILLEGAL_TOPIC', problem: `${JSON.stringify(name)} is a reserved system topic` };
  }
  return undefined;
}

/** Why `name` is not a legal consumer-group name, or undefined when it is. */
export function checkGroupName(name: unknown, field = 'group'): RuleViolation | undefined {
  if (typeof name !== 'string' || name.length < 1 || name.length > MAX_GROUP_LENGTH || !NAME_PATTERN.test(name)) {
    return {
      field,
      code: 'ILLEGAL_CONSUMER_GROUP',
      problem: `must be 1-${MAX_GROUP_LENGTH} characters from A-Z a-z 0-9 _ % | -, got ${describe(name)}`,
    };
  }
  if (name.startsWith('CID_RMQ_SYS_')) {
    return { field, code: 'ILLEGAL_CONSUMER_GROUP', problem: `${JSON.stringify(name)} is a reserved consumer group` };
  }
  return undefined;
}

/** Whether `name` is a dead-letter topic (`%DLQ%<group>`), which the broker creates on demand. */
export function isDeadLetterTopic(name: string): boolean {
  return name.startsWith('%DLQ%');
}

/** The RocketMQ dead-letter topic of a consumer group. */
export function deadLetterTopic(group: string): string {
  return `%DLQ%${group}`;
}

/** A value, shortened, for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
