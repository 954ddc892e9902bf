import type { ReceivedMessage } from '@txmq/broker/client';
import { inboxMessageId } from '@txmq/outbox';

/**
 * The second argument of an `@OnMessage` handler, and what guards and interceptors see through
 * `ExecutionContext.getArgs()`; `ExecutionContext.getType()` is `'txmq'` for message traffic.
 */
export class TxmqContext {
  readonly #message: ReceivedMessage;
  readonly #group: string;

  constructor(message: ReceivedMessage, group: string) {
    this.#message = message;
    this.#group = group;
  }

  /** The message being handled. */
  getMessage(): ReceivedMessage {
    return this.#message;
  }

  getTopic(): string {
    return this.#message.topic;
  }

  /** The consumer group the message was delivered to. */
  getGroup(): string {
    return this.#group;
  }

  /** The id the inbox deduplicates on: `txmq-message-id` when present, else the broker's id. */
  getMessageId(): string {
    return inboxMessageId(this.#message);
  }

  /** 1 on the first delivery, then 2, 3… */
  getDeliveryAttempt(): number {
    return this.#message.deliveryAttempt;
  }
}
