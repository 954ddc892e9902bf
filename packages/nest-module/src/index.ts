/**
 * `@txmq/nest`: a NestJS module for txmq. `@Transactional()` service methods run in an ambient
 * Kysely transaction (`TransactionHost`), and `TxmqProducer.send` inside it writes to the Postgres
 * outbox (or sends a half message settled after the commit), so a message is published if and
 * only if the business transaction commits. `@OnMessage` handlers run in an inbox transaction
 * (exactly-once effect, acknowledged after the commit); `TxmqServer` and `TxmqClient` are a
 * `@nestjs/microservices` transport.
 */
export { TxmqModule } from './txmq.module.js';
export { TXMQ_MODULE_OPTIONS } from './module-definition.js';
export type { TxmqModuleExtras } from './module-definition.js';
export { TXMQ_OUTBOX } from './tokens.js';
export type { Delivery, TxmqModuleOptions } from './options.js';
export { TransactionHost } from './transaction/transaction-host.js';
export { Transactional } from './transaction/transactional.js';
export type { Propagation, TransactionalOptions } from './transaction/propagation.js';
export type { TransactionCallback } from './transaction/transaction-callbacks.js';
export { TxmqProducer } from './txmq-producer.js';
export type { TxmqSendResult } from './txmq-producer.js';
export {
  NonRetryableError,
  NoTransactionHostError,
  TransactionAbortedError,
  TransactionAlreadyActiveError,
  TransactionNotActiveError,
  TxmqNestError,
} from './errors.js';
export type { TxmqNestErrorCode } from './errors.js';
export { OnMessage } from './consumers/on-message.js';
export type { OnMessageOptions } from './consumers/on-message.js';
export { TxmqConsumerStats } from './consumers/txmq-consumer-stats.js';
export type { ConsumerStats } from './consumers/consumer-stats.js';
export { TxmqServer, TXMQ_TRANSPORT } from './transport/txmq-server.js';
export type { TxmqServerOptions, TxmqTransportStatus } from './transport/txmq-server.js';
export { TxmqClient } from './transport/txmq-client.js';
export type { TxmqClientOptions, TxmqEmitResult } from './transport/txmq-client.js';
export { TxmqContext } from './txmq-context.js';
export { RequestResponseUnsupportedError } from './transport/request-response-unsupported.js';
