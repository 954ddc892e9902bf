/** A JSON value, as accepted for a message body. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A message to send through the outbox or the transactional sender.
 *
 * @example
 * ```ts
 * const message: OutboxMessage = {
 *   topic: 'user-registered',
 *   body: { userId: 42 },
 *   keys: ['user-42'],
 *   messageGroup: 'user-42',
 * };
 * ```
 */
export interface OutboxMessage {
  /** Destination topic: 1-127 characters from `A-Z a-z 0-9 _ % | -` (RocketMQ's topic rule). */
  readonly topic: string;
  /** Payload: bytes as-is, a string as UTF-8, anything else as JSON. */
  readonly body: Buffer | string | JsonValue;
  /** Optional tag consumers can filter on; not blank, no `|`, no control characters. */
  readonly tag?: string;
  /** Optional business keys for lookup in the broker; none blank or with control characters. */
  readonly keys?: readonly string[];
  /** Messages of one group are published (and consumed) in commit order; under 64 bytes (UTF-8). */
  readonly messageGroup?: string;
  /** The relay publishes the message no earlier than this time. */
  readonly deliverAt?: Date;
  /**
   * Header strings carried to the consumer as broker user properties (e.g. `traceparent`). Names
   * must not start with `txmq-` nor be one RocketMQ reserves (`UNIQ_KEY`, `KEYS`, `TAGS`...); at
   * most 128 properties and 16 KiB with tag and keys, counting the ones txmq adds itself.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** How a body was encoded, so consumers can decode it. */
export type ContentType = 'application/octet-stream' | 'text/plain' | 'application/json';

/** A validated message with its body encoded to bytes. */
export interface EncodedMessage {
  readonly topic: string;
  readonly tag: string | undefined;
  readonly keys: readonly string[];
  readonly messageGroup: string | undefined;
  readonly deliverAt: Date | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: ContentType;
  readonly body: Buffer;
}

/** User property holding the outbox message id, set on every message txmq publishes. */
export const MESSAGE_ID_PROPERTY = 'txmq-message-id';
/** User property holding the {@link ContentType} of the body. */
export const CONTENT_TYPE_PROPERTY = 'txmq-content-type';
/**
 * User property holding the transactional sender's own transaction id (the key of its
 * transaction-log row), set on half messages. Not the broker's `__transactionId__`.
 */
export const SENDER_TRANSACTION_ID_PROPERTY = 'txmq-transaction-id';
