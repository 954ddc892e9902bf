// Outbox benchmarks (not a timed test). Run: npx tsc -b && node bench/dist/outbox-bench.js
//  1. a business transaction with outbox.send vs the same writes as hand-written SQL (ratio)
//  2. relay throughput to an embedded txmq broker, messages/s
//  3. commit-to-consumer latency p50/p99 at a paced 1,000 transactions/s
import { randomBytes, randomUUID } from 'node:crypto';
import { createSimpleConsumer, startBroker } from '@txmq/broker';
import { createOutbox, createRelay } from '@txmq/outbox';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_${randomBytes(4).toString('hex')}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 16 });
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
const outbox = createOutbox({ db, schema, notify: process.env.BENCH_NOTIFY !== '0' });
const t = (name: string) => sql.table(`${schema}.${name}`);

async function timeTransactions(n: number, concurrency: number, body: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await body(next++);
  }));
  return n / ((performance.now() - start) / 1000);
}

async function sendRatio(): Promise<void> {
  const n = 4_000;
  const viaOutbox = (i: number) =>
    db.transaction().execute(async (trx) => {
      await sql`insert into ${t('users')} (id, name) values (${randomUUID()}, ${`user-${i}`})`.execute(trx);
      await outbox.send(trx, { topic: 'user-registered', body: { userId: i }, keys: [`user-${i}`] });
    });
  const raw = async (i: number) => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(`insert into ${schema}.users (id, name) values ($1, $2)`, [randomUUID(), `user-${i}`]);
      await client.query(
        `insert into ${schema}.outbox (message_id, topic, keys, headers, content_type, body) values ($1, $2, $3, '{}', 'application/json', $4)`,
        [randomUUID(), 'user-registered', [`user-${i}`], Buffer.from(JSON.stringify({ userId: i }))],
      );
      await client.query('commit');
    } finally {
      client.release();
    }
  };
  for (const concurrency of [1, 8]) {
    await timeTransactions(500, concurrency, viaOutbox); // warm-up
    await timeTransactions(500, concurrency, raw);
    const a = await timeTransactions(n, concurrency, viaOutbox);
    const b = await timeTransactions(n, concurrency, raw);
    const c = await timeTransactions(n, concurrency, viaOutbox);
    const d = await timeTransactions(n, concurrency, raw);
    const tpsOutbox = (a + c) / 2;
    const tpsRaw = (b + d) / 2;
    console.log(`send, concurrency ${concurrency}: outbox.send ${tpsOutbox.toFixed(0)} tx/s, raw SQL ${tpsRaw.toFixed(0)} tx/s, ratio ${(tpsOutbox / tpsRaw).toFixed(3)}`);
  }
  await sql`truncate ${t('outbox')}`.execute(db);
}

async function relayThroughput(endpoint: string): Promise<void> {
  const n = 20_000;
  for (let i = 0; i < n; i += 1_000) {
    await db.transaction().execute((trx) =>
      outbox.sendMany(trx, Array.from({ length: 1_000 }, (_, k) => ({ topic: 'bench-throughput', body: { i: i + k } }))),
    );
  }
  const relay = createRelay({ outbox, endpoints: endpoint, batchSize: 200, maxInFlight: 512 });
  const start = performance.now();
  await relay.start();
  while ((await outbox.stats()).pending > 0) await new Promise((r) => setTimeout(r, 50));
  const seconds = (performance.now() - start) / 1000;
  await relay.stop();
  console.log(`relay throughput: ${n} messages in ${seconds.toFixed(2)} s = ${(n / seconds).toFixed(0)} msg/s`);
}

async function latency(endpoint: string): Promise<void> {
  const rate = 1_000;
  const seconds = 10;
  const relay = createRelay({ outbox, endpoints: endpoint, listen: DATABASE_URL, pollIntervalMs: 500 });
  await relay.start();
  const consumer = await createSimpleConsumer({ endpoints: endpoint, group: 'bench-latency', subscriptions: { 'bench-latency': '*' }, awaitMs: 1_000 });
  const latencies: number[] = [];
  let done = false;
  const consuming = (async () => {
    while (!done || latencies.length < rate * seconds) {
      for (const m of await consumer.receive(32, 10_000)) {
        latencies.push(Date.now() - Number(JSON.parse(m.body.toString()).committedAt));
        void consumer.ack(m);
      }
      if (done && latencies.length >= rate * seconds) break;
    }
  })();
  const start = Date.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // committedAt is taken just before COMMIT, so the figure includes the commit itself.
    pending.push(db.transaction().execute(async (trx) => {
      await sql`insert into ${t('users')} (id, name) values (${randomUUID()}, 'u')`.execute(trx);
      await outbox.send(trx, { topic: 'bench-latency', body: { committedAt: Date.now() } });
    }));
  }
  await Promise.all(pending);
  done = true;
  await consuming;
  await relay.stop();
  await consumer.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  console.log(`commit-to-consumer at ${rate} tx/s for ${seconds} s: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${latencies.at(-1)} ms (${latencies.length} messages)`);
}

await outbox.migrate();
await sql`create table ${t('users')} (id uuid primary key, name text not null)`.execute(db);
const broker = await startBroker({ port: 0, memory: true, logLevel: 'warn' });
try {
  await sendRatio();
  if (process.env.BENCH_ONLY_SEND === '1') process.exitCode = 0; else await relayThroughput(broker.endpoint);
  if (process.env.BENCH_ONLY_SEND !== '1') await latency(broker.endpoint);
} finally {
  await broker.close();
  await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
}
