import { randomUUID } from 'node:crypto';
import { createSimpleConsumer } from '@txmq/broker/client';
import { createInbox, createOutbox, createRelay, decodeBody } from '@txmq/outbox';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const endpoints = process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081';
const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl }) }) });

// The outbox's tables live in the schema "txmq" (the default). createInbox and
// createTransactionalSender must be given the same `schema` as createOutbox.
const outbox = createOutbox({ db });
await outbox.migrate(); // idempotent, safe from many processes at once
// The application's own tables.
await sql`create table if not exists quickstart_users (id uuid primary key, name text not null)`.execute(db);
await sql`create table if not exists quickstart_points (user_id uuid primary key, points int not null)`.execute(db);

// 1. The business write and the message commit together, or neither does.
const userId = randomUUID();
const { messageId } = await db.transaction().execute(async (trx) => {
  await trx.insertInto('quickstart_users').values({ id: userId, name: 'Ada' }).execute();
  return outbox.send(trx, { topic: 'user-registered', body: { userId }, messageGroup: `user-${userId}` });
});

// 2. The relay publishes committed messages to the broker; run one or many, anywhere.
const relay = createRelay({ outbox, endpoints, listen: databaseUrl });
await relay.start();

// 3. The consumer applies each message once: the inbox records it in the handler's transaction,
//    so a redelivered message is reported as a duplicate instead of granting points twice.
const inbox = createInbox({ db, consumerGroup: 'points' });
const consumer = createSimpleConsumer({ endpoints, group: 'points', subscriptions: { 'user-registered': '*' }, awaitMs: 5_000 });
let granted = false;
while (!granted) {
  for (const message of await consumer.receive()) {
    const { userId: user } = decodeBody(message);
    const { status } = await inbox.process(message, (trx) =>
      trx.insertInto('quickstart_points').values({ user_id: user, points: 100 }).execute(),
    );
    await consumer.ack(message);
    if (message.properties['txmq-message-id'] === messageId) {
      console.log(`user ${user}: 100 points (${status})`);
      granted = true;
    }
  }
}

await consumer.close();
await relay.stop();
await db.destroy();
