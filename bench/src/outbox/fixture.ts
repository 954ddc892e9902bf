import { randomBytes, randomUUID } from 'node:crypto';
import { createOutbox, type Outbox } from '@txmq/outbox';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';

/** A schema of its own on the bench's Postgres: the outbox's tables plus a `users` table. */
export interface OutboxFixture {
  readonly url: string;
  readonly db: Kysely<any>;
  readonly pool: pg.Pool;
  readonly outbox: Outbox;
  /** Inserts one user row in `trx` (the business write of every benchmark transaction). */
  insertUser(trx: Transaction<any>): Promise<unknown>;
  /** Empties the outbox and users tables, so that one part's rows do not reach the next part's relay. */
  reset(): Promise<void>;
  /** Drops the schema and closes the pool. */
  close(): Promise<void>;
}

/** Creates the fixture on `DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/test). */
export async function openOutboxFixture(connections = 16): Promise<OutboxFixture> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  // Fail fast when there is no Postgres; the pool itself waits as long as a loaded machine needs.
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await probe.connect();
  await probe.end();
  const pool = new pg.Pool({ connectionString: url, max: connections });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  const outbox = createOutbox({ db, schema });
  try {
    await outbox.migrate();
    await sql`create table ${sql.table(`${schema}.users`)} (id uuid primary key, name text not null)`.execute(db);
  } catch (error) {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db).catch(() => undefined);
    await db.destroy();
    throw error;
  }
  const users = sql.table(`${schema}.users`);
  return {
    url,
    db,
    pool,
    outbox,
    async reset() {
      await sql`truncate ${sql.table(`${schema}.outbox`)}, ${users}`.execute(db);
    },
    insertUser: (trx) => sql`insert into ${users} (id, name) values (${randomUUID()}, 'u')`.execute(trx),
    async close() {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    },
  };
}

/** Runs a checkpoint, so that one falling due in the middle of a measurement is less likely. */
export async function checkpoint(db: Kysely<any>): Promise<void> {
  await sql`checkpoint`.execute(db).catch(() => undefined);
}
