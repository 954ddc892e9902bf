import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createSimpleConsumer, type ReceivedMessage } from '@txmq/broker/client';
import { createInbox, createOutbox, createRelay, decodeBody, type Outbox, type Relay } from '@txmq/outbox';
import { eventually, testDatabaseUrl } from '@txmq/test-support';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

const DATABASE_URL = await testDatabaseUrl();
const schema = `relay_${randomBytes(6).toString('hex')}`;
const fifoGroup = uniqueName('fifo');
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max: 8 }) }) });
let broker: BrokerProcess;
let outbox: Outbox;

before(async () => {
  broker = await startBrokerProcess({ config: { groups: { [fifoGroup]: { fifo: true } } } });
  outbox = createOutbox({ db, schema });
  await outbox.migrate();
  await sql`create table ${sql.table(`${schema}.points`)} (message_id text, user_id int)`.execute(db);
});
after(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
  await broker.dispose();
});

function startRelay(): Relay {
  return createRelay({
    outbox,
    endpoints: broker.endpoint,
    listen: DATABASE_URL,
    pollIntervalMs: 100,
    publishTimeoutMs: 3_000,
    leaseMs: 10_000,
    backoff: { initialMs: 100, maxMs: 500 },
    maxAttempts: 1_000,
  });
}

async function consume(topic: string, group: string, count: number, timeoutMs = 20_000, from = broker): Promise<ReceivedMessage[]> {
  const consumer = createSimpleConsumer({ endpoints: from.endpoint, group, subscriptions: { [topic]: '*' }, awaitMs: 500 });
  const all: ReceivedMessage[] = [];
  try {
    await eventually(`${count} messages on ${topic}`, async () => {
      for (const m of await consumer.receive(32, 10_000)) {
        all.push(m);
        await consumer.ack(m);
      }
      return all.length >= count;
    }, { timeoutMs });
    // One more long poll (awaitMs): a duplicate would arrive here.
    for (const m of await consumer.receive(32, 10_000)) all.push(m);
  } finally {
    await consumer.close();
  }
  return all;
}

test('committed messages reach the consumer once, with headers, trace context and per-group order; the inbox applies them', async () => {
  const topic = uniqueName('users');
  const relay = startRelay();
  await relay.start();
  try {
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await outbox.send(trx, { topic, body: { user: -1 } });
        throw new Error('rolled back');
      }),
    );
    for (let i = 0; i < 20; i++) {
      await db.transaction().execute((trx) =>
        outbox.send(trx, {
          topic,
          body: { user: i % 4, seq: i },
          tag: 'registered',
          keys: [`user-${i % 4}`],
          messageGroup: `user-${i % 4}`,
          headers: { traceparent: `00-${String(i).padStart(32, '0')}-00f067aa0ba902b7-01`, 'x-tenant': 'acme' },
        }),
      );
    }
    const received = await consume(topic, fifoGroup, 20);
    assert.equal(received.length, 20, 'each committed message once, the rolled-back one never');
    for (const m of received) {
      const body = decodeBody(m) as { user: number; seq: number };
      assert.equal(m.tag, 'registered');
      assert.deepEqual(m.keys, [`user-${body.user}`]);
      assert.equal(m.messageGroup, `user-${body.user}`);
      assert.equal(m.properties.traceparent, `00-${String(body.seq).padStart(32, '0')}-00f067aa0ba902b7-01`);
      assert.equal(m.properties['x-tenant'], 'acme');
      assert.match(m.properties['txmq-message-id'] ?? '', /^[0-9a-f-]{36}$/);
    }
    for (let u = 0; u < 4; u++) {
      const seqs = received.filter((m) => m.messageGroup === `user-${u}`).map((m) => (decodeBody(m) as { seq: number }).seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `user-${u} in commit order`);
    }
    const inbox = createInbox({ db, schema, consumerGroup: 'points' });
    const apply = (m: ReceivedMessage) =>
      inbox.process(m, (trx) => sql`insert into ${sql.table(`${schema}.points`)} values (${m.properties['txmq-message-id']}, 1)`.execute(trx));
    const statuses = [];
    for (const m of [...received, ...received.slice(0, 5)]) statuses.push((await apply(m)).status);
    assert.equal(statuses.filter((s) => s === 'processed').length, 20);
    assert.equal(statuses.filter((s) => s === 'duplicate').length, 5);
  } finally {
    await relay.stop();
  }
});

test('broker down: the backlog stays in the outbox and drains when the broker returns', async () => {
  const topic = uniqueName('backlog');
  // A broker of its own, so only this test's clients see it die.
  const own = await startBrokerProcess();
  await own.kill();
  const relay = createRelay({
    outbox,
    endpoints: own.endpoint,
    pollIntervalMs: 100,
    publishTimeoutMs: 3_000,
    leaseMs: 10_000,
    backoff: { initialMs: 100, maxMs: 500 },
    maxAttempts: 2,
    retainSentMs: 600_000, // keep the rows, to read their attempt counts afterwards
  });
  await relay.start(); // starts although the broker is unreachable
  try {
    for (let i = 0; i < 60; i++) {
      await db.transaction().execute((trx) => outbox.send(trx, { topic, body: { i }, ...(i % 2 === 0 && { messageGroup: `g${i % 3}` }) }));
    }
    assert.equal((await outbox.stats()).pending, 60, 'nothing is dropped while the broker is down');
    await own.restart();
    const received = await consume(topic, uniqueName('g'), 60, 60_000, own);
    const seen = new Set(received.map((m) => (decodeBody(m) as { i: number }).i));
    assert.equal(seen.size, 60, 'every message arrived');
    await eventually('an empty outbox', async () => (await outbox.stats()).pending === 0);
    assert.equal((await outbox.stats()).parked, 0, 'an outage parks nothing');
    const { rows } = await sql<{ n: number }>`
      select max(attempts)::int as n from ${sql.table(`${schema}.outbox`)} where topic = ${topic}`.execute(db);
    assert.equal(rows[0]?.n, 1, 'the outage cost no row an attempt: each was published by its first counted claim');
  } finally {
    await relay.stop();
    await own.dispose();
  }
});
