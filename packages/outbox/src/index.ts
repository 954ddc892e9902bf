/**
 * `@txmq/outbox`: a Postgres transactional outbox, a multi-instance relay with per-group FIFO,
 * an inbox for exactly-once effects, and a half-message sender whose check-back answers itself.
 */
export { createOutbox } from './outbox/create-outbox.js';
export { createRelay } from './relay/create-relay.js';
export { DEFAULT_RELAY_POLL_INTERVAL_MS } from './relay/relay-options.js';
export { pgNotifications, pgliteNotifications } from './relay/notifications.js';
export { createBrokerPublisher } from './publisher/broker-publisher.js';
export { toBrokerMessage } from './publisher/to-broker-message.js';
export { createInbox, inboxMessageId } from './inbox/create-inbox.js';
export { createTransactionalSender } from './transactional/create-transactional-sender.js';
export { createPgliteDialect } from './dialect/pglite-dialect.js';
export { decodeBody } from './message/decode-body.js';
export { encodeMessage } from './message/encode-message.js';
export { CONTENT_TYPE_PROPERTY, MESSAGE_ID_PROPERTY, SENDER_TRANSACTION_ID_PROPERTY } from './message/message.js';
export { DEFAULT_SCHEMA } from './schema/schema-name.js';
export { migrationsFor } from './schema/migrations.js';
export {
  InvalidMessageError,
  InvalidOptionsError,
  MigrationError,
  OutboxError,
  OutboxNotInTransactionError,
  OutboxStateError,
  OutboxUnsupportedError,
  PublishError,
  TransactionFencedError,
  isOutboxError,
} from './errors.js';

export type { Outbox, OutboxOptions } from './outbox/create-outbox.js';
export type { WakeUpClock } from './outbox/wake-up.js';
export type { SentMessage } from './outbox/send.js';
export type { OutboxStats } from './outbox/stats.js';
export type { ParkedMessage } from './outbox/parked.js';
export type { Relay, RelayStats } from './relay/create-relay.js';
export type { RelayMetrics, RelayMetricsOptions } from './relay/metrics/relay-metrics.js';
export type { PublishFailure } from './relay/publish-failure.js';
export type { RelayOptions, RelayTuning } from './relay/relay-options.js';
export type { BackoffOptions } from './relay/backoff.js';
export type { NotificationSource, NotificationSubscription, PgliteListener } from './relay/notifications.js';
export type { Publisher, PublishableMessage, PublishReceipt } from './publisher/publisher.js';
export type { BrokerPublisher, BrokerPublisherOptions } from './publisher/broker-publisher.js';
export type { BrokerSecurityOptions } from './publisher/broker-security.js';
/** A user's access key and secret, as the broker clients take them. */
export type { ClientCredentials } from '@txmq/broker/client';
export type { Inbox, InboxMessage, InboxOptions, InboxResult } from './inbox/create-inbox.js';
/** A half message, as the broker client returns it. */
export type { HalfMessage } from '@txmq/broker/client';
export type {
  TransactionalSender,
  TransactionalSenderOptions,
  TransactionalSendResult,
} from './transactional/create-transactional-sender.js';
export type { PendingHalfMessage } from './transactional/pending-half-message.js';
export type { CheckAnswer } from './transactional/transaction-log.js';
export type { PgliteLike } from './dialect/pglite-dialect.js';
export type { ContentType, EncodedMessage, JsonValue, OutboxMessage } from './message/message.js';
export type { EncodeOptions } from './message/encode-message.js';
export type { BodyCarrier } from './message/decode-body.js';
export type { MigrateResult } from './schema/migrate.js';
export type { OutboxErrorCode, PublishErrorOptions } from './errors.js';
