import { CONTENT_TYPE_PROPERTY, type JsonValue } from './message.js';

/** The smallest shape of a received message {@link decodeBody} needs. */
export interface BodyCarrier {
  readonly body: Buffer;
  readonly properties?: Readonly<Record<string, string>>;
}

/**
 * Decodes a received body the way the outbox encoded it: JSON bodies are parsed, text bodies
 * become strings and byte bodies (or messages not sent through txmq) stay a Buffer.
 */
export function decodeBody(message: BodyCarrier): Buffer | string | JsonValue {
  switch (message.properties?.[CONTENT_TYPE_PROPERTY]) {
    case 'application/json':
      return JSON.parse(message.body.toString('utf8')) as JsonValue;
    case 'text/plain':
      return message.body.toString('utf8');
    default:
      return message.body;
  }
}
