import { TxmqNestError } from '../errors.js';

/**
 * `TxmqTestingHandle.waitUntilConsumed` gave up: fewer messages than it waits for were sent to the
 * topic, or messages sent to it were not applied by the group in time, or one of them was parked
 * by the relay (so it never will be).
 */
export class NotConsumedError extends TxmqNestError {
  /** The topic waited on. */
  readonly topic: string;
  /** The consumer group waited on. */
  readonly group: string;
  /** How many messages the application had sent to the topic when it gave up. */
  readonly sent: number;
  /** The `txmq-message-id`s not applied by the group when it gave up. */
  readonly messageIds: readonly string[];

  /** @param message - the whole message: what was waited for, and why it gave up. */
  constructor(details: { readonly topic: string; readonly group: string; readonly sent: number; readonly messageIds: readonly string[] }, message: string) {
    super('NOT_CONSUMED', message);
    this.name = 'NotConsumedError';
    this.topic = details.topic;
    this.group = details.group;
    this.sent = details.sent;
    this.messageIds = details.messageIds;
  }
}
