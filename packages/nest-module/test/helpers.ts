import { startBroker, type RunningBroker } from '@txmq/broker';
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { testDatabaseUrl } from '@txmq/test-support';

export const DATABASE_URL = await testDatabaseUrl();

/** A Kysely instance on the test database, a fresh outbox schema and an app schema; `close()` drops both. */
export interface TestDb {
  readonly db: Kysely<any>;
  /** The outbox schema. */
  readonly schema: string;
  /** The application's table of users, `<schema>_app.users (id text primary key)`. */
  readonly users: string;
  userIds(): Promise<string[]>;
  close(): Promise<void>;
}

export async function testDb(): Promise<TestDb> {
  const schema = `nest_${randomBytes(6).toString('hex')}`;
  const app = `${schema}_app`;
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max: 10 }) }) });
  await sql`create schema ${sql.id(app)}`.execute(db);
  await sql`create table ${sql.id(app, 'users')} (id text primary key)`.execute(db);
  return {
    db,
    schema,
    users: `${app}.users`,
    async userIds() {
      const rows = await db.selectFrom(`${app}.users`).select('id').orderBy('id').execute();
      return rows.map((r) => r.id as string);
    },
    async close() {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      await sql`drop schema if exists ${sql.id(app)} cascade`.execute(db);
      await db.destroy();
    },
  };
}

/** A TCP server that counts the connections made to it: an endpoint that detects any broker I/O. */
export async function connectionCounter(): Promise<{ endpoint: string; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    endpoint: `127.0.0.1:${address.port}`,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Retry backoff short enough for redelivery tests. */
export const FAST_RETRY = { retryBackoff: { initialMs: 100, maxMs: 200, multiplier: 2 } };

/**
 * An in-process, in-memory broker that redelivers fast: short invisibility and long polls, and
 * {@link FAST_RETRY} for each of `groups`.
 */
export function startFastBroker(groups: readonly string[]): Promise<RunningBroker> {
  return startBroker({
    port: 0,
    memory: true,
    logLevel: 'silent',
    config: { minInvisibleMs: 100, pushLongPollingMs: 1000, groups: Object.fromEntries(groups.map((g) => [g, FAST_RETRY])) },
  });
}
