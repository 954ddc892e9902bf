import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { eventually, testDatabaseUrl } from '@txmq/test-support';
import type { PublishableMessage, Publisher } from '../src/index.js';

export const DATABASE_URL = await testDatabaseUrl();

/** A Kysely instance on the test database plus a fresh random schema name, dropped by `close()`. */
export interface TestDb {
  readonly db: Kysely<any>;
  readonly schema: string;
  /** Another Kysely instance (own pool) on the same database. */
  connect(max?: number): Kysely<any>;
  close(): Promise<void>;
}

export function randomSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export function testDb(prefix = 'outbox'): TestDb {
  const schema = randomSchema(prefix);
  const extra: Kysely<any>[] = [];
  const connect = (max = 10) => {
    const db = new Kysely<any>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max }) }),
    });
    extra.push(db);
    return db;
  };
  const db = connect(20);
  return {
    db,
    schema,
    connect,
    async close() {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      await Promise.all(extra.map((d) => d.destroy()));
    },
  };
}

/** A publisher that records what it got, with optional failures, latency and a gate. */
export class RecordingPublisher implements Publisher {
  readonly published: PublishableMessage[] = [];
  failWith: ((message: PublishableMessage) => Error | undefined) | undefined;
  /** Simulated transport latency per message, in ms. */
  latencyMs: ((message: PublishableMessage) => number) | undefined;
  /** When set, every publish waits for it before it completes. */
  gate: Promise<void> | undefined;

  async publish(message: PublishableMessage): Promise<{ transportMessageId: string }> {
    const latency = this.latencyMs?.(message) ?? 0;
    if (latency > 0) await delay(latency);
    if (this.gate !== undefined) await this.gate;
    const error = this.failWith?.(message);
    if (error !== undefined) throw error;
    this.published.push(message);
    return { transportMessageId: `t-${this.published.length}` };
  }
}

/** A promise and the function that resolves it. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** The backend process id of the connection `db` (a transaction) runs on. */
export async function backendPid(db: Kysely<any>): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
  return rows[0]!.pid;
}

/**
 * Waits until `count` backends wait for a lock the backend `pid` holds: each has a lock request
 * in `pg_locks` with `granted = false` that `pid` blocks. This proves "it blocks" without sleeping.
 */
export async function waitForBlocked(db: Kysely<any>, pid: number, count: number): Promise<void> {
  await eventually(`${count} backend(s) waiting for a lock of backend ${pid}`, async () => {
    const { rows } = await sql<{ n: number }>`
      select count(distinct l.pid)::int as n from pg_locks l
      where not l.granted and ${pid}::int = any(pg_blocking_pids(l.pid))`.execute(db);
    return (rows[0]?.n ?? 0) >= count;
  });
}

export function bodyJson(message: PublishableMessage): any {
  return JSON.parse(message.body.toString('utf8'));
}

/** A TCP proxy to `target` (`host:port`) that knows how many connections are open through it. */
export async function countingProxy(target: string): Promise<{ endpoint: string; open: () => number; close: () => Promise<void> }> {
  const [host, port] = target.split(':') as [string, string];
  const open = new Set<Socket>();
  const server = createServer((client) => {
    open.add(client);
    const upstream = connect({ host, port: Number(port) });
    const end = () => {
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) socket.on('close', end).on('error', end);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    endpoint: `127.0.0.1:${address.port}`,
    open: () => open.size,
    close: () => {
      for (const socket of open) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
