import { InvalidMessageError } from '../errors.js';
import type { ContentType, EncodedMessage, OutboxMessage } from './message.js';

const TOPIC = /^[%A-Za-z0-9_-]{1,127}$/;
const FIELDS = new Set(['topic', 'body', 'tag', 'keys', 'messageGroup', 'deliverAt', 'headers']);
const MAX_TEXT = 1024;

/**
 * Validates `input` and encodes its body. Unknown fields are rejected so a typo such as `group`
 * instead of `messageGroup` fails loudly instead of silently losing the ordering guarantee.
 *
 * @param path - how to name the message in errors, e.g. `message` or `messages[3]`.
 */
export function encodeMessage(input: unknown, path = 'message'): EncodedMessage {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidMessageError(path, `must be an object, got ${describe(input)}`);
  }
  const m = input as Partial<Record<keyof OutboxMessage, unknown>>;
  for (const key of Object.keys(m)) {
    if (!FIELDS.has(key)) {
      throw new InvalidMessageError(`${path}.${key}`, `is not a message field (expected one of ${[...FIELDS].join(', ')})`);
    }
  }
  if (typeof m.topic !== 'string' || !TOPIC.test(m.topic)) {
    throw new InvalidMessageError(
      `${path}.topic`,
      `must be 1-127 characters of letters, digits, "_", "-" or "%", got ${describe(m.topic)}`,
    );
  }
  const tag = optionalText(m.tag, `${path}.tag`);
  if (tag !== undefined && tag.includes('||')) {
    throw new InvalidMessageError(`${path}.tag`, 'must not contain "||" (it separates tags in tag expressions)');
  }
  const messageGroup = optionalText(m.messageGroup, `${path}.messageGroup`);
  const keys = validateKeys(m.keys, `${path}.keys`);
  const deliverAt = validateDate(m.deliverAt, `${path}.deliverAt`);
  const headers = validateHeaders(m.headers, `${path}.headers`);
  if (!('body' in m)) throw new InvalidMessageError(`${path}.body`, 'is required');
  const [contentType, body] = encodeBody(m.body, `${path}.body`);
  return { topic: m.topic, tag, keys, messageGroup, deliverAt, headers, contentType, body };
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

function optionalText(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) {
    throw new InvalidMessageError(path, `must be a non-empty string of at most ${MAX_TEXT} characters, got ${describe(value)}`);
  }
  return value;
}

function validateKeys(value: unknown, path: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidMessageError(path, `must be an array of strings, got ${describe(value)}`);
  return value.map((key, i) => optionalText(key, `${path}[${i}]`) ?? fail(`${path}[${i}]`, 'is required'));
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
    if (name.length === 0 || name.startsWith('txmq-')) {
      throw new InvalidMessageError(`${path}.${name}`, 'is not allowed (empty, or the reserved "txmq-" prefix)');
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
