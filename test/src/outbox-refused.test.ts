import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createSimpleConsumer } from '@txmq/broker/client';
import { createOutbox, createRelay, decodeBody, PublishError, type Outbox } from '@txmq/outbox';
import { eventually, testDatabaseUrl } from '@txmq/test-support';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

// A message the outbox accepts but this broker refuses: the topic takes FIFO messages only, and
// the message has no messageGroup. Such a refusal is final, so the row is parked at once.
const DATABASE_URL = await testDatabaseUrl();
const schema = `refused_${randomBytes(6).toString('hex')}`;
const fifoTopic = uniqueName('fifo-only');
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max: 4 }) }) });
let broker: BrokerProcess;
let outbox: Outbox;

before(async () => {
  broker = await startBrokerProcess({ memory: true, config: { topics: { [fifoTopic]: { messageType: 'FIFO' } } } });
  outbox = createOutbox({ db, schema });
  await outbox.migrate();
});
after(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
  await broker.dispose();
});

test('a message the broker refuses is parked after one attempt, with the broker\'s answer on the row', async () => {
  const reported: unknown[] = [];
  const relay = createRelay({
    outbox,
    endpoints: broker.endpoint,
    pollIntervalMs: 100,
    publishTimeoutMs: 3_000,
    leaseMs: 10_000,
    backoff: { initialMs: 100, maxMs: 200 },
    maxAttempts: 10,
    onError: (error) => reported.push(error),
  });
  await relay.start();
  try {
    const { messageId } = await db.transaction().execute((trx) => outbox.send(trx, { topic: fifoTopic, body: { n: 'no group' } }));
    const [parked] = await eventually('the row to be parked', async () => {
      const rows = await outbox.parked();
      return rows.length > 0 ? rows : undefined;
    }, { timeoutMs: 20_000 });
    assert.equal(parked?.messageId, messageId);
    assert.equal(parked?.attempts, 1, 'a refusal of the message itself is not retried');
    assert.equal(parked?.lastErrorCode, 'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE');
    assert.match(parked?.lastError ?? '', /^attempt 1: .*(FIFO|message type)/i);
    const stats = relay.stats();
    assert.equal(stats.parked, 1);
    assert.equal(stats.failed, 1);
    assert.equal(stats.lastPublishFailure?.messageId, messageId);
    assert.equal(stats.lastPublishFailure?.parked, true);
    const failures = reported.filter((e): e is PublishError => e instanceof PublishError);
    assert.equal(failures.length, 1, 'onError heard of the failed publish');
    assert.equal(failures[0]?.retryable, false);

    // The same topic takes a FIFO message; the parked row blocks nothing.
    await db.transaction().execute((trx) => outbox.send(trx, { topic: fifoTopic, body: { n: 'grouped' }, messageGroup: 'g1' }));
    const consumer = createSimpleConsumer({ endpoints: broker.endpoint, group: uniqueName('c'), subscriptions: { [fifoTopic]: '*' }, awaitMs: 500 });
    try {
      const [received] = await eventually('the grouped message', async () => {
        const batch = await consumer.receive(8, 10_000);
        return batch.length > 0 ? batch : undefined;
      }, { timeoutMs: 20_000 });
      assert.deepEqual(decodeBody(received!), { n: 'grouped' });
    } finally {
      await consumer.close();
    }
    assert.equal((await outbox.parked()).length, 1);
  } finally {
    await relay.stop();
  }
});
