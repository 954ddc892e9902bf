/** How a topic accepts messages; `MIXED` accepts every type. */
export type TopicMessageType = 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION' | 'MIXED';

/** Declared or auto-created topic settings. */
export interface TopicSettings {
  readonly name: string;
  /** Number of message queues QueryRoute reports (1 to 64). */
  readonly queues: number;
  readonly messageType: TopicMessageType;
}

/** Retry backoff applied when a consumer asks for a message to be redelivered sooner than this. */
export interface RetryBackoff {
  /** The wait before the second delivery. */
  readonly initialMs: number;
  /** The longest wait. */
  readonly maxMs: number;
  /** How much longer each further wait is. */
  readonly multiplier: number;
}

/** Declared or auto-created consumer-group settings. */
export interface GroupSettings {
  readonly name: string;
  /** Messages of one message group are delivered one at a time, in send order. */
  readonly fifo: boolean;
  /** Every consumer of the group gets every message (instead of sharing them). */
  readonly broadcast: boolean;
  /** Deliveries of a message before it moves to `%DLQ%<group>`. */
  readonly maxDeliveryAttempts: number;
  readonly retryBackoff: RetryBackoff;
}

/** Settings of the transaction check-back schedule. */
export interface TransactionSettings {
  /** How long after a half message is stored before its first check-back. */
  readonly checkImmunityMs: number;
  /** Time between check-backs of one half message. */
  readonly checkIntervalMs: number;
  /** Check-backs before an unsettled half message is parked for an operator. */
  readonly maxChecks: number;
}
