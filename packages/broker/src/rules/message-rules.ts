import { checkTopicName, describe } from './names.js';
import type { RuleViolation } from './violation.js';

/** Property keys RocketMQ reserves for itself (`MessageConst.STRING_HASH_SET`). */
const RESERVED_PROPERTY_KEYS = new Set([
  'KEYS', 'TAGS', 'WAIT', 'DELAY', 'RETRY_TOPIC', 'REAL_TOPIC', 'REAL_QID', 'TRAN_MSG', 'PGROUP', 'MIN_OFFSET',
  'MAX_OFFSET', 'BUYER_ID', 'ORIGIN_MESSAGE_ID', 'TRANSFER_FLAG', 'CORRECTION_FLAG', 'MQ2_FLAG', 'RECONSUME_TIME',
  'UNIQ_KEY', 'MAX_RECONSUME_TIMES', 'CONSUME_START_TIME', 'POP_CK', 'POP_CK_OFFSET', '1ST_POP_TIME',
  'TRAN_PREPARED_QUEUE_OFFSET', 'DUP_INFO', 'EXTEND_UNIQ_INFO', 'INSTANCE_ID', 'CORRELATION_ID', 'REPLY_TO_CLIENT',
  'TTL', 'ARRIVE_TIME', 'PUSH_REPLY_TIME', 'CLUSTER', 'MSG_TYPE', 'INNER_MULTI_QUEUE_OFFSET', 'TIMER_DELAY_MS',
  'TIMER_DELAY_SEC', 'TIMER_DELIVER_MS', 'TIMER_ENQUEUE_MS', 'TIMER_DEQUEUE_MS', 'TIMER_ROLL_TIMES', 'TIMER_OUT_MS',
  'TIMER_DEL_UNIQKEY', 'TIMER_DELAY_LEVEL', '__BORNHOST', 'BORN_TIMESTAMP', 'DLQ_ORIGIN_TOPIC',
  'DLQ_ORIGIN_MESSAGE_ID', '__CRC32#',
]);
/** RocketMQ's default body limit (`maxMessageSize`), and the most the official Node client can receive. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** The most user properties one message may carry. */
export const MAX_PROPERTIES = 128;
/** The most bytes tag, keys and user properties may take together. */
export const MAX_PROPERTY_BYTES = 16 * 1024;
/** A message group must be shorter than this many bytes (UTF-8). */
export const MAX_MESSAGE_GROUP_BYTES = 64;
/** The furthest in the future a delay message may be scheduled (RocketMQ's proxy: one day). */
export const MAX_DELAY_MS = 24 * 3_600_000;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** The parts of a message RocketMQ's rules speak about. */
export interface MessageFields {
  readonly topic: string;
  readonly body: Uint8Array | string;
  readonly tag?: string;
  readonly keys?: readonly string[];
  readonly messageGroup?: string;
  /** Delivery time, epoch ms. */
  readonly deliverAt?: number;
  readonly properties?: Readonly<Record<string, string>>;
}

/** Limits a broker may set differently from RocketMQ's defaults. */
export interface MessageLimits {
  /** Default {@link DEFAULT_MAX_BODY_BYTES}. */
  readonly maxBodyBytes?: number;
  /** The time a delivery time is measured from (default now). */
  readonly now?: number;
}

/**
 * The first way `message` breaks the rules a RocketMQ 5 broker (txmq's or Apache's proxy) checks
 * on every send, or undefined when it breaks none. A message with a message group is a FIFO
 * message and one with a delivery time a DELAY message; one message cannot be both.
 */
export function checkMessage(message: MessageFields, limits: MessageLimits = {}): RuleViolation | undefined {
  return (
    checkTopicName(message.topic) ??
    checkBody(message.body, limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES) ??
    checkTag(message.tag) ??
    checkKeys(message.keys ?? []) ??
    checkMessageGroup(message.messageGroup) ??
    checkProperties(message) ??
    checkDeliverAt(message, limits.now ?? Date.now())
  );
}

function checkBody(body: Uint8Array | string, maxBodyBytes: number): RuleViolation | undefined {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (bytes === 0) return { field: 'body', code: 'MESSAGE_BODY_EMPTY', problem: 'must not be empty' };
  if (bytes > maxBodyBytes) {
    return { field: 'body', code: 'MESSAGE_BODY_TOO_LARGE', problem: `is ${bytes} bytes; the limit is ${maxBodyBytes}` };
  }
  return undefined;
}

function checkTag(tag: string | undefined): RuleViolation | undefined {
  if (tag === undefined) return undefined;
  if (typeof tag !== 'string' || tag.trim() === '' || tag.includes('|') || CONTROL_CHARS.test(tag)) {
    return {
      field: 'tag',
      code: 'ILLEGAL_MESSAGE_TAG',
      problem: `must not be blank or contain "|" or control characters, got ${describe(tag)}`,
    };
  }
  return undefined;
}

function checkKeys(keys: readonly string[]): RuleViolation | undefined {
  for (const [i, key] of keys.entries()) {
    if (typeof key !== 'string' || key.trim() === '' || CONTROL_CHARS.test(key)) {
      return {
        field: `keys[${i}]`,
        code: 'ILLEGAL_MESSAGE_KEY',
        problem: `must not be blank or contain control characters, got ${describe(key)}`,
      };
    }
  }
  return undefined;
}

function checkMessageGroup(group: string | undefined): RuleViolation | undefined {
  if (group === undefined) return undefined;
  if (typeof group !== 'string' || group.trim() === '' || CONTROL_CHARS.test(group) || Buffer.byteLength(group) >= MAX_MESSAGE_GROUP_BYTES) {
    return {
      field: 'messageGroup',
      code: 'ILLEGAL_MESSAGE_GROUP',
      problem: `must not be blank or contain control characters, and must be under ${MAX_MESSAGE_GROUP_BYTES} bytes, got ${describe(group)}`,
    };
  }
  return undefined;
}

function checkProperties(message: MessageFields): RuleViolation | undefined {
  const entries = Object.entries(message.properties ?? {});
  if (entries.length > MAX_PROPERTIES) {
    return { field: 'properties', code: 'MESSAGE_PROPERTIES_TOO_LARGE', problem: `has ${entries.length} entries; the limit is ${MAX_PROPERTIES}` };
  }
  let bytes = Buffer.byteLength(message.tag ?? '') + (message.keys ?? []).reduce((n, k) => n + Buffer.byteLength(k), 0);
  for (const [key, value] of entries) {
    if (key === '' || RESERVED_PROPERTY_KEYS.has(key) || CONTROL_CHARS.test(key)) {
      return {
        field: `properties.${key}`,
        code: 'ILLEGAL_MESSAGE_PROPERTY_KEY',
        problem: 'is not a legal user property name: it is empty, reserved by RocketMQ, or has control characters',
      };
    }
    if (typeof value !== 'string') {
      return { field: `properties.${key}`, code: 'BAD_REQUEST', problem: `must be a string, got ${describe(value)}` };
    }
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > MAX_PROPERTY_BYTES) {
    return {
      field: 'properties',
      code: 'MESSAGE_PROPERTIES_TOO_LARGE',
      problem: `with tag and keys take ${bytes} bytes; the limit is ${MAX_PROPERTY_BYTES}`,
    };
  }
  return undefined;
}

function checkDeliverAt(message: MessageFields, now: number): RuleViolation | undefined {
  if (message.deliverAt === undefined) return undefined;
  if (!Number.isFinite(message.deliverAt)) {
    return { field: 'deliverAt', code: 'ILLEGAL_DELIVERY_TIME', problem: 'must be a valid time' };
  }
  if (message.messageGroup !== undefined) {
    return {
      field: 'deliverAt',
      code: 'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE',
      problem: 'cannot be set on a message with a messageGroup: a message is either FIFO or DELAY',
    };
  }
  if (message.deliverAt > now + MAX_DELAY_MS) {
    return {
      field: 'deliverAt',
      code: 'ILLEGAL_DELIVERY_TIME',
      problem: `${new Date(message.deliverAt).toISOString()} is more than 24 h ahead`,
    };
  }
  return undefined;
}
