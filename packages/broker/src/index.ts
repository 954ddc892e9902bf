// @txmq/broker: the embedded broker (start it, configure it, operate its transactions) plus
// everything of the typed client. Application code that only sends and receives imports
// `@txmq/broker/client`, which loads no server code.

// The broker server.
export { startBroker } from './server.js';
export type { BrokerOptions, RunningBroker } from './server.js';
export type { LogLevel } from './logger.js';

// Its configuration (`--config file.json`).
export { resolveConfig, loadConfigFile } from './config.js';
export type { BrokerConfig, TopicConfig, GroupConfig, TraceConfig, ResolvedConfig } from './config.js';
export type { TopicMessageType, TopicSettings, GroupSettings, TransactionSettings, RetryBackoff } from './core/types.js';

// The typed clients (producer, consumers, transaction admin), RocketMQ's rules, the error
// hierarchy, status codes and BROKER_TRANSACTION_ID_PROPERTY (the property committed
// transactional messages carry).
export * from './client/index.js';
