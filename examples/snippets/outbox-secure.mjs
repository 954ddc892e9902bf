import { createOutbox, createRelay } from '@txmq/outbox';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const endpoints = process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081';
const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl }) }) });
const outbox = createOutbox({ db });
await outbox.migrate();

// A user of the broker's acl (with `pub` on the topics it relays to), and the CA the broker's
// TLS certificate chains to (a self-signed certificate is its own CA).
const relay = createRelay({
  outbox,
  endpoints,
  credentials: { accessKey: 'orders-app', accessSecret: process.env.ORDERS_APP_SECRET },
  tlsRootCertFile: process.env.TXMQ_CA_FILE ?? 'server.pem',
  // A refusal (a wrong secret, a missing right) arrives here with the broker's reason; the rows
  // wait in the outbox until the access is fixed.
  onError: (error) => console.error('relay:', error.message),
});
await relay.start();

await db.transaction().execute((trx) => outbox.send(trx, { topic: 'orders', body: { id: 4 } }));
while (relay.stats().published === 0) await new Promise((resolve) => setTimeout(resolve, 100));
console.log('published as orders-app, over TLS');

await relay.stop();
await db.destroy();
