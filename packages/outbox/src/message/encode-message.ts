import { checkMessage, checkTopicName, type RuleViolation } from '@txmq/broker/client';
import { InvalidMessageError } from '../errors.js';
import {
  CONTENT_TYPE_PROPERTY,
  MESSAGE_ID_PROPERTY,
  SENDER_TRANSACTION_ID_PROPERTY,
  type ContentType,
  type EncodedMessage,
  type OutboxMessage,
} from './message.js';

const FIELDS = new Set(['topic', 'body', 'tag', 'keys', 'messageGroup', 'deliverAt', 'headers']);
/** The prefix of the user properties txmq sets itself; headers may not use it. */
const RESERVED_PREFIX = 'txmq-';
/** Stands in for the ids txmq adds when the message is published: every one is a UUID this long. */
const ID_PLACEHOLDER = '00000000-0000-0000-0000-000000000000';

/** How {@link encodeMessage} treats a message beyond its own fields. */
export interface EncodeOptions {
  /** Headers the message gets unless it sets them itself (e.g. trace context); checked like its own. */
  readonly defaultHeaders?: Readonly<Record<string, string>>;
  /**
   * The message is a transactional (half) message: it carries the sender's transaction id too,
   * and may have neither a `messageGroup` nor a `deliverAt`.
   */
  readonly transactional?: boolean;
}

/**
 * Validates `input` and encodes its body, so that what passes is a message the broker accepts:
 * RocketMQ's rules (`checkMessage` of `@txmq/broker/client`, the broker's own) are applied to
 * the message as it will be published, the properties txmq adds included. On top of them the
 * outbox rejects unknown fields, so a typo such as `group` instead of `messageGroup` fails loudly
 * instead of silently losing the ordering guarantee, and headers named `txmq-...`.
 *
 * The outbox's `deliverAt` is kept by the relay (the row is published when it is due), so the
 * broker's limits on delivery times do not apply to it.
 *
 * @param path - how to name the message in errors, e.g. `message` or `messages[3]`.
 * @throws InvalidMessageError naming the offending field as the caller wrote it (`message.tag`,
 *   `messages[2].headers.UNIQ_KEY`, `message.keys[0]`...).
 */
export function encodeMessage(input: unknown, path = 'message', options: EncodeOptions = {}): EncodedMessage {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidMessageError(path, `must be an object, got ${describe(input)}`);
  }
  const m = input as Partial<Record<keyof OutboxMessage, unknown>>;
  for (const key of Object.keys(m)) {
    if (!FIELDS.has(key)) {
      throw new InvalidMessageError(`${path}.${key}`, `is not a message field (expected one of ${[...FIELDS].join(', ')})`);
    }
  }
  const topicViolation = checkTopicName(m.topic);
  if (topicViolation !== undefined) throw violationError(path, topicViolation);
  const topic = m.topic as string;
  const tag = optionalString(m.tag, `${path}.tag`);
  const messageGroup = optionalString(m.messageGroup, `${path}.messageGroup`);
  const keys = validateKeys(m.keys, `${path}.keys`);
  const deliverAt = validateDate(m.deliverAt, `${path}.deliverAt`);
  const headers = { ...validateHeaders(options.defaultHeaders, `${path}.headers`), ...validateHeaders(m.headers, `${path}.headers`) };
  if (!('body' in m)) throw new InvalidMessageError(`${path}.body`, 'is required');
  const [contentType, body] = encodeBody(m.body, `${path}.body`);
  if (options.transactional === true) {
    if (messageGroup !== undefined) {
      throw new InvalidMessageError(`${path}.messageGroup`, 'is not supported for transactional (half) messages');
    }
    if (deliverAt !== undefined) {
      throw new InvalidMessageError(`${path}.deliverAt`, 'is not supported for transactional (half) messages');
    }
  }
  const added = addedProperties(contentType, options.transactional === true);
  const violation = checkMessage({
    topic,
    body,
    ...(tag !== undefined && { tag }),
    keys,
    ...(messageGroup !== undefined && { messageGroup }),
    properties: { ...headers, ...added },
  });
  if (violation !== undefined) throw violationError(path, violation, added);
  return { topic, tag, keys, messageGroup, deliverAt, headers, contentType, body };
}

/** Encodes a body: bytes stay bytes, strings become UTF-8, every other value becomes JSON. */
export function encodeBody(body: unknown, path: string): [ContentType, Buffer] {
  if (Buffer.isBuffer(body)) return ['application/octet-stream', body];
  if (body instanceof Uint8Array) return ['application/octet-stream', Buffer.from(body)];
  if (typeof body === 'string') return ['text/plain', Buffer.from(body, 'utf8')];
  let json: string | undefined;
  try {
    json = JSON.stringify(body);
  } catch (error) {
    throw new InvalidMessageError(path, `cannot be serialized as JSON: ${(error as Error).message}`, { cause: error });
  }
  if (json === undefined) {
    throw new InvalidMessageError(path, `must be a Buffer, a string or a JSON value, got ${describe(body)}`);
  }
  return ['application/json', Buffer.from(json, 'utf8')];
}

/** The properties txmq adds to a message when it publishes it, with values of their final size. */
function addedProperties(contentType: ContentType, transactional: boolean): Record<string, string> {
  return {
    [MESSAGE_ID_PROPERTY]: ID_PLACEHOLDER,
    [CONTENT_TYPE_PROPERTY]: contentType,
    ...(transactional && { [SENDER_TRANSACTION_ID_PROPERTY]: ID_PLACEHOLDER }),
  };
}

/** Names a broker rule violation the way the caller wrote the message (`properties` are its `headers`). */
function violationError(path: string, violation: RuleViolation, added: Readonly<Record<string, string>> = {}): InvalidMessageError {
  const { field } = violation;
  if (field === 'properties') {
    const names = Object.keys(added);
    const bytes = Object.entries(added).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    return new InvalidMessageError(
      `${path}.headers`,
      `${violation.problem} (counting the ${names.length} properties txmq adds itself, ${names.join(', ')}: ${bytes} bytes)`,
    );
  }
  const name = field.startsWith('properties.') ? `headers.${field.slice('properties.'.length)}` : field;
  return new InvalidMessageError(`${path}.${name}`, violation.problem);
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new InvalidMessageError(path, `must be a string, got ${describe(value)}`);
}

function validateKeys(value: unknown, path: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidMessageError(path, `must be an array of strings, got ${describe(value)}`);
  return value.map((key, i) => optionalString(key, `${path}[${i}]`) ?? fail(`${path}[${i}]`, 'is required'));
}

function validateDate(value: unknown, path: string): Date | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new InvalidMessageError(path, `must be a valid Date, got ${describe(value)}`);
  }
  return value;
}

function validateHeaders(value: unknown, path: string): Readonly<Record<string, string>> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidMessageError(path, `must be an object of string values, got ${describe(value)}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new InvalidMessageError(`${path}.${name}`, `is not allowed: the "${RESERVED_PREFIX}" prefix is reserved for txmq's own properties`);
    }
    if (typeof v !== 'string') throw new InvalidMessageError(`${path}.${name}`, `must be a string, got ${describe(v)}`);
    headers[name] = v;
  }
  return headers;
}

function fail(path: string, problem: string): never {
  throw new InvalidMessageError(path, problem);
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'an invalid Date';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
