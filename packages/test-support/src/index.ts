export { eventually } from './eventually.js';
export type { EventuallyOptions } from './eventually.js';
export { findPostgres, LOCAL_DATABASE_URL, NoPostgresError } from './postgres/find-postgres.js';
export type { PostgresProbes, TestPostgres } from './postgres/find-postgres.js';
export { machineProbes, POSTGRES_IMAGE } from './postgres/machine-probes.js';
export { testDatabaseUrl } from './postgres/test-database-url.js';
export { collectMessages } from './message-collector.js';
export type { MessageCollector, ReceivingConsumer } from './message-collector.js';
