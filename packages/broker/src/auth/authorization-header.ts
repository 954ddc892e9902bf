import { createHmac } from 'node:crypto';
import { AuthenticationError } from '../errors.js';

/** The only signing scheme RocketMQ 5 clients use. */
export const AUTHORIZATION_ALGORITHM = 'MQv2-HMAC-SHA1';
/** The header the clients sign (and the only one this scheme covers). */
export const SIGNED_HEADER = 'x-mq-date-time';

/**
 * A parsed `authorization` header:
 * `MQv2-HMAC-SHA1 Credential=<accessKey>, SignedHeaders=x-mq-date-time, Signature=<hex>`.
 */
export interface AuthorizationHeader {
  readonly algorithm: string;
  /** The access key: the `Credential` up to its first `/` (RocketMQ ignores the rest). */
  readonly accessKey: string;
  /** The header names of `SignedHeaders`, lower-cased. */
  readonly signedHeaders: readonly string[];
  /** The 20 signature bytes (the header carries them as 40 hex digits, of either case). */
  readonly signature: Buffer;
}

/**
 * The signature of a request: HMAC-SHA1 keyed with the UTF-8 `secret` over the exact
 * `x-mq-date-time` string, as 40 upper-case hex digits (what the official clients send).
 */
export function sign(dateTime: string, secret: string): string {
  return createHmac('sha1', secret).update(dateTime, 'utf8').digest('hex').toUpperCase();
}

/** The `authorization` header value a client with `accessKey` and `secret` sends with `dateTime`. */
export function authorizationHeader(accessKey: string, secret: string, dateTime: string): string {
  return `${AUTHORIZATION_ALGORITHM} Credential=${accessKey}, SignedHeaders=${SIGNED_HEADER}, Signature=${sign(dateTime, secret)}`;
}

/**
 * Parses an `authorization` header. Throws {@link AuthenticationError} (`malformed`) naming what
 * is wrong; the message quotes neither the header nor the signature.
 */
export function parseAuthorizationHeader(header: string): AuthorizationHeader {
  const space = header.indexOf(' ');
  if (space <= 0) throw malformed('it must be "<algorithm> Credential=..., SignedHeaders=..., Signature=..."');
  const algorithm = header.slice(0, space);
  if (algorithm !== AUTHORIZATION_ALGORITHM) {
    throw malformed(`the algorithm must be ${AUTHORIZATION_ALGORITHM}, got ${JSON.stringify(truncate(algorithm))}`);
  }
  const fields = new Map<string, string>();
  for (const [index, part] of header.slice(space + 1).split(',').entries()) {
    const item = part.trim();
    const equals = item.indexOf('=');
    // Not quoted: a field without `=` may be a signature typed with a space.
    if (equals <= 0) throw malformed(`field ${index + 1} after the algorithm is not key=value`);
    const key = item.slice(0, equals);
    if (fields.has(key)) throw malformed(`the field ${JSON.stringify(truncate(key))} appears twice`);
    fields.set(key, item.slice(equals + 1));
  }
  const credential = required(fields, 'Credential');
  const accessKey = credential.split('/')[0] ?? '';
  if (accessKey === '') throw malformed('the Credential has no access key');
  const signedHeaders = required(fields, 'SignedHeaders').split(';').map((name) => name.trim().toLowerCase());
  if (signedHeaders.length !== 1 || signedHeaders[0] !== SIGNED_HEADER) {
    throw malformed(`SignedHeaders must be ${SIGNED_HEADER}, the only header this scheme signs`);
  }
  const hex = required(fields, 'Signature');
  if (!/^[0-9a-fA-F]{40}$/.test(hex)) throw malformed('the Signature must be 40 hex digits (an HMAC-SHA1)');
  return { algorithm, accessKey, signedHeaders, signature: Buffer.from(hex, 'hex') };
}

function required(fields: ReadonlyMap<string, string>, key: string): string {
  const value = fields.get(key);
  if (value === undefined || value === '') throw malformed(`the ${key} field is missing`);
  return value;
}

function malformed(problem: string): AuthenticationError {
  return new AuthenticationError('malformed', `malformed authorization header: ${problem}`);
}

/** Keeps what a client sent from making a refusal (and its log line) arbitrarily long. */
function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
