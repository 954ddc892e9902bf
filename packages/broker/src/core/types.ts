/** How a topic accepts messages; `MIXED` accepts every type. */
export type TopicMessageType = 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION' | 'MIXED';

/** The type a single message was sent as. */
export type MessageKind = 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION';

/** A message as it is durably stored in a topic's log. */
export interface MessageRecord {
  readonly topic: string;
  readonly offset: number;
  readonly queueId: number;
  readonly messageId: string;
  readonly kind: MessageKind;
  readonly body: Buffer;
  readonly tag?: string;
  readonly keys: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly messageGroup?: string;
  readonly bornAt: number;
  readonly bornHost: string;
  readonly storedAt: number;
  readonly deliverAt?: number;
  readonly traceContext?: string;
  /** Set on copies in a `%DLQ%<group>` topic. */
  readonly deadLetter?: { readonly originTopic: string; readonly originMessageId: string };
}

/** A message accepted from a producer, before it is given an offset. */
export type MessageDraft = Omit<MessageRecord, 'offset' | 'storedAt'>;

/** Declared or auto-created topic settings. */
export interface TopicSettings {
  readonly name: string;
  readonly queues: number;
  readonly messageType: TopicMessageType;
}

/** Retry backoff applied when a consumer asks for a message to be redelivered sooner than this. */
export interface RetryBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
}

/** Declared or auto-created consumer-group settings. */
export interface GroupSettings {
  readonly name: string;
  readonly fifo: boolean;
  readonly broadcast: boolean;
  readonly maxDeliveryAttempts: number;
  readonly retryBackoff: RetryBackoff;
}

/** Settings of the transaction check-back schedule. */
export interface TransactionSettings {
  readonly checkImmunityMs: number;
  readonly checkIntervalMs: number;
  readonly maxChecks: number;
}

/** The RocketMQ dead-letter topic of a consumer group. */
export function deadLetterTopic(group: string): string {
  return `%DLQ%${group}`;
}
