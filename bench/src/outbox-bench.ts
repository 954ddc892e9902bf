// Outbox benchmarks (not a timed test). Run: npx tsc -b && node bench/dist/outbox-bench.js
//  1. a business transaction with outbox.send vs the same writes as hand-written SQL (ratio), both
//     through raw pg and through the same Kysely transaction; median of interleaved rounds
//  2. relay throughput to an embedded txmq broker, messages/s
//  3. commit-to-relay-publish and commit-to-consumer latency at a paced 1,000 transactions/s
import { randomBytes, randomUUID } from 'node:crypto';
import { createSimpleConsumer, startBroker } from '@txmq/broker';
import { createBrokerPublisher, createOutbox, createRelay, type Publisher } from '@txmq/outbox';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_${randomBytes(4).toString('hex')}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 16 });
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
const outbox = createOutbox({ db, schema, notify: process.env.BENCH_NOTIFY !== '0' });
const t = (name: string) => sql.table(`${schema}.${name}`);

async function timeTransactions(n: number, concurrency: number, body: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await body(next++);
  }));
  return n / ((performance.now() - start) / 1000);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// Every variant writes the same two rows: a user, and an outbox row with message id, topic, keys,
// headers ('{}') and content type. Only how the outbox row is written differs.
async function sendRatio(): Promise<void> {
  const silent = createOutbox({ db, schema, notify: false });
  const userInsert = (trx: Kysely<any>, i: number) =>
    sql`insert into ${t('users')} (id, name) values (${randomUUID()}, ${`user-${i}`})`.execute(trx);
  const variants: Record<string, (i: number) => Promise<unknown>> = {
    'outbox.send': (i) =>
      db.transaction().execute(async (trx) => {
        await userInsert(trx, i);
        await outbox.send(trx, { topic: 'user-registered', body: { userId: i }, keys: [`user-${i}`] });
      }),
    'outbox.send, notify: false': (i) =>
      db.transaction().execute(async (trx) => {
        await userInsert(trx, i);
        await silent.send(trx, { topic: 'user-registered', body: { userId: i }, keys: [`user-${i}`] });
      }),
    'Kysely, hand-written insert': (i) =>
      db.transaction().execute(async (trx) => {
        await userInsert(trx, i);
        await sql`insert into ${t('outbox')} (message_id, topic, keys, headers, content_type, body)
          values (${randomUUID()}, 'user-registered', ${[`user-${i}`]}, '{}', 'application/json', ${Buffer.from(JSON.stringify({ userId: i }))})`.execute(trx);
      }),
    'raw pg': async (i) => {
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
    },
  };
  const entries = Object.entries(variants);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
  for (const concurrency of [1, 8]) {
    const n = concurrency === 1 ? 1_000 : 3_000;
    for (const [, run] of entries) await timeTransactions(300, concurrency, run); // warm-up
    const tps = new Map<string, number[]>(entries.map(([name]) => [name, []]));
    // Variants take turns (rotated each round), so drift of the machine hits them alike.
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < entries.length; k++) {
        const [name, run] = entries[(k + round) % entries.length] as [string, (i: number) => Promise<unknown>];
        tps.get(name)?.push(await timeTransactions(n, concurrency, run));
      }
    }
    const raw = tps.get('raw pg') as number[];
    const kysely = tps.get('Kysely, hand-written insert') as number[];
    for (const [name, values] of tps) {
      const vsRaw = values.map((v, r) => v / (raw[r] as number));
      const vsKysely = values.map((v, r) => v / (kysely[r] as number));
      console.log(
        `send, concurrency ${concurrency}, ${name}: ${median(values).toFixed(0)} tx/s; ratio vs raw pg ${median(vsRaw).toFixed(3)} ` +
          `(rounds ${Math.min(...vsRaw).toFixed(2)}..${Math.max(...vsRaw).toFixed(2)}), vs Kysely hand-written ${median(vsKysely).toFixed(3)}`,
      );
    }
    await sql`truncate ${t('outbox')}, ${t('users')}`.execute(db);
  }
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
  const warmUp = 2_000; // the first two seconds (topic creation, first long polls) are not measured
  const consumer = await createSimpleConsumer({ endpoints: endpoint, group: 'bench-latency', subscriptions: { 'bench-latency': '*' }, awaitMs: 1_000 });
  // The relay's hand-off time is recorded too: commit -> publish() isolates the outbox's part.
  const handOff: number[] = [];
  const broker = await createBrokerPublisher({ endpoints: endpoint });
  const publisher: Publisher = {
    publish(message) {
      const body = JSON.parse(message.body.toString()) as { i: number; committedAt: number };
      if (body.i >= warmUp) handOff.push(Date.now() - body.committedAt);
      return broker.publish(message);
    },
  };
  const relay = createRelay({ outbox, publisher, listen: DATABASE_URL, pollIntervalMs: 500 });
  await relay.start();
  const total = warmUp + rate * seconds;
  const latencies: number[] = [];
  let received = 0;
  // Four receive loops, so that one long poll's round trip does not hold messages back.
  const consuming = Promise.all(Array.from({ length: 4 }, async () => {
    while (received < total) {
      for (const m of await consumer.receive(32, 10_000)) {
        const body = JSON.parse(m.body.toString()) as { i: number; committedAt: number };
        received++;
        if (body.i >= warmUp) latencies.push(Date.now() - body.committedAt);
        void consumer.ack(m);
      }
    }
  }));
  const start = Date.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // committedAt is taken just before COMMIT, so the figure includes the commit itself.
    pending.push(db.transaction().execute(async (trx) => {
      await sql`insert into ${t('users')} (id, name) values (${randomUUID()}, 'u')`.execute(trx);
      await outbox.send(trx, { topic: 'bench-latency', body: { i, committedAt: Date.now() } });
    }));
  }
  await Promise.all(pending);
  await consuming;
  await relay.stop();
  await consumer.close();
  await broker.close?.();
  const summary = (values: number[]) => {
    values.sort((a, b) => a - b);
    const q = (p: number) => values[Math.min(values.length - 1, Math.floor(p * values.length))];
    return `p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms, max ${values.at(-1)} ms (${values.length} messages)`;
  };
  console.log(`commit-to-relay-publish at ${rate} tx/s for ${seconds} s: ${summary(handOff)}`);
  console.log(`commit-to-consumer at ${rate} tx/s for ${seconds} s: ${summary(latencies)}`);
}

await outbox.migrate();
await sql`create table ${t('users')} (id uuid primary key, name text not null)`.execute(db);
const broker = await startBroker({ port: 0, memory: true, logLevel: 'warn' });
try {
  // BENCH_PARTS=send,relay,latency (default: all) runs a subset.
  const parts = (process.env.BENCH_PARTS ?? 'send,relay,latency').split(',');
  if (parts.includes('send')) await sendRatio();
  if (parts.includes('relay')) await relayThroughput(broker.endpoint);
  if (parts.includes('latency')) await latency(broker.endpoint);
} finally {
  await broker.close();
  await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
}
