import { STATUS_CODES } from '../status-codes.js';

/** RocketMQ v2 in-band status codes (`apache.rocketmq.v2.Code`). */
export const Code = STATUS_CODES;
/** A numeric RocketMQ status. */
export type Code = (typeof STATUS_CODES)[keyof typeof STATUS_CODES];

/** `apache.rocketmq.v2.MessageType`. */
export enum WireMessageType {
  UNSPECIFIED = 0,
  NORMAL = 1,
  FIFO = 2,
  DELAY = 3,
  TRANSACTION = 4,
  LITE = 5,
  PRIORITY = 6,
}

/** `apache.rocketmq.v2.ClientType`. */
export enum ClientType {
  UNSPECIFIED = 0,
  PRODUCER = 1,
  PUSH_CONSUMER = 2,
  SIMPLE_CONSUMER = 3,
  PULL_CONSUMER = 4,
  LITE_PUSH_CONSUMER = 5,
  LITE_SIMPLE_CONSUMER = 6,
}

/** `apache.rocketmq.v2.Permission`. */
export enum Permission {
  NONE = 1,
  READ = 2,
  WRITE = 3,
  READ_WRITE = 4,
}

/** `apache.rocketmq.v2.AddressScheme`. */
export enum AddressScheme {
  IPv4 = 1,
  IPv6 = 2,
  DOMAIN_NAME = 3,
}

/** `apache.rocketmq.v2.TransactionResolution`. */
export enum TransactionResolution {
  UNSPECIFIED = 0,
  COMMIT = 1,
  ROLLBACK = 2,
}

/** `apache.rocketmq.v2.FilterType`. */
export enum FilterType {
  UNSPECIFIED = 0,
  TAG = 1,
  SQL = 2,
}

/** `apache.rocketmq.v2.DigestType`. */
export const DIGEST_MD5 = 2;
/** `apache.rocketmq.v2.Encoding`. */
export const ENCODING_IDENTITY = 1;
export const ENCODING_GZIP = 2;
