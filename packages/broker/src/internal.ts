/**
 * Internal entry point of `@txmq/broker`: the broker's domain core, for this package's own tests
 * and tools. Not exported from the package and not a public API: it changes without notice.
 */
export { startBrokerWithCore } from './server.js';
export type { RunningBrokerWithCore } from './server.js';
export { BrokerCore } from './core/broker-core.js';
export type { BrokerCoreOptions, ClientSettings, ReceiveOptions, SendOutcome, SubscriptionStats } from './core/broker-core.js';
