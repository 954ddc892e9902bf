import { InvalidRequestError } from '../../errors.js';
import { describe } from '../../rules/names.js';
import type { GroupSettings, RetryBackoff, TopicMessageType, TopicSettings } from '../types.js';
import type { GroupChange, TopicChange } from '../views/index.js';

const TOPIC_TYPES: readonly TopicMessageType[] = ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION', 'MIXED'];
const MAX_QUEUES = 64;
const MAX_DELIVERY_ATTEMPTS = 1000;

/** `base` with `change` applied; the same bounds as the config file's (queues 1..64, a known message type). */
export function applyTopicChange(base: TopicSettings, change: TopicChange): TopicSettings {
  const queues = change.queues ?? base.queues;
  if (!Number.isInteger(queues) || queues < 1 || queues > MAX_QUEUES) {
    throw invalid(`queues must be an integer from 1 to ${MAX_QUEUES}, got ${describe(queues)}`);
  }
  const messageType = change.messageType ?? base.messageType;
  if (!TOPIC_TYPES.includes(messageType)) {
    throw invalid(`messageType must be one of ${TOPIC_TYPES.join(', ')}, got ${describe(messageType)}`);
  }
  return { name: base.name, queues, messageType };
}

/** `base` with `change` applied; the same bounds as the config file's (maxDeliveryAttempts 1..1000...). */
export function applyGroupChange(base: GroupSettings, change: GroupChange): GroupSettings {
  const fifo = flag(change.fifo, base.fifo, 'fifo');
  const broadcast = flag(change.broadcast, base.broadcast, 'broadcast');
  const maxDeliveryAttempts = change.maxDeliveryAttempts ?? base.maxDeliveryAttempts;
  if (!Number.isInteger(maxDeliveryAttempts) || maxDeliveryAttempts < 1 || maxDeliveryAttempts > MAX_DELIVERY_ATTEMPTS) {
    throw invalid(`maxDeliveryAttempts must be an integer from 1 to ${MAX_DELIVERY_ATTEMPTS}, got ${describe(maxDeliveryAttempts)}`);
  }
  const b = change.retryBackoff ?? {};
  const retryBackoff: RetryBackoff = {
    initialMs: millis(b.initialMs, base.retryBackoff.initialMs, 'retryBackoff.initialMs'),
    maxMs: millis(b.maxMs, base.retryBackoff.maxMs, 'retryBackoff.maxMs'),
    multiplier: b.multiplier ?? base.retryBackoff.multiplier,
  };
  if (typeof retryBackoff.multiplier !== 'number' || !Number.isFinite(retryBackoff.multiplier) || retryBackoff.multiplier < 1) {
    throw invalid(`retryBackoff.multiplier must be a number of at least 1, got ${describe(retryBackoff.multiplier)}`);
  }
  return { name: base.name, fifo, broadcast, maxDeliveryAttempts, retryBackoff };
}

function flag(value: boolean | undefined, base: boolean, field: string): boolean {
  if (value === undefined) return base;
  if (typeof value !== 'boolean') throw invalid(`${field} must be true or false, got ${describe(value)}`);
  return value;
}

function millis(value: number | undefined, base: number, field: string): number {
  const ms = value ?? base;
  if (!Number.isSafeInteger(ms) || ms < 0) throw invalid(`${field} must be a whole number of milliseconds, at least 0, got ${describe(ms)}`);
  return ms;
}

function invalid(message: string): InvalidRequestError {
  return new InvalidRequestError('BAD_REQUEST', message);
}
