import { InvalidRequestError } from '../errors.js';

/**
 * What a receipt handle points at: one delivery of one message to one subscription. `subscription`
 * numbers the subscription within this broker process; a handle of an earlier process never
 * matches a lease, since `seq` only grows (it starts from the clock at each start).
 */
export interface ReceiptHandle {
  readonly subscription: number;
  readonly offset: number;
  readonly seq: number;
}

const VERSION = 'r2';

/** Encodes a handle as an opaque URL-safe string: `r2.<subscription>.<offset>.<seq>`, base 36. */
export function encodeReceiptHandle(h: ReceiptHandle): string {
  return `${VERSION}.${h.subscription.toString(36)}.${h.offset.toString(36)}.${h.seq.toString(36)}`;
}

/** Decodes a handle; a malformed one is INVALID_RECEIPT_HANDLE. */
export function decodeReceiptHandle(text: string): ReceiptHandle {
  const parts = text.split('.');
  if (parts.length === 4 && parts[0] === VERSION) {
    const [subscription, offset, seq] = parts.slice(1).map((part) => (/^[0-9a-z]{1,11}$/.test(part) ? parseInt(part, 36) : NaN)) as [number, number, number];
    if (Number.isSafeInteger(subscription) && Number.isSafeInteger(offset) && Number.isSafeInteger(seq)) return { subscription, offset, seq };
  }
  throw new InvalidRequestError('INVALID_RECEIPT_HANDLE', 'malformed receipt handle');
}
