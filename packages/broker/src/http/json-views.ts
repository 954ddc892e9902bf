/**
 * The console API's JSON shapes of the core's read models, in the CLI's `--json` conventions:
 * times are ISO-8601 strings; an optional value that is absent is `null` in the fields every object
 * of a kind carries (`tag`, `lastStoredAt`, `resentAt`...) and omitted from trace events; a message
 * body is a preview (UTF-8 when it is printable text, base64 otherwise) with its full size.
 */
import type {
  DeadLetterView,
  GroupView,
  MessageTrace,
  MessageView,
  Page,
  ResendResult,
  SubscriptionView,
  TopicView,
} from '../core/views/index.js';
import { bodyText } from '../rules/body-text.js';
import type { HalfEntity } from '../store/store.js';

/** Bytes of a body the API shows at most; `bodyTruncated` says when there was more. */
export const BODY_PREVIEW_BYTES = 4096;

/** A time in ms since the epoch as ISO-8601. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The shown part of a body: text when the bytes are printable UTF-8, base64 otherwise (the CLI's rule, see rules/body-text.ts). */
export function bodyPreview(body: Buffer): { body: string; bodyEncoding: 'utf8' | 'base64'; bodySize: number; bodyTruncated: boolean } {
  const truncated = body.length > BODY_PREVIEW_BYTES;
  const shown = bodyText(truncated ? body.subarray(0, BODY_PREVIEW_BYTES) : body, truncated);
  return { body: shown.text, bodyEncoding: shown.encoding, bodySize: body.length, bodyTruncated: truncated };
}

export function messageJson(message: MessageView) {
  return {
    messageId: message.messageId,
    topic: message.topic,
    offset: message.offset,
    queueId: message.queueId,
    kind: message.kind,
    tag: message.tag ?? null,
    keys: [...message.keys],
    properties: { ...message.properties },
    messageGroup: message.messageGroup ?? null,
    bornAt: iso(message.bornAt),
    bornHost: message.bornHost,
    producerClientId: message.producerClientId ?? null,
    storedAt: iso(message.storedAt),
    deliverAt: message.deliverAt === undefined ? null : iso(message.deliverAt),
    deadLetter: message.deadLetter === undefined ? null : { ...message.deadLetter },
    ...bodyPreview(message.body),
  };
}

export function traceJson(trace: MessageTrace) {
  return {
    messageId: trace.messageId,
    events: trace.events.map((event) => ({
      type: event.type,
      at: iso(event.at),
      ...(event.topic !== undefined && { topic: event.topic }),
      ...(event.group !== undefined && { group: event.group }),
      ...(event.clientId !== undefined && { clientId: event.clientId }),
      ...(event.attempt !== undefined && { attempt: event.attempt }),
      ...(event.note !== undefined && { note: event.note }),
    })),
  };
}

export function topicJson(topic: TopicView) {
  return {
    name: topic.name,
    queues: topic.queues,
    messageType: topic.messageType,
    origin: topic.origin,
    firstOffset: topic.firstOffset,
    nextOffset: topic.nextOffset,
    messages: topic.nextOffset - topic.firstOffset,
    lastStoredAt: topic.lastStoredAt === undefined ? null : iso(topic.lastStoredAt),
  };
}

function subscriptionJson(subscription: SubscriptionView) {
  return { ...subscription };
}

export function groupJson(group: GroupView) {
  return {
    name: group.name,
    fifo: group.fifo,
    broadcast: group.broadcast,
    maxDeliveryAttempts: group.maxDeliveryAttempts,
    retryBackoff: { ...group.retryBackoff },
    origin: group.origin,
    consumersOnline: group.consumersOnline,
    lag: group.lag,
    inFlight: group.inFlight,
    deadLetters: group.deadLetters,
    subscriptions: group.subscriptions.map(subscriptionJson),
  };
}

export function deadLetterJson(deadLetter: DeadLetterView) {
  return {
    group: deadLetter.group,
    resentAt: deadLetter.resentAt === undefined ? null : iso(deadLetter.resentAt),
    message: messageJson(deadLetter.message),
  };
}

export function resendJson(result: ResendResult) {
  return { messageId: result.messageId, topic: result.topic, offset: result.offset };
}

/** A half message, as `txmq-broker tx list --json` shows it, with its body's preview. */
export function transactionJson(half: HalfEntity) {
  const { message } = half;
  return {
    transactionId: half.transactionId,
    topic: message.topic,
    messageId: message.messageId,
    tag: message.tag ?? null,
    keys: [...message.keys],
    producerClientId: half.producerClientId,
    createdAt: iso(half.createdAt),
    checks: half.checks,
    parked: half.parked,
    nextCheckAt: half.parked ? null : iso(half.nextCheckAt),
    properties: { ...message.properties },
    ...bodyPreview(message.body),
  };
}

/** A page's JSON: `items` and, unless it is the last page, `nextPageToken`. */
export function pageJson<T, J>(page: Page<T>, toJson: (item: T) => J) {
  return { items: page.items.map(toJson), ...(page.nextPageToken !== undefined && { nextPageToken: page.nextPageToken }) };
}
