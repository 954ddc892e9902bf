/**
 * `@txmq/broker/client`: the typed clients (producer, simple and push consumers, transaction
 * admin, broker admin), RocketMQ's message rules, the error hierarchy, the status codes and the property committed
 * transactional messages carry. Loads no server code.
 */
export { createProducer } from './producer.js';
export type { ProducerOptions, TxmqProducer } from './producer.js';
export { createSimpleConsumer } from './simple-consumer.js';
export type { SimpleConsumerOptions, TxmqSimpleConsumer } from './simple-consumer.js';
export { createPushConsumer } from './push-consumer.js';
export type { PushConsumerOptions, TxmqPushConsumer } from './push-consumer.js';
export { createTransactionAdmin } from './admin-client.js';
export type { Resolution, TransactionAdmin, TransactionAdminOptions, TransactionInfo, ResolveResult } from './admin-client.js';
export { createBrokerAdmin } from './broker-admin.js';
export type {
  AdminMessageType, AdminPage, AdminPageOptions, BodyOptions, BrokerAdmin, BrokerAdminOptions, DeadLetterInfo, GroupInfo, GroupRetryBackoff,
  GroupSubscriptionInfo, GroupUpdate, MessageQuery, MessageQueryOptions, MessageTraceInfo, ResendInfo, ResetInfo, SettingsOrigin, StoredMessageInfo,
  TopicInfo, TopicUpdate, TraceEventInfo, TraceEventType,
} from './admin-types.js';
export type {
  OutgoingMessage, SendResult, ReceivedMessage, HalfMessage, CheckResult, TransactionChecker, ClientOptions, ClientCredentials, ClientLogger, SubscriptionExpression,
} from './types.js';
export * from '../rules/index.js';
export * from '../errors.js';
export { STATUS_CODES, statusName } from '../status-codes.js';
export type { StatusName } from '../status-codes.js';
export { BROKER_TRANSACTION_ID_PROPERTY } from '../system-properties.js';
