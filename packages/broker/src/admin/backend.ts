import type { Resolution } from '../core/transactions.js';
import type {
  DeadLetterView,
  GroupChange,
  GroupView,
  MessageEventListener,
  MessageTrace,
  MessageView,
  Page,
  PageRequest,
  ResendResult,
  ResetResult,
  ResetTarget,
  TopicChange,
  TopicView,
} from '../core/views/index.js';
import type { HalfEntity } from '../store/store.js';

/**
 * What the operator surfaces (the admin gRPC service, the console's HTTP API, the metrics) need of
 * the broker: {@link BrokerCore} implements it; tests may fake it.
 *
 * Errors: `NotFoundError` (TOPIC_NOT_FOUND, CONSUMER_GROUP_NOT_FOUND, MESSAGE_NOT_FOUND...) for what does not exist,
 * `InvalidRequestError` for a bad argument or a conflict (creating what exists), each with a message naming what was wrong.
 */
export interface AdminBackend {
  listTopics(page?: PageRequest): Page<TopicView>;
  describeTopic(name: string): TopicView;
  /** Creates a topic (durably: it survives a restart); refuses one that exists. */
  createTopic(name: string, change: TopicChange): Promise<TopicView>;
  /** Changes a topic's settings durably; the topic must exist. */
  updateTopic(name: string, change: TopicChange): Promise<TopicView>;

  listGroups(page?: PageRequest): Page<GroupView>;
  describeGroup(name: string): GroupView;
  createGroup(name: string, change: GroupChange): Promise<GroupView>;
  updateGroup(name: string, change: GroupChange): Promise<GroupView>;

  /** Every stored copy of the message (its topic's, and a `%DLQ%` copy or a resend's), oldest first; empty when none is retained. */
  findMessagesById(messageId: string): MessageView[];
  /** Retained messages of `topic` carrying `key`, oldest first. */
  findMessagesByKey(topic: string, key: string, page?: PageRequest): Page<MessageView>;
  /** Retained messages of `topic` stored in `[fromMs, toMs)`, oldest first. */
  findMessagesByTime(topic: string, fromMs: number, toMs: number, page?: PageRequest): Page<MessageView>;
  /** The message's life in time order; undefined when nothing of it is retained. */
  traceMessage(messageId: string): MessageTrace | undefined;

  listDeadLetters(group: string, page?: PageRequest): Page<DeadLetterView>;
  /** Sends the `%DLQ%<group>` copy of `messageId` back to its origin topic (same message id) and records that it was resent. */
  resendDeadLetter(group: string, messageId: string): Promise<ResendResult>;
  /** Moves a group's position on every topic it consumes (or on `topic` only); what it held in flight is dropped. */
  resetGroup(group: string, to: ResetTarget, topic?: string): Promise<ResetResult>;

  unsettledTransactions(): HalfEntity[];
  transaction(transactionId: string): HalfEntity | undefined;
  endTransaction(transactionId: string, resolution: Resolution): Promise<boolean>;

  /** Bytes the store holds on disk (0 for the in-memory store). */
  storeBytes(): number;
  /** Trace events lost so far because the trace could not be written in time (only ever grows). */
  traceEventsDropped(): number;
  /** Subscribes to message events (for metrics and live charts); returns the unsubscribe function. */
  onMessageEvents(listener: MessageEventListener): () => void;
}
