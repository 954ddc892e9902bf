// The apache.rocketmq.v2 messages the consumers send and read, as @grpc/proto-loader decodes them
// (camelCase fields, enums as numbers, int64 as strings or numbers, unset fields absent).

export type Int64 = string | number;
export interface Timestamp { readonly seconds?: Int64; readonly nanos?: number }
export interface Duration { readonly seconds?: Int64; readonly nanos?: number }
export interface Status { readonly code?: number; readonly message?: string }
export interface Resource { readonly resourceNamespace?: string; readonly name?: string }
export interface FilterExpression { readonly type: number; readonly expression: string }

/** `apache.rocketmq.v2.FilterType`. */
export const FILTER_TYPE = { TAG: 1, SQL: 2 } as const;
/** `apache.rocketmq.v2.Encoding`. */
export const ENCODING = { IDENTITY: 1, GZIP: 2 } as const;
/** `apache.rocketmq.v2.DigestType`. */
export const DIGEST_TYPE = { CRC32: 1, MD5: 2, SHA1: 3 } as const;

export interface WireSystemProperties {
  readonly tag?: string;
  readonly keys?: readonly string[];
  readonly messageId?: string;
  readonly bodyDigest?: { readonly type?: number; readonly checksum?: string };
  readonly bodyEncoding?: number;
  readonly bornTimestamp?: Timestamp;
  readonly deliveryTimestamp?: Timestamp;
  readonly receiptHandle?: string;
  readonly deliveryAttempt?: number;
  readonly messageGroup?: string;
}

export interface WireReceivedMessage {
  readonly topic?: Resource;
  readonly userProperties?: Readonly<Record<string, string>>;
  readonly systemProperties?: WireSystemProperties;
  readonly body?: Buffer | Uint8Array;
}

/** One frame of a ReceiveMessage response stream (the `content` oneof). */
export interface ReceiveFrame {
  readonly status?: Status | null;
  readonly message?: WireReceivedMessage | null;
  readonly deliveryTimestamp?: Timestamp | null;
}

export interface AckMessageEntry { readonly messageId: string; readonly receiptHandle: string }
export interface AckMessageResultEntry { readonly messageId?: string; readonly receiptHandle?: string; readonly status?: Status | null }
export interface AckMessageResponse { readonly status?: Status | null; readonly entries?: readonly AckMessageResultEntry[] }
