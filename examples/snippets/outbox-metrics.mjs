import { createOutbox, createRelay } from '@txmq/outbox';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { Registry } from 'prom-client';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const endpoints = process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081';
const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl }) }) });
const outbox = createOutbox({ db });
await outbox.migrate();

// The application's registry, the one its /metrics endpoint serves (prom-client's global
// `register` when `registry` is left out). The relay adds its txmq_relay_* series, labelled
// with the outbox's schema, and removes them at stop().
const registry = new Registry();
const relay = createRelay({ outbox, endpoints, metrics: { registry } });
await relay.start();

await db.transaction().execute((trx) => outbox.send(trx, { topic: 'metrics-demo', body: { hello: 'metrics' } }));
// Wait until it is published and its row is gone (the pending figures are read at most once a second).
for (let m = await relay.metrics(); m.published === 0 || m.pendingRows > 0; m = await relay.metrics()) {
  await new Promise((resolve) => setTimeout(resolve, 100));
}

// Prometheus text: txmq_relay_published_total{schema="txmq"} 1, txmq_relay_pending_rows, ...
console.log(await registry.metrics());
// The same figures as a plain object, for applications without Prometheus:
// { schema: 'txmq', pendingRows: 0, oldestPendingAgeSeconds: 0, published: 1, failed: 0, parked: 0, outage: false }
console.log(await relay.metrics());

await relay.stop();
await db.destroy();
