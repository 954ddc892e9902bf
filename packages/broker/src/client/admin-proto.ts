import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** Where `txmq/admin/v1/admin.proto` ships: `packages/broker/proto` (next to `dist/`). */
const PROTO_ROOT = fileURLToPath(new URL('../../../proto/', import.meta.url));

/** `txmq.admin.v1.Resolution`, decoded as its name. */
export type WireResolution = 'RESOLUTION_UNSPECIFIED' | 'COMMIT' | 'ROLLBACK';

/** `txmq.admin.v1.Transaction` as proto-loader decodes it (camelCase, int64 as number). */
export interface WireTransaction {
  transactionId: string;
  messageId: string;
  topic: string;
  tag: string;
  keys: string[];
  producerClientId: string;
  createdAtMs: number;
  checks: number;
  nextCheckAtMs: number;
  parked: boolean;
  bodySize: number;
  properties: Record<string, string>;
}

export interface ListTransactionsRequest {
  parkedOnly?: boolean;
  topic?: string;
}

export interface ListTransactionsResponse {
  transactions: WireTransaction[];
}

export interface ResolveTransactionRequest {
  transactionId?: string;
  resolution?: WireResolution | number;
}

export interface ResolveTransactionResponse {
  resolution: WireResolution;
  changed: boolean;
  transaction?: WireTransaction | null;
}

/** `txmq.admin.v1.MessageType`, decoded as its name. */
export type WireMessageType = 'MESSAGE_TYPE_UNSPECIFIED' | 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION' | 'MIXED';
/** `txmq.admin.v1.SettingsOrigin`, decoded as its name. */
export type WireSettingsOrigin = 'SETTINGS_ORIGIN_UNSPECIFIED' | 'CONFIG' | 'ADMIN' | 'AUTO';
/** `txmq.admin.v1.TraceEventType`, decoded as its name. */
export type WireTraceEventType =
  | 'TRACE_EVENT_TYPE_UNSPECIFIED'
  | 'SENT'
  | 'STORED'
  | 'DELIVERED'
  | 'ACKED'
  | 'REDELIVERED'
  | 'DEAD_LETTERED'
  | 'RECALLED'
  | 'CHECKED'
  | 'COMMITTED'
  | 'ROLLED_BACK';

/** `page_size` and `page_token` of a paged request. */
export interface WirePageRequest {
  pageSize?: number;
  pageToken?: string;
}

export interface WireTopic {
  name: string;
  queues: number;
  messageType: WireMessageType;
  origin: WireSettingsOrigin;
  firstOffset: number;
  nextOffset: number;
  /** 0 for an empty topic. */
  lastStoredAtMs: number;
}

export interface ListTopicsResponse {
  topics: WireTopic[];
  nextPageToken: string;
}

export interface NameRequest {
  name?: string;
}

export interface TopicRequest {
  name?: string;
  /** 0 = default (create) or unchanged (update). */
  queues?: number;
  messageType?: WireMessageType;
}

export interface TopicResponse {
  topic: WireTopic;
}

export interface WireRetryBackoff {
  initialMs: number;
  maxMs: number;
  multiplier: number;
}

export interface WireSubscription {
  topic: string;
  consumer: string;
  nextOffset: number;
  endOffset: number;
  lag: number;
  inFlight: number;
}

export interface WireGroup {
  name: string;
  fifo: boolean;
  broadcast: boolean;
  maxDeliveryAttempts: number;
  retryBackoff: WireRetryBackoff;
  origin: WireSettingsOrigin;
  consumersOnline: number;
  subscriptions: WireSubscription[];
  lag: number;
  inFlight: number;
  deadLetters: number;
}

export interface ListGroupsResponse {
  groups: WireGroup[];
  nextPageToken: string;
}

/** `txmq.admin.v1.GroupChange`: an absent field is unchanged (proto3 `optional`). */
export interface WireGroupChange {
  fifo?: boolean;
  broadcast?: boolean;
  maxDeliveryAttempts?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  retryMultiplier?: number;
}

export interface GroupRequest {
  name?: string;
  settings?: WireGroupChange | null;
}

export interface GroupResponse {
  group: WireGroup;
}

export interface WireBodyOptions {
  previewBytes?: number;
  fullBody?: boolean;
}

export interface WireMessage {
  messageId: string;
  topic: string;
  offset: number;
  queueId: number;
  kind: WireMessageType;
  tag: string;
  keys: string[];
  properties: Record<string, string>;
  messageGroup: string;
  bornAtMs: number;
  bornHost: string;
  producerClientId: string;
  storedAtMs: number;
  deliverAtMs: number;
  body: Buffer;
  bodySize: number;
  bodyTruncated: boolean;
  deadLetter?: { originTopic: string; originMessageId: string } | null;
}

/** `txmq.admin.v1.QueryMessagesRequest`: exactly one of `messageId`, `byKey`, `byTime`. */
export interface QueryMessagesRequest extends WirePageRequest {
  messageId?: string;
  byKey?: { topic?: string; key?: string } | null;
  byTime?: { topic?: string; fromMs?: number; toMs?: number } | null;
  body?: WireBodyOptions | null;
}

export interface QueryMessagesResponse {
  messages: WireMessage[];
  nextPageToken: string;
}

export interface TraceMessageRequest {
  messageId?: string;
}

export interface WireTraceEvent {
  type: WireTraceEventType;
  atMs: number;
  topic: string;
  group: string;
  clientId: string;
  /** 0 = none. */
  attempt: number;
  note: string;
}

export interface TraceMessageResponse {
  messageId: string;
  events: WireTraceEvent[];
}

export interface ListDeadLettersRequest extends WirePageRequest {
  group?: string;
  body?: WireBodyOptions | null;
}

export interface WireDeadLetter {
  group: string;
  message: WireMessage;
  /** 0 while never resent. */
  resentAtMs: number;
}

export interface ListDeadLettersResponse {
  deadLetters: WireDeadLetter[];
  nextPageToken: string;
}

export interface ResendDeadLetterRequest {
  group?: string;
  messageId?: string;
}

export interface ResendDeadLetterResponse {
  messageId: string;
  topic: string;
  offset: number;
}

/** `txmq.admin.v1.ResetGroupRequest`: exactly one of `timeMs`, `end`. */
export interface ResetGroupRequest {
  group?: string;
  timeMs?: number;
  end?: boolean;
  topic?: string;
}

export interface ResetGroupResponse {
  group: string;
  subscriptions: { topic: string; consumer: string; fromOffset: number; toOffset: number }[];
}

/** Trailing metadata key of a refusal: the broker's error code (`TOPIC_NOT_FOUND`...). */
export const ERROR_CODE_METADATA = 'txmq-error-code';

interface AdminServices {
  readonly TransactionAdmin: ServiceClientConstructor;
  readonly BrokerAdmin: ServiceClientConstructor;
}

let loaded: AdminServices | undefined;

/** Loads `proto/txmq/admin/v1/admin.proto` once: both of txmq's own services. */
function loadAdminServices(): AdminServices {
  if (loaded) return loaded;
  const definition = loadSync('txmq/admin/v1/admin.proto', {
    includeDirs: [PROTO_ROOT],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    arrays: true,
    objects: true,
  });
  const root = loadPackageDefinition(definition) as unknown as { txmq: { admin: { v1: AdminServices } } };
  loaded = root.txmq.admin.v1;
  return loaded;
}

/**
 * Loads `txmq.admin.v1.TransactionAdmin` (our own service, defined in `proto/txmq/admin/v1/admin.proto`).
 * The result's `.service` is what the server registers; the constructor itself is the client.
 */
export function loadTransactionAdmin(): ServiceClientConstructor {
  return loadAdminServices().TransactionAdmin;
}

/** Loads `txmq.admin.v1.BrokerAdmin`: `.service` for the server, the constructor as the client. */
export function loadBrokerAdmin(): ServiceClientConstructor {
  return loadAdminServices().BrokerAdmin;
}
