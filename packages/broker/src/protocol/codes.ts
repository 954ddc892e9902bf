/** RocketMQ v2 in-band status codes (`apache.rocketmq.v2.Code`) that the broker uses. */
export enum Code {
  OK = 20000,
  BAD_REQUEST = 40000,
  ILLEGAL_TOPIC = 40002,
  ILLEGAL_CONSUMER_GROUP = 40003,
  ILLEGAL_MESSAGE_TAG = 40004,
  ILLEGAL_MESSAGE_KEY = 40005,
  ILLEGAL_MESSAGE_GROUP = 40006,
  ILLEGAL_MESSAGE_PROPERTY_KEY = 40007,
  INVALID_TRANSACTION_ID = 40008,
  ILLEGAL_MESSAGE_ID = 40009,
  ILLEGAL_FILTER_EXPRESSION = 40010,
  ILLEGAL_INVISIBLE_TIME = 40011,
  ILLEGAL_DELIVERY_TIME = 40012,
  INVALID_RECEIPT_HANDLE = 40013,
  MESSAGE_PROPERTY_CONFLICT_WITH_TYPE = 40014,
  UNRECOGNIZED_CLIENT_TYPE = 40015,
  CLIENT_ID_REQUIRED = 40017,
  ILLEGAL_POLLING_TIME = 40018,
  NOT_FOUND = 40400,
  MESSAGE_NOT_FOUND = 40401,
  TOPIC_NOT_FOUND = 40402,
  CONSUMER_GROUP_NOT_FOUND = 40403,
  PAYLOAD_TOO_LARGE = 41300,
  MESSAGE_BODY_TOO_LARGE = 41301,
  MESSAGE_BODY_EMPTY = 41302,
  PRECONDITION_FAILED = 42800,
  TOO_MANY_REQUESTS = 42900,
  MESSAGE_PROPERTIES_TOO_LARGE = 43101,
  INTERNAL_ERROR = 50000,
  INTERNAL_SERVER_ERROR = 50001,
  NOT_IMPLEMENTED = 50100,
}

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
