import { sql, type Kysely } from 'kysely';

/**
 * Creates `schema` and runs `statements` (idempotent `create ... if not exists` DDL, with the
 * schema written as `$schema`) in one transaction. Enough for an example; an application would
 * version its tables with migrations.
 */
export async function createTables(db: Kysely<any>, schema: string, statements: readonly string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
    for (const statement of statements) await sql.raw(statement.replaceAll('$schema', `"${schema}"`)).execute(trx);
  });
}
