import { randomUUID } from 'node:crypto';
import { createTransactionalSender } from '@txmq/outbox';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl }) }) });

// Same `schema` as createOutbox and createInbox (here the default, "txmq").
const sender = createTransactionalSender({
  db,
  endpoints: process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081',
  topics: ['order-placed'], // announced to the broker, so its check-backs reach this process
});
await sender.migrate(); // idempotent
// At boot: connect now, so check-backs for half messages a crashed earlier instance left are answered.
await sender.start();
await sql`create table if not exists quickstart_orders (id uuid primary key, total int not null)`.execute(db);

// The half message is sent first; the local transaction then writes the order and a log row the
// check-back reads; the message is committed after it, or rolled back if `work` throws.
const orderId = randomUUID();
const { messageId, settledBy } = await sender.send({ topic: 'order-placed', body: { orderId } }, (trx) =>
  trx.insertInto('quickstart_orders').values({ id: orderId, total: 42 }).execute(),
);
console.log(`order ${orderId}: message ${messageId} ${settledBy}`);

await sender.close();
await db.destroy();
