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

/** A stored message on the wire, its body cut to what `budget` grants. */
export function messageToWire(message: MessageView, budget: BodyBudget): WireMessage {
  const overhead = metadataBytes(message);
  const body = budget.take(message.body, overhead);
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

export function deadLetterToWire(deadLetter: DeadLetterView, budget: BodyBudget): WireDeadLetter {
  return { group: deadLetter.group, message: messageToWire(deadLetter.message, budget), resentAtMs: deadLetter.resentAt ?? 0 };
}

export function traceEventToWire(event: TraceEvent): WireTraceEvent {
  return {
    type: event.type.toUpperCase().replace('-', '_') as WireTraceEventType,
    atMs: event.at,
    topic: event.topic ?? '',
    group: event.group ?? '',
    clientId: event.clientId ?? '',
    attempt: event.attempt ?? 0,
    note: event.note ?? '',
  };
}

/** Roughly what a message takes on the wire besides its body. */
function metadataBytes(message: MessageView): number {
  let bytes = 128 + message.messageId.length + message.topic.length + (message.tag?.length ?? 0) + message.bornHost.length;
  for (const key of message.keys) bytes += key.length + 2;
  for (const [key, value] of Object.entries(message.properties)) bytes += key.length + value.length + 4;
  return bytes;
}
