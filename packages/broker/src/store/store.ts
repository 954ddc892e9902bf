import type { MessageDraft, MessageKind, MessageRecord, StoredTraceEvent } from './records.js';

/** Small collections the broker keeps fully in memory and writes through to the store. */
export interface EntityKinds {
  /** Next unread offset of a (consumer, topic). */
  cursor: CursorEntity;
  /** A message a consumer has been handed but not acknowledged; keeps its delivery count. */
  pending: PendingEntity;
  /** Messages one receive handed out for the first time and that are not acknowledged yet: attempt 1 each. */
  leased: LeasedEntity;
  /** A delay message waiting for its delivery time. */
  scheduled: ScheduledEntity;
  /** A transactional half message waiting for commit or rollback. */
  half: HalfEntity;
  /** How a transaction was settled, so a repeated EndTransaction is answered consistently. */
  settled: SettledEntity;
  /** A topic's settings as an operator created or last changed them; they win over the config file's. */
  topicSettings: TopicSettingsEntity;
  /** A consumer group's settings as an operator created or last changed them; they win over the config file's. */
  groupSettings: GroupSettingsEntity;
  /** That an operator resent one dead-letter copy to its origin topic. */
  resent: ResentEntity;
}
export type EntityKind = keyof EntityKinds;

/** Every entity kind (the record makes the compiler insist on each kind of {@link EntityKinds}). */
export const ENTITY_KINDS = Object.keys({
  cursor: true,
  pending: true,
  leased: true,
  scheduled: true,
  half: true,
  settled: true,
  topicSettings: true,
  groupSettings: true,
  resent: true,
} satisfies Record<EntityKind, true>) as readonly EntityKind[];

export interface CursorEntity {
  readonly consumer: string;
  readonly topic: string;
  readonly nextOffset: number;
}

export interface PendingEntity {
  readonly consumer: string;
  readonly topic: string;
  readonly offset: number;
  readonly attempts: number;
}

export interface LeasedEntity {
  readonly consumer: string;
  readonly topic: string;
  /** The first offset the receive handed out: names the entity for good, even once that one is acknowledged. */
  readonly first: number;
  readonly offsets: readonly number[];
}

export interface ScheduledEntity {
  readonly id: string;
  readonly deliverAt: number;
  readonly message: MessageDraft;
}

export interface HalfEntity {
  readonly transactionId: string;
  readonly message: MessageDraft;
  readonly producerClientId: string;
  readonly createdAt: number;
  readonly checks: number;
  readonly nextCheckAt: number;
  readonly parked: boolean;
}

export interface SettledEntity {
  readonly transactionId: string;
  readonly resolution: 'COMMIT' | 'ROLLBACK';
  readonly settledAt: number;
}

export interface TopicSettingsEntity {
  readonly name: string;
  readonly queues: number;
  readonly messageType: MessageKind | 'MIXED';
  /** When the operator's change was made (ms since the epoch). */
  readonly updatedAt: number;
}

export interface GroupSettingsEntity {
  readonly name: string;
  readonly fifo: boolean;
  readonly broadcast: boolean;
  readonly maxDeliveryAttempts: number;
  readonly retryBackoff: { readonly initialMs: number; readonly maxMs: number; readonly multiplier: number };
  /** When the operator's change was made (ms since the epoch). */
  readonly updatedAt: number;
}

export interface ResentEntity {
  readonly group: string;
  /** Offset of the copy in `%DLQ%<group>` that was resent. */
  readonly deadLetterOffset: number;
  readonly messageId: string;
  readonly resentAt: number;
  /** The origin topic the copy was appended to. */
  readonly topic: string;
}

/** One entity write: `value` undefined deletes the entity. */
export type EntityWrite = {
  [K in EntityKind]: { readonly kind: K; readonly key: string; readonly value?: EntityKinds[K] };
}[EntityKind];

/** Writes applied atomically and durably by {@link Store.commit}. */
export interface WriteBatch {
  /** Messages to append; offsets were assigned by the caller from {@link Store.topicBounds}. */
  readonly append?: readonly MessageRecord[];
  readonly entities?: readonly EntityWrite[];
  /** Drop every message of `topic` below `offset` (retention). */
  readonly trim?: readonly { readonly topic: string; readonly before: number }[];
  /** Trace events to record durably. */
  readonly trace?: readonly StoredTraceEvent[];
  /**
   * Drop the oldest recorded trace batches (one per commit that recorded trace events) whose
   * events all happened before `before`, whole, until about `limit` events are dropped: at least
   * one batch when one is due, and at most `limit` events plus one batch (one commit's trace
   * events). Bounded work, however much is due.
   */
  readonly trimTrace?: { readonly before: number; readonly limit: number };
}

/** Where one retained copy of a message is. */
export interface MessageLocation {
  readonly topic: string;
  readonly offset: number;
}

/** Offsets of a topic's retained messages: `[first, next)`. */
export interface TopicBounds {
  readonly first: number;
  readonly next: number;
}

/**
 * Durable storage behind the broker. Reads are synchronous (they are served from memory or a
 * memory-mapped file); writes are batched and resolve only once they survive a process crash.
 */
export interface Store {
  /** Names of every topic that has ever stored a message. */
  topics(): string[];
  /** The retained offset range of a topic (`{first: 0, next: 0}` for an empty one). */
  topicBounds(topic: string): TopicBounds;
  /** The message at `offset`, or undefined when it was trimmed or never written. */
  readMessage(topic: string, offset: number): MessageRecord | undefined;
  /** The first offset whose message was stored at or after `time`, or `next` when none was. */
  offsetAtTime(topic: string, time: number): number;
  /** Every retained copy of the message with this id (from the id index). */
  locateMessage(messageId: string): MessageLocation[];
  /** Offsets of `topic`'s retained messages carrying `key`, ascending, from `fromOffset`, at most `limit`. */
  offsetsByKey(topic: string, key: string, fromOffset: number, limit: number): number[];
  /** The recorded trace events of a message, in `seq` order. */
  readTrace(messageId: string): StoredTraceEvent[];
  /** The highest `seq` of any recorded trace event (0 when none is): a writer continues above it. */
  lastTraceSeq(): number;
  /** When the newest event of the oldest recorded trace batch happened; undefined when none is recorded. */
  oldestTraceAt(): number | undefined;
  /** Bytes the store holds on disk (0 for an in-memory store). */
  storeBytes(): number;
  /** Every stored entity of a kind. */
  loadEntities<K extends EntityKind>(kind: K): EntityKinds[K][];
  /** Applies a batch atomically; resolves once it is durable. */
  commit(batch: WriteBatch): Promise<void>;
  /** Flushes and releases the store. */
  close(): Promise<void>;
}
