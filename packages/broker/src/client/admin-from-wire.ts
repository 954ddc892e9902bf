import { BrokerError } from '../errors.js';
import type { WireDeadLetter, WireGroup, WireMessage, WireSettingsOrigin, WireTopic, WireTraceEvent } from './admin-proto.js';
import type { AdminMessageType, DeadLetterInfo, GroupInfo, MessageTraceInfo, SettingsOrigin, StoredMessageInfo, TopicInfo, TraceEventInfo, TraceEventType } from './admin-types.js';

/** A time field where 0 means absent. */
function optionalDate(ms: number): Date | undefined {
  return ms ? new Date(ms) : undefined;
}

const ORIGINS: Readonly<Record<string, SettingsOrigin>> = { CONFIG: 'config', ADMIN: 'admin', AUTO: 'auto' };

const TRACE_EVENT_TYPES: Readonly<Record<string, TraceEventType>> = {
  SENT: 'sent',
  STORED: 'stored',
  DELIVERED: 'delivered',
  ACKED: 'acked',
  REDELIVERED: 'redelivered',
  DEAD_LETTERED: 'dead-lettered',
  RECALLED: 'recalled',
  CHECKED: 'checked',
  COMMITTED: 'committed',
  ROLLED_BACK: 'rolled-back',
};

/** `table[wire]`; a value this client does not know (from a newer broker, or unset) is an error, not a guess. */
function known<T>(table: Readonly<Record<string, T>>, wire: string, field: string): T {
  const value = Object.hasOwn(table, wire) ? table[wire] : undefined;
  if (value === undefined) throw new BrokerError('INTERNAL_ERROR', `the broker answered ${field} ${JSON.stringify(wire)}, which this client does not know (is the broker newer?)`);
  return value;
}

function originOf(wire: WireSettingsOrigin): SettingsOrigin {
  return known(ORIGINS, wire, 'origin');
}

export function topicFromWire(wire: WireTopic): TopicInfo {
  const lastStoredAt = optionalDate(wire.lastStoredAtMs);
  return {
    name: wire.name,
    queues: wire.queues,
    messageType: wire.messageType as AdminMessageType,
    origin: originOf(wire.origin),
    firstOffset: wire.firstOffset,
    nextOffset: wire.nextOffset,
    ...(lastStoredAt && { lastStoredAt }),
  };
}

export function groupFromWire(wire: WireGroup): GroupInfo {
  return {
    name: wire.name,
    fifo: wire.fifo,
    broadcast: wire.broadcast,
    maxDeliveryAttempts: wire.maxDeliveryAttempts,
    retryBackoff: { initialMs: wire.retryBackoff.initialMs, maxMs: wire.retryBackoff.maxMs, multiplier: wire.retryBackoff.multiplier },
    origin: originOf(wire.origin),
    consumersOnline: wire.consumersOnline,
    subscriptions: wire.subscriptions.map((s) => ({ topic: s.topic, consumer: s.consumer, nextOffset: s.nextOffset, endOffset: s.endOffset, lag: s.lag, inFlight: s.inFlight })),
    lag: wire.lag,
    inFlight: wire.inFlight,
    deadLetters: wire.deadLetters,
  };
}

export function messageFromWire(wire: WireMessage): StoredMessageInfo {
  const deliverAt = optionalDate(wire.deliverAtMs);
  return {
    messageId: wire.messageId,
    topic: wire.topic,
    offset: wire.offset,
    queueId: wire.queueId,
    kind: wire.kind as StoredMessageInfo['kind'],
    ...(wire.tag && { tag: wire.tag }),
    keys: wire.keys,
    properties: wire.properties,
    ...(wire.messageGroup && { messageGroup: wire.messageGroup }),
    bornAt: new Date(wire.bornAtMs),
    bornHost: wire.bornHost,
    ...(wire.producerClientId && { producerClientId: wire.producerClientId }),
    storedAt: new Date(wire.storedAtMs),
    ...(deliverAt && { deliverAt }),
    body: wire.body,
    bodySize: wire.bodySize,
    bodyTruncated: wire.bodyTruncated,
    ...(wire.deadLetter && { deadLetter: { originTopic: wire.deadLetter.originTopic, originMessageId: wire.deadLetter.originMessageId } }),
  };
}

export function deadLetterFromWire(wire: WireDeadLetter): DeadLetterInfo {
  const resentAt = optionalDate(wire.resentAtMs);
  return { group: wire.group, message: messageFromWire(wire.message), ...(resentAt && { resentAt }) };
}

export function traceFromWire(messageId: string, events: readonly WireTraceEvent[]): MessageTraceInfo {
  return { messageId, events: events.map(traceEventFromWire) };
}

function traceEventFromWire(wire: WireTraceEvent): TraceEventInfo {
  return {
    type: known(TRACE_EVENT_TYPES, wire.type, 'trace event type'),
    at: new Date(wire.atMs),
    ...(wire.topic && { topic: wire.topic }),
    ...(wire.group && { group: wire.group }),
    ...(wire.clientId && { clientId: wire.clientId }),
    ...(wire.attempt && { attempt: wire.attempt }),
    ...(wire.note && { note: wire.note }),
  };
}
