import type {
  WireDeadLetter,
  WireGroup,
  WireMessage,
  WireMessageType,
  WireSettingsOrigin,
  WireTopic,
  WireTraceEvent,
  WireTraceEventType,
} from '../client/admin-proto.js';
import type { DeadLetterView, GroupView, MessageView, SettingsOrigin, TopicView, TraceEvent } from '../core/views/index.js';
import type { BodyBudget } from './body-budget.js';

const ORIGINS: Record<SettingsOrigin, WireSettingsOrigin> = { config: 'CONFIG', admin: 'ADMIN', auto: 'AUTO' };

const TRACE_EVENT_TYPES: Record<TraceEvent['type'], WireTraceEventType> = {
  sent: 'SENT',
  stored: 'STORED',
  delivered: 'DELIVERED',
  acked: 'ACKED',
  redelivered: 'REDELIVERED',
  'dead-lettered': 'DEAD_LETTERED',
  recalled: 'RECALLED',
  checked: 'CHECKED',
  committed: 'COMMITTED',
  'rolled-back': 'ROLLED_BACK',
};

export function topicToWire(topic: TopicView): WireTopic {
  return {
    name: topic.name,
    queues: topic.queues,
    messageType: topic.messageType as WireMessageType,
    origin: ORIGINS[topic.origin],
    firstOffset: topic.firstOffset,
    nextOffset: topic.nextOffset,
    lastStoredAtMs: topic.lastStoredAt ?? 0,
  };
}

export function groupToWire(group: GroupView): WireGroup {
  return {
    name: group.name,
    fifo: group.fifo,
    broadcast: group.broadcast,
    maxDeliveryAttempts: group.maxDeliveryAttempts,
    retryBackoff: { ...group.retryBackoff },
    origin: ORIGINS[group.origin],
    consumersOnline: group.consumersOnline,
    subscriptions: group.subscriptions.map((s) => ({ ...s })),
    lag: group.lag,
    inFlight: group.inFlight,
    deadLetters: group.deadLetters,
  };
}

/**
 * A stored message on the wire, its body cut to what `budget` grants; undefined when the budget
 * wants it on the next page (see {@link BodyBudget.take}).
 */
export function messageToWire(message: MessageView, budget: BodyBudget, extraBytes = 0): WireMessage | undefined {
  const body = budget.take(message.body, metadataBytes(message) + extraBytes);
  if (body === undefined) return undefined;
  return {
    messageId: message.messageId,
    topic: message.topic,
    offset: message.offset,
    queueId: message.queueId,
    kind: message.kind,
    tag: message.tag ?? '',
    keys: [...message.keys],
    properties: { ...message.properties },
    messageGroup: message.messageGroup ?? '',
    bornAtMs: message.bornAt,
    bornHost: message.bornHost,
    producerClientId: message.producerClientId ?? '',
    storedAtMs: message.storedAt,
    deliverAtMs: message.deliverAt ?? 0,
    body,
    bodySize: message.body.length,
    bodyTruncated: body.length < message.body.length,
    deadLetter: message.deadLetter ? { ...message.deadLetter } : null,
  };
}

/** A dead letter on the wire; undefined when `budget` wants it on the next page. */
export function deadLetterToWire(deadLetter: DeadLetterView, budget: BodyBudget): WireDeadLetter | undefined {
  const message = messageToWire(deadLetter.message, budget, FIELD_BYTES * 3 + Buffer.byteLength(deadLetter.group));
  return message && { group: deadLetter.group, message, resentAtMs: deadLetter.resentAt ?? 0 };
}

export function traceEventToWire(event: TraceEvent): WireTraceEvent {
  return {
    type: TRACE_EVENT_TYPES[event.type],
    atMs: event.at,
    topic: event.topic ?? '',
    group: event.group ?? '',
    clientId: event.clientId ?? '',
    attempt: event.attempt ?? 0,
    note: event.note ?? '',
  };
}

/** At most what protobuf spends on one field besides its bytes: a tag and a length or a varint. */
const FIELD_BYTES = 16;

/**
 * At least what a message takes on the wire besides its body: the UTF-8 bytes of its strings, and
 * for each field, key and property (a map entry of two fields) {@link FIELD_BYTES}.
 */
function metadataBytes(message: MessageView): number {
  const strings = [message.messageId, message.topic, message.tag ?? '', message.messageGroup ?? '', message.bornHost, message.producerClientId ?? ''];
  if (message.deadLetter) strings.push(message.deadLetter.originTopic, message.deadLetter.originMessageId);
  let bytes = FIELD_BYTES * 20;
  for (const text of strings) bytes += Buffer.byteLength(text);
  for (const key of message.keys) bytes += FIELD_BYTES + Buffer.byteLength(key);
  for (const [key, value] of Object.entries(message.properties)) bytes += FIELD_BYTES * 3 + Buffer.byteLength(key) + Buffer.byteLength(value);
  return bytes;
}
