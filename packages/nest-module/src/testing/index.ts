/**
 * `@txmq/nest/testing`: `TxmqTestingModule` runs an application's txmq module against a real
 * txmq broker started in-process (memory store, a free port) and an in-memory PGlite database,
 * so its tests need no services. This entry loads the broker server; `@txmq/nest` does not.
 */
export { TxmqTestingModule } from './txmq-testing.module.js';
export type { TxmqTestingModuleOptions } from './testing-options.js';
export { TxmqTestingHandle } from './txmq-testing-handle.js';
export type { WaitUntilConsumedOptions } from './wait-until-consumed.js';
export { NotConsumedError } from './not-consumed-error.js';
export { TESTING_RETRY_BACKOFF } from './testing-broker-config.js';
