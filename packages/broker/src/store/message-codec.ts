import { StoreError } from '../errors.js';
import type { MessageKind, MessageRecord } from './records.js';

/** First byte of every encoded message: the layout below, version 1. */
const FORMAT = 1;
const HEADER_BYTES = 5;

type Meta = [
  queueId: number,
  messageId: string,
  kind: MessageKind,
  keys: readonly string[],
  properties: Readonly<Record<string, string>>,
  bornAt: number,
  bornHost: string,
  storedAt: number,
  tag: string | null,
  messageGroup: string | null,
  deliverAt: number | null,
  traceContext: string | null,
  deadLetter: NonNullable<MessageRecord['deadLetter']> | null,
  /** Absent in records written before it was added. */
  producerClientId?: string | null,
];

/**
 * A stored message's bytes: `[format u8][metadata length u32 LE][metadata JSON][body]`. Topic and
 * offset are the record's key and are not repeated. Returned as two chunks, header and body, so
 * the body is written as it came from the request, never copied into an encoder's buffer.
 */
export function encodeMessage(record: MessageRecord): [header: Buffer, body: Buffer] {
  const meta: Meta = [
    record.queueId,
    record.messageId,
    record.kind,
    record.keys,
    record.properties,
    record.bornAt,
    record.bornHost,
    record.storedAt,
    record.tag ?? null,
    record.messageGroup ?? null,
    record.deliverAt ?? null,
    record.traceContext ?? null,
    record.deadLetter ?? null,
    record.producerClientId ?? null,
  ];
  const json = JSON.stringify(meta);
  const metaBytes = Buffer.byteLength(json);
  const header = Buffer.allocUnsafe(HEADER_BYTES + metaBytes);
  header[0] = FORMAT;
  header.writeUInt32LE(metaBytes, 1);
  header.write(json, HEADER_BYTES, 'utf8');
  const body: Uint8Array = record.body; // a Buffer, unless an entity decoder handed back a plain Uint8Array
  return [header, Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)];
}

/** The message `bytes` (the chunks of {@link encodeMessage}, one after the other) hold; `bytes` must not be reused by the caller. */
export function decodeMessage(topic: string, offset: number, bytes: Buffer): MessageRecord {
  if (bytes[0] !== FORMAT) throw new StoreError(`stored message ${topic}@${offset} has unknown format ${bytes[0]}`);
  let metaEnd: number;
  let meta: Meta;
  try {
    metaEnd = HEADER_BYTES + bytes.readUInt32LE(1);
    meta = JSON.parse(bytes.toString('utf8', HEADER_BYTES, metaEnd)) as Meta;
  } catch (error) {
    throw new StoreError(`stored message ${topic}@${offset} is damaged: ${(error as Error).message}`, { cause: error });
  }
  const [queueId, messageId, kind, keys, properties, bornAt, bornHost, storedAt, tag, messageGroup, deliverAt, traceContext, deadLetter, producerClientId] = meta;
  const record: MessageRecord = {
    topic,
    offset,
    queueId,
    messageId,
    kind,
    body: bytes.subarray(metaEnd),
    keys,
    properties,
    bornAt,
    bornHost,
    storedAt,
    ...(tag !== null && { tag }),
    ...(messageGroup !== null && { messageGroup }),
    ...(deliverAt !== null && { deliverAt }),
    ...(traceContext !== null && { traceContext }),
    ...(deadLetter !== null && { deadLetter }),
    ...(producerClientId !== null && producerClientId !== undefined && { producerClientId }),
  };
  return record;
}
