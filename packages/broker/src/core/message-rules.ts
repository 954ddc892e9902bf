import { InvalidRequestError } from '../errors.js';
import { Code } from '../protocol/codes.js';
import type { MessageDraft, MessageKind, TopicSettings } from './types.js';

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
const MAX_PROPERTIES = 128;
const MAX_PROPERTY_BYTES = 16 * 1024;
const MAX_MESSAGE_GROUP_BYTES = 64;
/** The furthest in the future a delay message may be scheduled (RocketMQ's proxy: one day). */
export const MAX_DELAY_MS = 24 * 3_600_000;
/** The longest a transactional message may ask the broker to wait before its first check. */
const MAX_RECOVERY_MS = 3_600_000;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** A message as a producer sent it, already decoded from the wire. */
export interface IncomingMessage {
  readonly topic: string;
  readonly queueId: number;
  readonly messageId: string;
  readonly kind: MessageKind | 'UNSUPPORTED';
  readonly body: Buffer;
  readonly tag?: string;
  readonly keys: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly messageGroup?: string;
  readonly bornAt: number;
  readonly bornHost: string;
  readonly deliverAt?: number;
  readonly traceContext?: string;
  /** `orphaned_transaction_recovery_duration`: replaces the check immunity of one transaction. */
  readonly recoveryMs?: number;
}

/** Checks a message against RocketMQ's rules and the topic's type; returns what the broker stores. */
export function validateMessage(m: IncomingMessage, topic: TopicSettings, maxBodyBytes: number, now: number): MessageDraft {
  if (m.messageId.trim() === '') throw bad(Code.ILLEGAL_MESSAGE_ID, 'message_id must not be blank');
  if (m.body.length === 0) throw bad(Code.MESSAGE_BODY_EMPTY, 'message body must not be empty');
  if (m.body.length > maxBodyBytes) {
    throw bad(Code.MESSAGE_BODY_TOO_LARGE, `message body is ${m.body.length} bytes; the limit is ${maxBodyBytes}`);
  }
  if (m.kind === 'UNSUPPORTED') throw bad(Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE, 'unsupported message type (only NORMAL, FIFO, DELAY and TRANSACTION)');
  if (m.tag !== undefined && (m.tag.trim() === '' || m.tag.includes('|') || CONTROL_CHARS.test(m.tag))) {
    throw bad(Code.ILLEGAL_MESSAGE_TAG, `illegal tag ${JSON.stringify(m.tag)}: it must not be blank or contain "|" or control characters`);
  }
  for (const key of m.keys) {
    if (key.trim() === '' || CONTROL_CHARS.test(key)) {
      throw bad(Code.ILLEGAL_MESSAGE_KEY, `illegal message key ${JSON.stringify(key)}: it must not be blank or contain control characters`);
    }
  }
  if (m.messageGroup !== undefined) {
    if (m.messageGroup.trim() === '' || CONTROL_CHARS.test(m.messageGroup) || Buffer.byteLength(m.messageGroup) >= MAX_MESSAGE_GROUP_BYTES) {
      throw bad(Code.ILLEGAL_MESSAGE_GROUP, `illegal message group ${JSON.stringify(m.messageGroup)}: not blank, no control characters, under ${MAX_MESSAGE_GROUP_BYTES} bytes`);
    }
  }
  checkProperties(m);
  checkKindAgainstMessage(m);
  checkKindAgainstTopic(m.kind, topic);
  if (m.deliverAt !== undefined && m.deliverAt > now + MAX_DELAY_MS) {
    throw bad(Code.ILLEGAL_DELIVERY_TIME, `delivery time ${new Date(m.deliverAt).toISOString()} is more than 24 h ahead`);
  }
  if (m.recoveryMs !== undefined && (m.recoveryMs < 0 || m.recoveryMs > MAX_RECOVERY_MS)) {
    throw bad(Code.BAD_REQUEST, 'orphaned_transaction_recovery_duration must be between 0 and 1 h');
  }
  return {
    topic: m.topic,
    queueId: Math.max(0, Math.min(m.queueId, topic.queues - 1)),
    messageId: m.messageId,
    kind: m.kind,
    body: m.body,
    ...(m.tag !== undefined && { tag: m.tag }),
    keys: m.keys,
    properties: m.properties,
    ...(m.messageGroup !== undefined && { messageGroup: m.messageGroup }),
    bornAt: m.bornAt,
    bornHost: m.bornHost,
    ...(m.deliverAt !== undefined && { deliverAt: m.deliverAt }),
    ...(m.traceContext !== undefined && { traceContext: m.traceContext }),
  };
}

function checkProperties(m: IncomingMessage): void {
  const entries = Object.entries(m.properties);
  if (entries.length > MAX_PROPERTIES) {
    throw bad(Code.MESSAGE_PROPERTIES_TOO_LARGE, `message has ${entries.length} user properties; the limit is ${MAX_PROPERTIES}`);
  }
  let bytes = Buffer.byteLength(m.tag ?? '') + m.keys.reduce((n, k) => n + Buffer.byteLength(k), 0);
  for (const [key, value] of entries) {
    if (key === '' || RESERVED_PROPERTY_KEYS.has(key) || CONTROL_CHARS.test(key)) {
      throw bad(Code.ILLEGAL_MESSAGE_PROPERTY_KEY, `illegal user property key ${JSON.stringify(key)}: it is empty, reserved by RocketMQ, or has control characters`);
    }
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > MAX_PROPERTY_BYTES) {
    throw bad(Code.MESSAGE_PROPERTIES_TOO_LARGE, `user properties, tag and keys take ${bytes} bytes; the limit is ${MAX_PROPERTY_BYTES}`);
  }
}

function checkKindAgainstMessage(m: IncomingMessage): void {
  const conflict = (why: string) => bad(Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE, `${m.kind} message ${why}`);
  if (m.kind === 'FIFO' && m.messageGroup === undefined) throw conflict('needs a message group');
  if (m.kind !== 'FIFO' && m.messageGroup !== undefined) throw conflict('must not have a message group');
  if (m.kind === 'DELAY' && m.deliverAt === undefined) throw conflict('needs a delivery timestamp');
  if (m.kind !== 'DELAY' && m.deliverAt !== undefined) throw conflict('must not have a delivery timestamp');
}

function checkKindAgainstTopic(kind: MessageKind, topic: TopicSettings): void {
  if (topic.messageType !== 'MIXED' && topic.messageType !== kind) {
    throw bad(Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE, `topic ${topic.name} accepts ${topic.messageType} messages, not ${kind}`);
  }
}

function bad(code: Code, message: string): InvalidRequestError {
  return new InvalidRequestError(code, message);
}
