import { InvalidRequestError } from '../errors.js';

/** What a receipt handle points at: one delivery of one message to one consumer. */
export interface ReceiptHandle {
  readonly consumer: string;
  readonly topic: string;
  readonly offset: number;
  readonly seq: number;
}

/** Encodes a handle as an opaque URL-safe string. */
export function encodeReceiptHandle(h: ReceiptHandle): string {
  return Buffer.from(JSON.stringify([1, h.consumer, h.topic, h.offset, h.seq])).toString('base64url');
}

/** Decodes a handle; a malformed one is INVALID_RECEIPT_HANDLE. */
export function decodeReceiptHandle(text: string): ReceiptHandle {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 5 && parsed[0] === 1) {
      const [, consumer, topic, offset, seq] = parsed as [number, unknown, unknown, unknown, unknown];
      if (typeof consumer === 'string' && typeof topic === 'string' && Number.isSafeInteger(offset) && Number.isSafeInteger(seq)) {
        return { consumer, topic, offset: offset as number, seq: seq as number };
      }
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidRequestError('INVALID_RECEIPT_HANDLE', 'malformed receipt handle');
}
