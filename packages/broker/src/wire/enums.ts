/** Numbers of the apache.rocketmq.v2 enums as they travel (proto-loader decodes enums as numbers). */
export const ClientType = {
  UNSPECIFIED: 0,
  PRODUCER: 1,
  PUSH_CONSUMER: 2,
  SIMPLE_CONSUMER: 3,
  PULL_CONSUMER: 4,
  LITE_PUSH_CONSUMER: 5,
  LITE_SIMPLE_CONSUMER: 6,
} as const;
export type ClientTypeNumber = (typeof ClientType)[keyof typeof ClientType];
export const MessageType = { UNSPECIFIED: 0, NORMAL: 1, FIFO: 2, DELAY: 3, TRANSACTION: 4, LITE: 5, PRIORITY: 6 } as const;
export type MessageTypeNumber = (typeof MessageType)[keyof typeof MessageType];
export const Permission = { UNSPECIFIED: 0, NONE: 1, READ: 2, WRITE: 3, READ_WRITE: 4 } as const;
export const FilterType = { UNSPECIFIED: 0, TAG: 1, SQL: 2 } as const;
export const Encoding = { UNSPECIFIED: 0, IDENTITY: 1, GZIP: 2 } as const;
export const DigestType = { UNSPECIFIED: 0, CRC32: 1, MD5: 2, SHA1: 3 } as const;
export const AddressScheme = { UNSPECIFIED: 0, IPv4: 1, IPv6: 2, DOMAIN_NAME: 3 } as const;
export const TransactionResolution = { UNSPECIFIED: 0, COMMIT: 1, ROLLBACK: 2 } as const;
export const TransactionSource = { UNSPECIFIED: 0, SOURCE_CLIENT: 1, SOURCE_SERVER_CHECK: 2 } as const;
/** `Language.NODE_JS`, what `Settings.user_agent.language` says. */
export const LANGUAGE_NODE_JS = 8;
