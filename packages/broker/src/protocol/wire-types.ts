// Shapes of the apache.rocketmq.v2 messages as @grpc/proto-loader decodes them (camelCase fields,
// enums as numbers, int64 as strings, `defaults: false` so unset fields are absent).

export type Int64 = string | number;
export interface Timestamp { seconds?: Int64; nanos?: number }
export interface Duration { seconds?: Int64; nanos?: number }
export interface Status { code: number; message: string }
export interface Resource { resourceNamespace?: string; name?: string }
export interface Address { host?: string; port?: number }
export interface Endpoints { scheme?: number; addresses?: Address[] }
export interface Broker { name: string; id: number; endpoints: Endpoints }
export interface MessageQueue {
  topic?: Resource;
  id?: number;
  permission?: number;
  broker?: Broker;
  acceptMessageTypes?: number[];
}
export interface FilterExpression { type?: number; expression?: string }
export interface Digest { type: number; checksum: string }
export interface DeadLetterQueue { topic: string; messageId: string }

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

export interface WireMessage {
  topic?: Resource;
  userProperties?: Record<string, string>;
  systemProperties?: SystemProperties;
  body?: Buffer;
}

export interface RetryPolicy {
  maxAttempts: number;
  exponentialBackoff: { initial: Duration; max: Duration; multiplier: number };
}

export interface Settings {
  clientType?: number;
  accessPoint?: Endpoints;
  backoffPolicy?: RetryPolicy;
  requestTimeout?: Duration;
  publishing?: { topics?: Resource[]; maxBodySize?: number; validateMessageType?: boolean };
  subscription?: {
    group?: Resource;
    subscriptions?: { topic?: Resource; expression?: FilterExpression }[];
    fifo?: boolean;
    receiveBatchSize?: number;
    longPollingTimeout?: Duration;
  };
  userAgent?: { language?: number; version?: string; platform?: string; hostname?: string };
  metric?: { on: boolean };
  pubSub?: 'publishing' | 'subscription';
}

export interface TelemetryCommand {
  status?: Status;
  settings?: Settings;
  threadStackTrace?: { nonce?: string; threadStackTrace?: string };
  verifyMessageResult?: { nonce?: string };
  recoverOrphanedTransactionCommand?: { message: WireMessage; transactionId: string };
  verifyMessageCommand?: { nonce?: string };
  command?: string;
}

export interface QueryRouteRequest { topic?: Resource; endpoints?: Endpoints }
export interface SendMessageRequest { messages?: WireMessage[] }
export interface QueryAssignmentRequest { topic?: Resource; group?: Resource; endpoints?: Endpoints }
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
export interface AckMessageRequest { group?: Resource; topic?: Resource; entries?: { messageId?: string; receiptHandle?: string }[] }
export interface ChangeInvisibleDurationRequest {
  group?: Resource;
  topic?: Resource;
  receiptHandle?: string;
  invisibleDuration?: Duration;
  messageId?: string;
}
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
