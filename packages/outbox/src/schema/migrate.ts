import { Migrator, sql, type Kysely } from 'kysely';
import { MigrationError } from '../errors.js';
import { migrationProvider } from './migrations.js';

/** Name of the table, inside the configured schema, that records applied migrations. */
export const MIGRATION_TABLE = 'migration';

/** What {@link migrate} did. */
export interface MigrateResult {
  /** Migrations applied by this call (empty when the schema was already up to date). */
  readonly applied: readonly string[];
}

/**
 * Applies every pending migration to `schema`.
 *
 * Safe to run from several processes at once: the whole run holds a session-level advisory lock
 * keyed by the schema, so `create schema` and the migration table are created by one process
 * while the others wait and then find nothing to do. The lock is taken and released on one
 * dedicated connection.
 */
export async function migrate(db: Kysely<any>, schema: string): Promise<MigrateResult> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext('txmq.migrate'), hashtext(${schema}))`.execute(conn);
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(conn);
      const migrator = new Migrator({
        db: conn,
        provider: migrationProvider(schema),
        migrationTableSchema: schema,
        migrationTableName: MIGRATION_TABLE,
        migrationLockTableName: `${MIGRATION_TABLE}_lock`,
      });
      let { error, results = [] } = await migrator.migrateToLatest();
      // Kysely's introspection reads every schema's catalog; one dropped meanwhile by another
      // process fails the read, not our migration: read again.
      for (let retry = 0; retry < 3 && error !== undefined && isOtherSchemaGone(error, schema); retry++) {
        ({ error, results = [] } = await migrator.migrateToLatest());
      }
      if (error !== undefined) {
        const failed = results.find((r) => r.status === 'Error');
        throw new MigrationError(
          `migrating schema "${schema}" failed${failed ? ` at ${failed.migrationName}` : ''}: ${describe(error)}`,
          { cause: error },
        );
      }
      return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
    } finally {
      await sql`select pg_advisory_unlock(hashtext('txmq.migrate'), hashtext(${schema}))`.execute(conn);
    }
  });
}

/** A "schema/relation does not exist" error (3F000, 42P01) about something other than `schema`. */
function isOtherSchemaGone(error: unknown, schema: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (code === '3F000' || code === '42P01') && typeof message === 'string' && !message.includes(`"${schema}`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
