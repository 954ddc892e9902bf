import type { DeadLetterInfo, GroupInfo, MessageTraceInfo, StoredMessageInfo, TopicInfo } from '../../client/admin-types.js';
import { bodyText as sharedBodyText, type BodyText } from '../../rules/body-text.js';

/**
 * The shapes of `txmq-broker admin ... --json`. Times are ISO-8601 strings; an optional value that is
 * absent is `null` in the fields every object of a kind carries (`tag`, `lastStoredAt`...) and omitted
 * from trace events. Listings are `{ items: [...], nextPageToken? }`.
 */
export function topicJson(topic: TopicInfo) {
  return {
    name: topic.name,
    queues: topic.queues,
    messageType: topic.messageType,
    origin: topic.origin,
    firstOffset: topic.firstOffset,
    nextOffset: topic.nextOffset,
    messages: topic.nextOffset - topic.firstOffset,
    lastStoredAt: topic.lastStoredAt?.toISOString() ?? null,
  };
}

export function groupJson(group: GroupInfo) {
  return {
    name: group.name,
    fifo: group.fifo,
    broadcast: group.broadcast,
    maxDeliveryAttempts: group.maxDeliveryAttempts,
    retryBackoff: group.retryBackoff,
    origin: group.origin,
    consumersOnline: group.consumersOnline,
    lag: group.lag,
    inFlight: group.inFlight,
    deadLetters: group.deadLetters,
    subscriptions: group.subscriptions,
  };
}

/** A message body as text: UTF-8 when it is printable (a preview cut inside a character drops that character), else base64. */
export function bodyText(message: StoredMessageInfo): BodyText {
  return sharedBodyText(message.body, message.bodyTruncated);
}

export function messageJson(message: StoredMessageInfo) {
  const body = bodyText(message);
  return {
    messageId: message.messageId,
    topic: message.topic,
    keys: message.keys,
    tag: message.tag ?? null,
    storedAt: message.storedAt.toISOString(),
    offset: message.offset,
    queueId: message.queueId,
    kind: message.kind,
    messageGroup: message.messageGroup ?? null,
    properties: message.properties,
    bornAt: message.bornAt.toISOString(),
    bornHost: message.bornHost,
    producerClientId: message.producerClientId ?? null,
    deliverAt: message.deliverAt?.toISOString() ?? null,
    deadLetter: message.deadLetter ?? null,
    bodySize: message.bodySize,
    bodyTruncated: message.bodyTruncated,
    bodyEncoding: body.encoding,
    body: body.text,
  };
}

export function traceJson(trace: MessageTraceInfo) {
  return {
    messageId: trace.messageId,
    events: trace.events.map((event) => ({
      type: event.type,
      at: event.at.toISOString(),
      ...(event.topic !== undefined && { topic: event.topic }),
      ...(event.group !== undefined && { group: event.group }),
      ...(event.clientId !== undefined && { clientId: event.clientId }),
      ...(event.attempt !== undefined && { attempt: event.attempt }),
      ...(event.note !== undefined && { note: event.note }),
    })),
  };
}

export function deadLetterJson(deadLetter: DeadLetterInfo) {
  return { group: deadLetter.group, resentAt: deadLetter.resentAt?.toISOString() ?? null, message: messageJson(deadLetter.message) };
}

/** A listing page: `{ items, nextPageToken? }`. */
export function pageJson<T, J>(page: { readonly items: readonly T[]; readonly nextPageToken?: string }, toJson: (item: T) => J) {
  return { items: page.items.map(toJson), ...(page.nextPageToken && { nextPageToken: page.nextPageToken }) };
}
