import type { Migration, MigrationProvider } from 'kysely';
import { initialMigration } from './0001-initial.js';
import { sendFunctionsMigration } from './0002-send-functions.js';
import { errorDetailsMigration } from './0003-error-details.js';
import { transactionLogTopicMigration } from './0004-transaction-log-topic.js';

/**
 * The versioned migrations, in order. Names sort lexically; a new migration gets the next number
 * and is never edited once released.
 */
export function migrationsFor(schema: string): Record<string, Migration> {
  return {
    '0001_initial': initialMigration(schema),
    '0002_send_functions': sendFunctionsMigration(schema),
    '0003_error_details': errorDetailsMigration(schema),
    '0004_transaction_log_topic': transactionLogTopicMigration(schema),
  };
}

/** A Kysely {@link MigrationProvider} serving {@link migrationsFor}. */
export function migrationProvider(schema: string): MigrationProvider {
  const migrations = migrationsFor(schema);
  return { getMigrations: async () => migrations };
}
