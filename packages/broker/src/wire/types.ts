// Shapes of the apache.rocketmq.v2 messages as @grpc/proto-loader decodes them with the options of
// proto.ts (camelCase fields, enums as numbers, int64 as strings, unset fields absent). Requests are
// encoded from the same shapes (int64 may then be numbers).

/** An int64 field: decoded as a decimal string, encoded from a string or a number. */
export type Int64 = string | number;
/** `google.protobuf.Timestamp`. */
export interface Timestamp { seconds?: Int64; nanos?: number }
/** `google.protobuf.Duration`. */
export interface Duration { seconds?: Int64; nanos?: number }
/** The in-band RocketMQ status of a response (`code` from `STATUS_CODES`). */
export interface Status { code?: number; message?: string }
/** A topic or group name in a namespace. */
export interface Resource { resourceNamespace?: string; name?: string }
/** One `host:port` of an {@link Endpoints}. */
export interface Address { host?: string; port?: number }
/** Where a broker or the access point listens (`scheme`: `AddressScheme`). */
export interface Endpoints { scheme?: number; addresses?: Address[] }
/** The broker of a queue in a route. */
export interface Broker { name?: string; id?: number; endpoints?: Endpoints }
/** One queue of a route: its topic, id, `Permission`, broker and accepted `MessageType`s. */
export interface MessageQueue {
  topic?: Resource;
  id?: number;
  permission?: number;
  broker?: Broker;
  acceptMessageTypes?: number[];
}
/** A subscription filter (`type`: `FilterType`, TAG or SQL). */
export interface FilterExpression { type?: number; expression?: string }
/** A body digest (`type`: `DigestType`, CRC32, MD5 or SHA1; `checksum` in hex). */
export interface Digest { type?: number; checksum?: string }
/** Where a dead-lettered message came from: its original topic and message id. */
export interface DeadLetterQueue { topic?: string; messageId?: string }

/** The system properties of a message: those the client sets when sending and those the broker adds on delivery. */
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
  traceContext?: string;
  orphanedTransactionRecoveryDuration?: Duration;
  deadLetterQueue?: DeadLetterQueue;
  liteTopic?: string;
  priority?: number;
}

/** A message as SendMessage, ReceiveMessage and check-backs carry it. */
export interface WireMessage {
  topic?: Resource;
  userProperties?: Record<string, string>;
  systemProperties?: SystemProperties;
  body?: Buffer | Uint8Array;
}

/** The broker's retry and back-off policy (Settings.backoffPolicy). */
export interface RetryPolicy {
  maxAttempts?: number;
  exponentialBackoff?: { initial?: Duration; max?: Duration; multiplier?: number };
  customizedBackoff?: { next?: Duration[] };
  strategy?: 'exponentialBackoff' | 'customizedBackoff';
}

/** One subscribed topic with its filter. */
export interface SubscriptionEntry { topic?: Resource; expression?: FilterExpression }
/** The producer part of the Settings: topics to announce; the broker answers its body limit. */
export interface PublishingSettings { topics?: Resource[]; maxBodySize?: number; validateMessageType?: boolean }
/** The consumer part of the Settings: group and subscriptions; the broker answers FIFO, batch size and long-polling timeout. */
export interface SubscriptionSettings {
  group?: Resource;
  subscriptions?: SubscriptionEntry[];
  fifo?: boolean;
  receiveBatchSize?: number;
  longPollingTimeout?: Duration;
}

/** The Settings a client sends on Telemetry and the broker answers (merged with the broker's own). */
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

/** One message on the Telemetry stream, either way: Settings, a status, a broker command or its answer. */
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

/** QueryRoute: the queues of a topic. */
export interface QueryRouteRequest { topic?: Resource; endpoints?: Endpoints }
/** The answer to QueryRoute. */
export interface QueryRouteResponse { status?: Status; messageQueues?: MessageQueue[] }
/** SendMessage: one or more messages of one topic (a batch). */
export interface SendMessageRequest { messages?: WireMessage[] }
/** The result of one message, or of the whole request (a RocketMQ proxy answers one entry for N). */
export interface SendResultEntry { status?: Status; messageId?: string; transactionId?: string; offset?: Int64; recallHandle?: string }
/** The answer to SendMessage. */
export interface SendMessageResponse { status?: Status; entries?: SendResultEntry[] }
/** QueryAssignment: the queues a push consumer of a group should poll. */
export interface QueryAssignmentRequest { topic?: Resource; group?: Resource; endpoints?: Endpoints }
/** The answer to QueryAssignment. */
export interface QueryAssignmentResponse { status?: Status; assignments?: { messageQueue?: MessageQueue }[] }
/** ReceiveMessage: a long poll for up to `batchSize` messages of a queue. */
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
/** One message of the ReceiveMessage stream: a status, a message or the delivery timestamp. */
export interface ReceiveMessageResponse { status?: Status; message?: WireMessage; deliveryTimestamp?: Timestamp; content?: string }
/** One message to acknowledge, by its receipt handle. */
export interface AckMessageEntry { messageId?: string; receiptHandle?: string }
/** AckMessage: acknowledges messages of one group and topic. */
export interface AckMessageRequest { group?: Resource; topic?: Resource; entries?: AckMessageEntry[] }
/** The result of acknowledging one message. */
export interface AckMessageResultEntry { messageId?: string; receiptHandle?: string; status?: Status }
/** The answer to AckMessage. */
export interface AckMessageResponse { status?: Status; entries?: AckMessageResultEntry[] }
/** ChangeInvisibleDuration: delays the redelivery of a received message. */
export interface ChangeInvisibleDurationRequest {
  group?: Resource;
  topic?: Resource;
  receiptHandle?: string;
  invisibleDuration?: Duration;
  messageId?: string;
}
/** The answer to ChangeInvisibleDuration, with the new receipt handle. */
export interface ChangeInvisibleDurationResponse { status?: Status; receiptHandle?: string }
/** ForwardMessageToDeadLetterQueue: moves a message that exhausted its attempts to the DLQ. */
export interface ForwardMessageToDeadLetterQueueRequest {
  group?: Resource;
  topic?: Resource;
  receiptHandle?: string;
  messageId?: string;
  deliveryAttempt?: number;
  maxDeliveryAttempts?: number;
}
/** Heartbeat: keeps the client registered (a consumer names its group). */
export interface HeartbeatRequest { group?: Resource; clientType?: number }
/** EndTransaction: commits or rolls back a half message (`resolution`, `source`: enums.ts). */
export interface EndTransactionRequest {
  topic?: Resource;
  messageId?: string;
  transactionId?: string;
  resolution?: number;
  source?: number;
  traceContext?: string;
}
/** NotifyClientTermination: the client leaves (a consumer names its group). */
export interface NotifyClientTerminationRequest { group?: Resource }
/** RecallMessage: cancels a DELAY message by its recall handle. */
export interface RecallMessageRequest { topic?: Resource; recallHandle?: string }
/** The answer to RecallMessage. */
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
