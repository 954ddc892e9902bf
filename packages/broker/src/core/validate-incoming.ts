import { InvalidRequestError, type BrokerErrorCode } from '../errors.js';
import { checkMessage } from '../rules/message-rules.js';
import type { MessageDraft, MessageKind } from '../store/records.js';
import type { TopicSettings } from './types.js';

/** The longest a transactional message may ask the broker to wait before its first check. */
const MAX_RECOVERY_MS = 3_600_000;

/** A message as a producer sent it, already decoded from the wire; its kind may be one txmq does not serve. */
export interface IncomingMessage extends Omit<MessageDraft, 'kind' | 'deadLetter'> {
  readonly kind: MessageKind | 'UNSUPPORTED';
  /** `orphaned_transaction_recovery_duration`: replaces the check immunity of one transaction. */
  readonly recoveryMs?: number;
}

/**
 * Checks a message against RocketMQ's rules and the topic's type; returns what the broker stores,
 * with `producerClientId` (the sending client; none when empty).
 */
export function validateMessage(m: IncomingMessage, topic: TopicSettings, maxBodyBytes: number, now: number, producerClientId = ''): MessageDraft {
  if (m.messageId.trim() === '') throw bad('ILLEGAL_MESSAGE_ID', 'message_id must not be blank');
  if (m.kind === 'UNSUPPORTED') throw bad('MESSAGE_PROPERTY_CONFLICT_WITH_TYPE', 'unsupported message type (only NORMAL, FIFO, DELAY and TRANSACTION)');
  const violation = checkMessage(m, { maxBodyBytes, now });
  if (violation) throw bad(violation.code, `${violation.field} ${violation.problem}`);
  checkKindAgainstMessage(m);
  checkKindAgainstTopic(m.kind, topic);
  if (m.recoveryMs !== undefined && (m.recoveryMs < 0 || m.recoveryMs > MAX_RECOVERY_MS)) {
    throw bad('BAD_REQUEST', 'orphaned_transaction_recovery_duration must be between 0 and 1 h');
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
    ...(producerClientId !== '' && { producerClientId }),
  };
}

function checkKindAgainstMessage(m: IncomingMessage): void {
  const conflict = (why: string) => bad('MESSAGE_PROPERTY_CONFLICT_WITH_TYPE', `${m.kind} message ${why}`);
  if (m.kind === 'FIFO' && m.messageGroup === undefined) throw conflict('needs a message group');
  if (m.kind !== 'FIFO' && m.messageGroup !== undefined) throw conflict('must not have a message group');
  if (m.kind === 'DELAY' && m.deliverAt === undefined) throw conflict('needs a delivery timestamp');
  if (m.kind !== 'DELAY' && m.deliverAt !== undefined) throw conflict('must not have a delivery timestamp');
}

function checkKindAgainstTopic(kind: MessageKind, topic: TopicSettings): void {
  if (topic.messageType !== 'MIXED' && topic.messageType !== kind) {
    throw bad('MESSAGE_PROPERTY_CONFLICT_WITH_TYPE', `topic ${topic.name} accepts ${topic.messageType} messages, not ${kind}`);
  }
}

function bad(code: BrokerErrorCode, message: string): InvalidRequestError {
  return new InvalidRequestError(code, message);
}
