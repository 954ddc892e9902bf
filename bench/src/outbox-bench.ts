// Outbox benchmarks (not a timed test). Run: npx tsc -b && node bench/dist/outbox-bench.js
// BENCH_PARTS=send,relay,latency (default: all) runs a subset; BENCH_ROUNDS sets the send rounds.
import { randomBytes } from 'node:crypto';
import { createOutbox } from '@txmq/outbox';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { startBrokerProcess } from './broker-process.js';
import { commitLatency } from './outbox/commit-latency.js';
import { relayThroughput } from './outbox/relay-throughput.js';
import { sendRatio } from './outbox/send-ratio.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_${randomBytes(4).toString('hex')}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 16 });
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
const outbox = createOutbox({ db, schema });

await outbox.migrate();
await sql`create table ${sql.table(`${schema}.users`)} (id uuid primary key, name text not null)`.execute(db);
// The broker runs as its own process with its durable store, as deployed.
const broker = await startBrokerProcess();
try {
  const parts = (process.env.BENCH_PARTS ?? 'send,relay,latency').split(',');
  // Each part starts right after a checkpoint, so one falling due mid-part is less likely.
  const checkpoint = () => sql`checkpoint`.execute(db).catch(() => undefined);
  if (parts.includes('send')) await checkpoint().then(() => sendRatio(db, pool, outbox));
  if (parts.includes('relay')) await checkpoint().then(() => relayThroughput(outbox, broker.endpoint));
  if (parts.includes('latency')) await checkpoint().then(() => commitLatency(outbox, broker.endpoint, DATABASE_URL));
} finally {
  await broker.stop();
  await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
}
