import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { testDatabaseUrl } from '@txmq/test-support';
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

/** A publisher that records what it got, with optional failures and latency. */
export class RecordingPublisher implements Publisher {
  readonly published: PublishableMessage[] = [];
  failWith: ((message: PublishableMessage) => Error | undefined) | undefined;
  delayMs: ((message: PublishableMessage) => number) | undefined;

  async publish(message: PublishableMessage): Promise<{ transportMessageId: string }> {
    const delay = this.delayMs?.(message) ?? 0;
    if (delay > 0) await sleep(delay);
    const error = this.failWith?.(message);
    if (error !== undefined) throw error;
    this.published.push(message);
    return { transportMessageId: `t-${this.published.length}` };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until it is true or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function bodyJson(message: PublishableMessage): any {
  return JSON.parse(message.body.toString('utf8'));
}
