import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { InvalidRequestError, type BrokerErrorCode } from '../errors.js';
import type { ClientRole } from '../core/clients.js';
import type { IncomingMessage } from '../core/validate-incoming.js';
import type { MessageDraft, MessageKind, MessageRecord } from '../store/records.js';
import { ClientType, DigestType, Encoding } from '../wire/enums.js';
import { millisOf, type Resource } from '../wire/types.js';
import { WireMessageType } from './codes.js';
import type { WireMessage } from './wire-types.js';

/** Milliseconds of a protobuf Timestamp or Duration; undefined when absent. */
export const toMillis = millisOf;

/** A protobuf Timestamp/Duration of `ms` milliseconds. */
export function fromMillis(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1e6 };
}

/** The broker-internal name of a resource: `<namespace>%<name>` when a namespace is set. */
export function qualify(namespace: string, name: string): string {
  return namespace ? `${namespace}%${name}` : name;
}

/** The wire Resource of an internal name. */
export function toResource(namespace: string, qualified: string): Resource {
  const prefix = namespace ? `${namespace}%` : '';
  const name = prefix && qualified.startsWith(prefix) ? qualified.slice(prefix.length) : qualified;
  return { name, resourceNamespace: namespace };
}

/** The name of a required resource field, or a BAD_REQUEST naming the field. */
export function requireName(resource: Resource | undefined, field: string, code: BrokerErrorCode = 'BAD_REQUEST'): string {
  const name = resource?.name;
  if (!name) throw new InvalidRequestError(code, `${field} is required`);
  return name;
}

const KIND_BY_WIRE: Partial<Record<number, MessageKind>> = {
  [WireMessageType.NORMAL]: 'NORMAL',
  [WireMessageType.FIFO]: 'FIFO',
  [WireMessageType.DELAY]: 'DELAY',
  [WireMessageType.TRANSACTION]: 'TRANSACTION',
};
const WIRE_BY_KIND: Record<MessageKind, WireMessageType> = {
  NORMAL: WireMessageType.NORMAL,
  FIFO: WireMessageType.FIFO,
  DELAY: WireMessageType.DELAY,
  TRANSACTION: WireMessageType.TRANSACTION,
};

/** Decodes one SendMessage entry into the domain's incoming message. */
export function incomingFromWire(message: WireMessage, namespace: string): IncomingMessage {
  const sys = message.systemProperties;
  if (!sys) throw new InvalidRequestError('BAD_REQUEST', 'message.system_properties is required');
  const topic = qualify(message.topic?.resourceNamespace || namespace, requireName(message.topic, 'message.topic.name', 'ILLEGAL_TOPIC'));
  let body = message.body ?? Buffer.alloc(0);
  if (sys.bodyEncoding === Encoding.GZIP) {
    try {
      body = gunzipSync(body);
    } catch (cause) {
      throw new InvalidRequestError('BAD_REQUEST', 'message body is marked GZIP but does not decompress', { cause });
    }
  }
  const wireType = sys.messageType ?? WireMessageType.UNSPECIFIED;
  const deliverAt = toMillis(sys.deliveryTimestamp);
  const recoveryMs = toMillis(sys.orphanedTransactionRecoveryDuration);
  const kind: MessageKind | 'UNSUPPORTED' =
    wireType === WireMessageType.UNSPECIFIED
      ? sys.messageGroup !== undefined ? 'FIFO' : deliverAt !== undefined ? 'DELAY' : 'NORMAL'
      : KIND_BY_WIRE[wireType] ?? 'UNSUPPORTED';
  return {
    topic,
    queueId: sys.queueId ?? 0,
    messageId: sys.messageId ?? '',
    kind,
    body,
    ...(sys.tag !== undefined && { tag: sys.tag }),
    keys: sys.keys ?? [],
    properties: message.userProperties ?? {},
    ...(sys.messageGroup !== undefined && { messageGroup: sys.messageGroup }),
    bornAt: toMillis(sys.bornTimestamp) ?? Date.now(),
    bornHost: sys.bornHost ?? '',
    ...(deliverAt !== undefined && { deliverAt }),
    ...(sys.traceContext !== undefined && { traceContext: sys.traceContext }),
    ...(recoveryMs !== undefined && { recoveryMs }),
  };
}

/** Delivery details added to a message handed to a consumer. */
export interface DeliveryInfo {
  readonly receiptHandle: string;
  readonly attempt: number;
  readonly invisibleMs: number;
}

/** Encodes a stored (or half) message for ReceiveMessage or a transaction check-back. */
export function messageToWire(
  message: MessageRecord | MessageDraft,
  namespace: string,
  storeHost: string,
  delivery?: DeliveryInfo,
): WireMessage {
  const stored = 'offset' in message ? message : undefined;
  return {
    topic: toResource(namespace, message.topic),
    userProperties: { ...message.properties },
    body: message.body,
    systemProperties: {
      ...(message.tag !== undefined && { tag: message.tag }),
      keys: [...message.keys],
      messageId: message.messageId,
      bodyDigest: { type: DigestType.MD5, checksum: createHash('md5').update(message.body).digest('hex').toUpperCase() },
      bodyEncoding: Encoding.IDENTITY,
      messageType: WIRE_BY_KIND[message.kind],
      bornTimestamp: fromMillis(message.bornAt),
      bornHost: message.bornHost,
      ...(stored && { storeTimestamp: fromMillis(stored.storedAt), queueOffset: stored.offset }),
      storeHost,
      ...(message.deliverAt !== undefined && { deliveryTimestamp: fromMillis(message.deliverAt) }),
      queueId: message.queueId,
      ...(message.messageGroup !== undefined && { messageGroup: message.messageGroup }),
      ...(message.traceContext !== undefined && { traceContext: message.traceContext }),
      ...(message.deadLetter && {
        deadLetterQueue: { topic: message.deadLetter.originTopic, messageId: message.deadLetter.originMessageId },
      }),
      ...(delivery && {
        receiptHandle: delivery.receiptHandle,
        deliveryAttempt: delivery.attempt,
        invisibleDuration: fromMillis(delivery.invisibleMs),
      }),
    },
  };
}

/** The domain's role of a wire `ClientType`. */
export function clientRole(type: number | undefined): ClientRole {
  switch (type) {
    case ClientType.PRODUCER:
      return 'producer';
    case ClientType.PUSH_CONSUMER:
      return 'push-consumer';
    case ClientType.SIMPLE_CONSUMER:
      return 'simple-consumer';
    case ClientType.PULL_CONSUMER:
      return 'pull-consumer';
    default:
      return 'other';
  }
}
