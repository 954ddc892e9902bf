/**
 * What the broker shows operators: the read models and requests of the admin API, the CLI and the
 * console. The core produces them; admin/ and http/ only translate them to their wire.
 */
import type { RetryBackoff, TopicMessageType } from '../types.js';
import type { MessageKind } from '../../store/records.js';

/** A page of a listing: `pageToken` of the next call is `nextPageToken` (absent on the last page). */
export interface PageRequest {
  /** Items per page (default 50, 1 to 1000). */
  readonly pageSize?: number;
  /** Opaque; from the previous page's `nextPageToken`. */
  readonly pageToken?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken?: string;
}

/** Where a topic's or group's settings came from. */
export type SettingsOrigin = 'config' | 'admin' | 'auto';

export interface TopicView {
  readonly name: string;
  readonly queues: number;
  readonly messageType: TopicMessageType;
  readonly origin: SettingsOrigin;
  /** Retained offsets `[firstOffset, nextOffset)`. */
  readonly firstOffset: number;
  readonly nextOffset: number;
  /** When the newest retained message was stored (ms since the epoch); absent for an empty topic. */
  readonly lastStoredAt?: number;
}

/** Settings an operator may set when creating or updating a topic (absent: unchanged / default). */
export interface TopicChange {
  readonly queues?: number;
  readonly messageType?: TopicMessageType;
}

/** One (consumer, topic) position of a group. */
export interface SubscriptionView {
  readonly topic: string;
  /** The group's name, or for a broadcast group the client id whose position this is. */
  readonly consumer: string;
  /** Next offset the group has not been handed yet. */
  readonly nextOffset: number;
  /** The topic's next offset (its end). */
  readonly endOffset: number;
  /** Messages stored and not yet handed out: `endOffset - nextOffset`. */
  readonly lag: number;
  /** Messages handed out and not acknowledged yet (leased or waiting for a retry). */
  readonly inFlight: number;
}

export interface GroupView {
  readonly name: string;
  readonly fifo: boolean;
  readonly broadcast: boolean;
  readonly maxDeliveryAttempts: number;
  readonly retryBackoff: RetryBackoff;
  readonly origin: SettingsOrigin;
  /** Clients of this group that are connected now. */
  readonly consumersOnline: number;
  readonly subscriptions: readonly SubscriptionView[];
  /** Sums over `subscriptions`. */
  readonly lag: number;
  readonly inFlight: number;
  /** Messages retained in `%DLQ%<group>`. */
  readonly deadLetters: number;
}

export interface GroupChange {
  readonly fifo?: boolean;
  readonly broadcast?: boolean;
  readonly maxDeliveryAttempts?: number;
  readonly retryBackoff?: Partial<RetryBackoff>;
}

/** A stored message as an operator sees it. */
export interface MessageView {
  readonly messageId: string;
  readonly topic: string;
  readonly offset: number;
  readonly queueId: number;
  readonly kind: MessageKind;
  readonly tag?: string;
  readonly keys: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly messageGroup?: string;
  /** When the producer created it (ms since the epoch). */
  readonly bornAt: number;
  readonly bornHost: string;
  /** `x-mq-client-id` of the producer, when known. */
  readonly producerClientId?: string;
  readonly storedAt: number;
  readonly deliverAt?: number;
  readonly body: Buffer;
  /** Set on a copy in a `%DLQ%<group>` topic. */
  readonly deadLetter?: { readonly originTopic: string; readonly originMessageId: string };
}

/** The steps of a message's life, in the names the CLI's `--json` output and the console use. */
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

export interface TraceEvent {
  readonly type: TraceEventType;
  /** ms since the epoch. */
  readonly at: number;
  /** The topic it happened in (the DLQ topic for `dead-lettered`, the origin for a resend's `stored`). */
  readonly topic?: string;
  readonly group?: string;
  readonly clientId?: string;
  /** Delivery attempt, from 1 (`delivered`, `acked`, `redelivered`, `dead-lettered`); check number for `checked`. */
  readonly attempt?: number;
  /** A short human note (e.g. `parked` on the check that parked a half message, `resent by an operator`). */
  readonly note?: string;
}

/** One message's life in time order. */
export interface MessageTrace {
  readonly messageId: string;
  readonly events: readonly TraceEvent[];
}

/** A trace event as it happens: what the core reports to observers (trace store, metrics). */
export interface MessageEvent extends TraceEvent {
  readonly messageId: string;
  readonly topic: string;
}

/** Receives the core's message events as they happen, in batches; must not throw or block. */
export type MessageEventListener = (events: readonly MessageEvent[]) => void;

export interface DeadLetterView {
  readonly group: string;
  /** The copy in `%DLQ%<group>` (its `deadLetter` names the origin). */
  readonly message: MessageView;
  /** When an operator resent it to its origin topic; absent while it was never resent. */
  readonly resentAt?: number;
}

export interface ResendResult {
  readonly messageId: string;
  readonly topic: string;
  readonly offset: number;
}

/** Where a reset moves a group: the first message stored at or after `time`, or past the last. */
export type ResetTarget = { readonly time: number } | 'end';

export interface ResetResult {
  readonly group: string;
  readonly subscriptions: readonly { readonly topic: string; readonly consumer: string; readonly from: number; readonly to: number }[];
}
