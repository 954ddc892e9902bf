import type { Generated, Kysely } from 'kysely';

/** The application's tables, as Kysely sees them. */
export interface Database {
  accounts: { id: Generated<number>; email: string };
  points: { account_id: number; amount: number };
}

/** Creates the tables (a real application runs its own migrations instead). */
export async function createTables(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .ifNotExists()
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .execute();
  await db.schema
    .createTable('points')
    .ifNotExists()
    .addColumn('account_id', 'integer', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .execute();
}
