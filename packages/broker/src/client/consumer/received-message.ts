import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { ReceivedMessage } from '../types.js';
import { DigestType, Encoding } from '../../wire/enums.js';
import { millisOf, type WireMessage } from '../../wire/types.js';

/**
 * Most bytes a GZIP body inflates to; past it the message counts as corrupted. Far above any
 * broker's max body size (4 MiB by default), which bounds the body as sent, compressed.
 */
export const MAX_INFLATED_BODY_BYTES = 64 * 1024 * 1024;

/** What acknowledging or changing one delivery needs; the receipt handle changes with ChangeInvisibleDuration. */
export interface Receipt {
  readonly topic: string;
  readonly messageId: string;
  receiptHandle: string;
  /** The broker that delivered it (`host:port`): acks and changes go there. */
  readonly endpoint: string;
}

/** One delivered message: what users see, and what settling it takes. */
export interface Delivery {
  readonly message: ReceivedMessage;
  readonly receipt: Receipt;
  /** The body did not match its digest, or a GZIP body did not unzip. */
  readonly corrupted: boolean;
}

/**
 * A ReceiveMessage `message` frame (or a check-back's message) from the broker at `endpoint`, as a
 * {@link Delivery}: the body copied out of the frame (a GZIP one inflated) and checked against its
 * digest, an empty tag or group as none, a delivery attempt below 1 as 1.
 */
export function toDelivery(wire: WireMessage, endpoint: string): Delivery {
  const sys = wire.systemProperties ?? {};
  const raw = wire.body ? Buffer.from(wire.body.buffer, wire.body.byteOffset, wire.body.byteLength) : Buffer.alloc(0);
  let corrupted = !digestMatches(raw, sys.bodyDigest?.type, sys.bodyDigest?.checksum);
  // A copy: a view would keep the whole received frame alive as long as the message.
  let body = Buffer.from(raw);
  if (sys.bodyEncoding === Encoding.GZIP) {
    try {
      body = gunzipSync(raw, { maxOutputLength: MAX_INFLATED_BODY_BYTES });
    } catch {
      corrupted = true;
    }
  }
  const topic = wire.topic?.name ?? '';
  const messageId = sys.messageId ?? '';
  const deliverAt = millisOf(sys.deliveryTimestamp);
  const message: ReceivedMessage = {
    messageId,
    topic,
    ...(sys.tag !== undefined && sys.tag !== '' && { tag: sys.tag }),
    keys: [...(sys.keys ?? [])],
    properties: { ...wire.userProperties },
    body,
    ...(sys.messageGroup !== undefined && sys.messageGroup !== '' && { messageGroup: sys.messageGroup }),
    deliveryAttempt: sys.deliveryAttempt && sys.deliveryAttempt > 0 ? sys.deliveryAttempt : 1,
    bornAt: new Date(millisOf(sys.bornTimestamp) ?? 0),
    ...(deliverAt !== undefined && { deliverAt: new Date(deliverAt) }),
  };
  return { message, receipt: { topic, messageId, receiptHandle: sys.receiptHandle ?? '', endpoint }, corrupted };
}

/** Checks the transmitted bytes against an MD5 or SHA1 digest (uppercase or lowercase hex); other types are not checked. */
function digestMatches(body: Buffer, type: number | undefined, checksum: string | undefined): boolean {
  const algorithm = type === DigestType.MD5 ? 'md5' : type === DigestType.SHA1 ? 'sha1' : undefined;
  if (algorithm === undefined || checksum === undefined) return true;
  return createHash(algorithm).update(body).digest('hex') === checksum.toLowerCase();
}
