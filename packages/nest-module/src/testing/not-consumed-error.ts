import { TxmqNestError } from '../errors.js';

/**
 * `TxmqTestingHandle.waitUntilConsumed` gave up: messages the application sent to the topic were
 * not applied by the group in time, or one of them was parked by the relay (so it never will be).
 */
export class NotConsumedError extends TxmqNestError {
  /** The topic waited on. */
  readonly topic: string;
  /** The consumer group waited on. */
  readonly group: string;
  /** The `txmq-message-id`s not applied by the group when it gave up. */
  readonly messageIds: readonly string[];

  constructor(topic: string, group: string, messageIds: readonly string[], problem: string) {
    super('NOT_CONSUMED', `${messageIds.length} message(s) sent to topic ${topic} not consumed by group ${group}: ${problem}`);
    this.name = 'NotConsumedError';
    this.topic = topic;
    this.group = group;
    this.messageIds = messageIds;
  }
}
