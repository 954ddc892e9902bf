/**
 * What {@link BrokerAdmin} (from `createBrokerAdmin`) answers with: the running broker's topics,
 * groups, stored messages and their traces, dead letters and group resets. Times are `Date`s.
 */
import type { AdminConnectionOptions } from './admin-channel.js';

/** Options of `createBrokerAdmin`. */
export type BrokerAdminOptions = AdminConnectionOptions;

/** A page of a listing; pass `nextPageToken` as `pageToken` to get the next (absent on the last page). */
export interface AdminPage<T> {
  readonly items: T[];
  readonly nextPageToken?: string;
}

export interface AdminPageOptions {
  /** Items per page, 1 to 1000 (default 50). */
  readonly pageSize?: number;
  /** From the previous page's `nextPageToken`. */
  readonly pageToken?: string;
}

/** A topic's message type. */
export type AdminMessageType = 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION' | 'MIXED';

/** Where a topic's or group's settings came from: the config file, an operator, or creation on first use. */
export type SettingsOrigin = 'config' | 'admin' | 'auto';

export interface TopicInfo {
  readonly name: string;
  readonly queues: number;
  readonly messageType: AdminMessageType;
  readonly origin: SettingsOrigin;
  /** Retained offsets are `[firstOffset, nextOffset)`. */
  readonly firstOffset: number;
  readonly nextOffset: number;
  /** When the newest retained message was stored; absent for an empty topic. */
  readonly lastStoredAt?: Date;
}

/** Settings of a topic to create or update (absent: the default, or unchanged). */
export interface TopicUpdate {
  /** 1 to 64. */
  readonly queues?: number;
  readonly messageType?: AdminMessageType;
}

export interface GroupRetryBackoff {
  /** The wait before the second delivery. */
  readonly initialMs: number;
  /** The longest wait. */
  readonly maxMs: number;
  /** How much longer each further wait is. */
  readonly multiplier: number;
}

/** One (consumer, topic) position of a group. */
export interface GroupSubscriptionInfo {
  readonly topic: string;
  /** The group's name, or for a broadcast group the client id whose position this is. */
  readonly consumer: string;
  /** The next offset not handed to the group yet. */
  readonly nextOffset: number;
  /** The topic's end. */
  readonly endOffset: number;
  /** Stored and not handed out yet: `endOffset - nextOffset`. */
  readonly lag: number;
  /** Handed out and not acknowledged yet. */
  readonly inFlight: number;
}

export interface GroupInfo {
  readonly name: string;
  readonly fifo: boolean;
  readonly broadcast: boolean;
  readonly maxDeliveryAttempts: number;
  readonly retryBackoff: GroupRetryBackoff;
  readonly origin: SettingsOrigin;
  /** Clients of the group connected now. */
  readonly consumersOnline: number;
  readonly subscriptions: GroupSubscriptionInfo[];
  /** Sums over `subscriptions`. */
  readonly lag: number;
  readonly inFlight: number;
  /** Messages retained in `%DLQ%<group>`. */
  readonly deadLetters: number;
}

/** Settings of a group to create or update (absent: the default, or unchanged). */
export interface GroupUpdate {
  readonly fifo?: boolean;
  readonly broadcast?: boolean;
  readonly maxDeliveryAttempts?: number;
  readonly retryBackoff?: Partial<GroupRetryBackoff>;
}

/** A stored message. */
export interface StoredMessageInfo {
  readonly messageId: string;
  readonly topic: string;
  readonly offset: number;
  readonly queueId: number;
  readonly kind: Exclude<AdminMessageType, 'MIXED'>;
  readonly tag?: string;
  readonly keys: string[];
  readonly properties: Record<string, string>;
  readonly messageGroup?: string;
  /** When the producer created it. */
  readonly bornAt: Date;
  readonly bornHost: string;
  /** `x-mq-client-id` of the producer, when known. */
  readonly producerClientId?: string;
  readonly storedAt: Date;
  /** When a delay message becomes deliverable. */
  readonly deliverAt?: Date;
  /** The body's first bytes (see {@link BodyOptions}), or all of it when `bodyTruncated` is false. */
  readonly body: Buffer;
  /** The whole body's size in bytes. */
  readonly bodySize: number;
  readonly bodyTruncated: boolean;
  /** Set on a copy in a `%DLQ%<group>` topic: where it came from. */
  readonly deadLetter?: { readonly originTopic: string; readonly originMessageId: string };
}

/** How much of each body an answer carries. */
export interface BodyOptions {
  /** Bytes of each body (default 256). */
  readonly previewBytes?: number;
  /** Whole bodies, as far as the answer fits in the broker's frame limit (others come cut, `bodyTruncated`). */
  readonly fullBody?: boolean;
}

/**
 * Which messages to find: every retained copy of one message id (its topic's, a `%DLQ%` copy, a
 * resend's), the messages of a topic with a key, or those stored in `[from, to)`.
 */
export type MessageQuery =
  | { readonly messageId: string }
  | { readonly topic: string; readonly key: string }
  | { readonly topic: string; readonly from: Date; readonly to: Date };

export type MessageQueryOptions = AdminPageOptions & BodyOptions;

/** A step of a message's life. */
export type TraceEventType =
  | 'sent'
  | 'stored'
  | 'delivered'
  | 'acked'
  | 'redelivered'
  | 'dead-lettered'
  | 'recalled'
  | 'checked'
  | 'committed'
  | 'rolled-back';

export interface TraceEventInfo {
  readonly type: TraceEventType;
  readonly at: Date;
  /** The topic it happened in (the DLQ topic for `dead-lettered`). */
  readonly topic?: string;
  readonly group?: string;
  readonly clientId?: string;
  /** Delivery attempt from 1, or check number for `checked`. */
  readonly attempt?: number;
  readonly note?: string;
}

/** One message's life, in time order. */
export interface MessageTraceInfo {
  readonly messageId: string;
  readonly events: TraceEventInfo[];
}

export interface DeadLetterInfo {
  readonly group: string;
  /** The copy in `%DLQ%<group>`; its `deadLetter` names the origin. */
  readonly message: StoredMessageInfo;
  /** When an operator resent it to its origin topic. */
  readonly resentAt?: Date;
}

/** Where a resent dead letter was stored again. */
export interface ResendInfo {
  readonly messageId: string;
  readonly topic: string;
  readonly offset: number;
}

/** What a reset moved: each (topic, consumer) position from one offset to another. */
export interface ResetInfo {
  readonly group: string;
  readonly subscriptions: { readonly topic: string; readonly consumer: string; readonly from: number; readonly to: number }[];
}

/** Typed client of a running broker's `txmq.admin.v1.BrokerAdmin` service. */
export interface BrokerAdmin {
  /** The endpoint this admin talks to. */
  readonly endpoint: string;
  /** Connects now instead of on the first call; rejects with `BrokerUnreachableError` when it cannot. */
  start(): Promise<void>;
  listTopics(page?: AdminPageOptions): Promise<AdminPage<TopicInfo>>;
  /** Rejects with `NotFoundError` (`TOPIC_NOT_FOUND`) for an unknown topic. */
  describeTopic(name: string): Promise<TopicInfo>;
  /** Creates a topic durably; rejects with `InvalidRequestError` when it exists. */
  createTopic(name: string, settings?: TopicUpdate): Promise<TopicInfo>;
  updateTopic(name: string, settings: TopicUpdate): Promise<TopicInfo>;
  listGroups(page?: AdminPageOptions): Promise<AdminPage<GroupInfo>>;
  /** Rejects with `NotFoundError` (`CONSUMER_GROUP_NOT_FOUND`) for an unknown group. */
  describeGroup(name: string): Promise<GroupInfo>;
  createGroup(name: string, settings?: GroupUpdate): Promise<GroupInfo>;
  updateGroup(name: string, settings: GroupUpdate): Promise<GroupInfo>;
  /** Retained messages, oldest first; an empty page when none matches. By message id, every copy comes in one page. */
  queryMessages(query: MessageQuery, options?: MessageQueryOptions): Promise<AdminPage<StoredMessageInfo>>;
  /** Rejects with `NotFoundError` (`MESSAGE_NOT_FOUND`) when nothing of the message is retained. */
  traceMessage(messageId: string): Promise<MessageTraceInfo>;
  listDeadLetters(group: string, options?: AdminPageOptions & BodyOptions): Promise<AdminPage<DeadLetterInfo>>;
  /** Sends the dead letter back to its origin topic, with the same message id. */
  resendDeadLetter(group: string, messageId: string): Promise<ResendInfo>;
  /** Moves the group to the first message stored at or after `to`, or past the last (`'end'`); on `topic` only when given. */
  resetGroup(group: string, to: Date | 'end', options?: { readonly topic?: string }): Promise<ResetInfo>;
  /** Closes the connection; later calls reject with `ClientClosedError`. Idempotent. */
  close(): Promise<void>;
}
