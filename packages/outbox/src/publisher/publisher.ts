import type { ContentType } from '../message/message.js';

/** An outbox row on its way out, as handed to a {@link Publisher}. */
export interface PublishableMessage {
  /** The outbox row id (ascending = commit order within a message group). */
  readonly id: string;
  /** The stable message id; publish it so consumers (and the inbox) can deduplicate. */
  readonly messageId: string;
  readonly topic: string;
  readonly tag: string | undefined;
  readonly keys: readonly string[];
  readonly messageGroup: string | undefined;
  /** User headers, including trace context such as `traceparent`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: ContentType;
  readonly body: Buffer;
  readonly createdAt: Date;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** What a publisher reports for a published message. */
export interface PublishReceipt {
  /** The id the transport assigned, stored on the row when sent rows are retained. */
  readonly transportMessageId?: string;
}

/**
 * Where the relay sends messages. `publish` resolves once the transport has durably accepted
 * the message and rejects otherwise; throw a `PublishError` with `retryable: false` to park the
 * row at once. The relay calls `publish` for messages of one group strictly one after another,
 * in order, and concurrently for everything else.
 */
export interface Publisher {
  publish(message: PublishableMessage): Promise<PublishReceipt | void>;
  /**
   * Connects eagerly. The relay calls it (when present) before it claims any row, and again
   * until it succeeds, so rows are not claimed while the transport cannot be reached.
   */
  start?(): Promise<void>;
  /** Releases connections; called by the relay on `stop()` only for publishers it created. */
  close?(): Promise<void>;
}
