// Shapes of the apache.rocketmq.v2 messages as @grpc/proto-loader decodes them with the options of
// proto.ts (camelCase fields, enums as numbers, int64 as strings, unset fields absent). Requests are
// encoded from the same shapes (int64 may then be numbers).

export type Int64 = string | number;
export interface Timestamp { seconds?: Int64; nanos?: number }
export interface Duration { seconds?: Int64; nanos?: number }
export interface Status { code?: number; message?: string }
export interface Resource { resourceNamespace?: string; name?: string }
export interface Address { host?: string; port?: number }
export interface Endpoints { scheme?: number; addresses?: Address[] }
export interface Broker { name?: string; id?: number; endpoints?: Endpoints }
export interface MessageQueue {
  topic?: Resource;
  id?: number;
  permission?: number;
  broker?: Broker;
  acceptMessageTypes?: number[];
}
export interface FilterExpression { type?: number; expression?: string }
export interface Digest { type?: number; checksum?: string }

export interface SystemProperties {
  tag?: string;
  keys?: string[];
  messageId?: string;
  bodyDigest?: Digest;
  bodyEncoding?: number;
  messageType?: number;
  bornTimestamp?: Timestamp;
  bornHost?: string;
  storeTimestamp?: Timestamp;
  storeHost?: string;
  deliveryTimestamp?: Timestamp;
  receiptHandle?: string;
  queueId?: number;
  queueOffset?: Int64;
  invisibleDuration?: Duration;
  deliveryAttempt?: number;
  messageGroup?: string;
  deadLetterQueue?: { topic?: string; messageId?: string };
}

export interface WireMessage {
  topic?: Resource;
  userProperties?: Record<string, string>;
  systemProperties?: SystemProperties;
  body?: Buffer | Uint8Array;
}

export interface RetryPolicy {
  maxAttempts?: number;
  exponentialBackoff?: { initial?: Duration; max?: Duration; multiplier?: number };
  customizedBackoff?: { next?: Duration[] };
  strategy?: 'exponentialBackoff' | 'customizedBackoff';
}

export interface SubscriptionEntry { topic?: Resource; expression?: FilterExpression }
export interface PublishingSettings { topics?: Resource[]; maxBodySize?: number; validateMessageType?: boolean }
export interface SubscriptionSettings {
  group?: Resource;
  subscriptions?: SubscriptionEntry[];
  fifo?: boolean;
  receiveBatchSize?: number;
  longPollingTimeout?: Duration;
}

export interface Settings {
  clientType?: number;
  accessPoint?: Endpoints;
  backoffPolicy?: RetryPolicy;
  requestTimeout?: Duration;
  publishing?: PublishingSettings;
  subscription?: SubscriptionSettings;
  userAgent?: { language?: number; version?: string; platform?: string; hostname?: string };
  metric?: { on?: boolean };
  pubSub?: 'publishing' | 'subscription';
}

export interface TelemetryCommand {
  status?: Status;
  settings?: Settings;
  threadStackTrace?: { nonce?: string; threadStackTrace?: string };
  verifyMessageResult?: { nonce?: string };
  recoverOrphanedTransactionCommand?: { message?: WireMessage; transactionId?: string };
  printThreadStackTraceCommand?: { nonce?: string };
  verifyMessageCommand?: { nonce?: string; message?: WireMessage };
  reconnectEndpointsCommand?: { nonce?: string };
  command?: string;
}

export interface QueryRouteRequest { topic?: Resource; endpoints?: Endpoints }
export interface QueryRouteResponse { status?: Status; messageQueues?: MessageQueue[] }
export interface SendMessageRequest { messages?: WireMessage[] }
export interface SendResultEntry { status?: Status; messageId?: string; transactionId?: string; offset?: Int64; recallHandle?: string }
export interface SendMessageResponse { status?: Status; entries?: SendResultEntry[] }
export interface QueryAssignmentRequest { topic?: Resource; group?: Resource; endpoints?: Endpoints }
export interface QueryAssignmentResponse { status?: Status; assignments?: { messageQueue?: MessageQueue }[] }
export interface ReceiveMessageRequest {
  group?: Resource;
  messageQueue?: MessageQueue;
  filterExpression?: FilterExpression;
  batchSize?: number;
  invisibleDuration?: Duration;
  autoRenew?: boolean;
  longPollingTimeout?: Duration;
  attemptId?: string;
}
export interface ReceiveMessageResponse { status?: Status; message?: WireMessage; deliveryTimestamp?: Timestamp; content?: string }
export interface AckMessageEntry { messageId?: string; receiptHandle?: string }
export interface AckMessageRequest { group?: Resource; topic?: Resource; entries?: AckMessageEntry[] }
export interface AckMessageResultEntry { messageId?: string; receiptHandle?: string; status?: Status }
export interface AckMessageResponse { status?: Status; entries?: AckMessageResultEntry[] }
export interface ChangeInvisibleDurationRequest {
  group?: Resource;
  topic?: Resource;
  receiptHandle?: string;
  invisibleDuration?: Duration;
  messageId?: string;
}
export interface ChangeInvisibleDurationResponse { status?: Status; receiptHandle?: string }
export interface ForwardMessageToDeadLetterQueueRequest {
  group?: Resource;
  topic?: Resource;
  receiptHandle?: string;
  messageId?: string;
  deliveryAttempt?: number;
  maxDeliveryAttempts?: number;
}
export interface HeartbeatRequest { group?: Resource; clientType?: number }
export interface EndTransactionRequest {
  topic?: Resource;
  messageId?: string;
  transactionId?: string;
  resolution?: number;
  source?: number;
  traceContext?: string;
}
export interface NotifyClientTerminationRequest { group?: Resource }
export interface RecallMessageRequest { topic?: Resource; recallHandle?: string }
export interface RecallMessageResponse { status?: Status; messageId?: string }
/** A response that carries only a status (Heartbeat, EndTransaction, NotifyClientTermination, ForwardMessageToDeadLetterQueue). */
export interface StatusResponse { status?: Status }

/** Milliseconds as a Duration. */
export function durationOf(ms: number): Duration {
  return { seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) };
}

/** A Duration (or Timestamp) in milliseconds; undefined when absent. */
export function millisOf(value: Duration | Timestamp | undefined): number | undefined {
  if (!value) return undefined;
  return Number(value.seconds ?? 0) * 1000 + Math.floor((value.nanos ?? 0) / 1e6);
}

/** Epoch milliseconds as a Timestamp. */
export function timestampOf(ms: number): Timestamp {
  return durationOf(ms);
}
