/** Numbers of the apache.rocketmq.v2 enums as they travel (proto-loader decodes enums as numbers). */
export const ClientType = { PRODUCER: 1, PUSH_CONSUMER: 2, SIMPLE_CONSUMER: 3 } as const;
export type ClientTypeNumber = (typeof ClientType)[keyof typeof ClientType];
export const MessageType = { NORMAL: 1, FIFO: 2, DELAY: 3, TRANSACTION: 4 } as const;
export type MessageTypeNumber = (typeof MessageType)[keyof typeof MessageType];
export const Permission = { NONE: 1, READ: 2, WRITE: 3, READ_WRITE: 4 } as const;
export const FilterType = { TAG: 1, SQL: 2 } as const;
export const Encoding = { IDENTITY: 1, GZIP: 2 } as const;
export const AddressScheme = { IPv4: 1, IPv6: 2, DOMAIN_NAME: 3 } as const;
export const TransactionResolution = { COMMIT: 1, ROLLBACK: 2 } as const;
export const TransactionSource = { SOURCE_CLIENT: 1, SOURCE_SERVER_CHECK: 2 } as const;
/** `Language.NODE_JS`, what `Settings.user_agent.language` says. */
export const LANGUAGE_NODE_JS = 8;
