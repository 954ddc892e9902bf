import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { createSimpleConsumer, type ReceivedMessage } from '@txmq/broker/client';
import { createOutbox, createTransactionalSender, decodeBody, InvalidMessageError } from '@txmq/outbox';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { testDatabaseUrl } from '@txmq/test-support';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

const DATABASE_URL = await testDatabaseUrl();
const schema = `txsend_${randomBytes(6).toString('hex')}`;
const fixture = fileURLToPath(new URL('./fixtures/half-sender.js', import.meta.url));
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max: 6 }) }) });
let broker: BrokerProcess;

before(async () => {
  broker = await startBrokerProcess({ memory: true, config: { transaction: { checkImmunityMs: 500, checkIntervalMs: 500 } } });
  await createOutbox({ db, schema }).migrate();
  await sql`create table ${sql.table(`${schema}.orders`)} (id text primary key)`.execute(db);
});
after(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
  await broker.dispose();
});

async function orderExists(id: string): Promise<boolean> {
  const { rows } = await sql`select 1 from ${sql.table(`${schema}.orders`)} where id = ${id}`.execute(db);
  return rows.length === 1;
}

/** Everything a consumer group (a fresh one unless given) receives from `topic` within `ms`, or until `until` holds. */
async function receiveFor(
  topic: string,
  ms: number,
  until?: (all: ReceivedMessage[]) => boolean,
  group = uniqueName('g'),
): Promise<ReceivedMessage[]> {
  const consumer = createSimpleConsumer({ endpoints: broker.endpoint, group, subscriptions: { [topic]: '*' }, awaitMs: 500 });
  const all: ReceivedMessage[] = [];
  const deadline = Date.now() + ms;
  try {
    while (Date.now() < deadline && !(until?.(all) ?? false)) {
      for (const m of await consumer.receive(16, 10_000)) {
        all.push(m);
        await consumer.ack(m);
      }
    }
  } finally {
    await consumer.close();
  }
  return all;
}

test('commit path: the local write and the message both happen, exactly once', async () => {
  const topic = uniqueName('tx-commit');
  const sender = createTransactionalSender({ db, schema, endpoints: broker.endpoint, topics: [topic] });
  try {
    const sent = await sender.send({ topic, body: { orderId: 'o-commit' }, headers: { traceparent: '00-a-b-01' } }, async (trx) => {
      await sql`insert into ${sql.table(`${schema}.orders`)} (id) values ('o-commit')`.execute(trx);
      return 'ok';
    });
    assert.equal(sent.result, 'ok');
    assert.equal(sent.settledBy, 'committed');
    assert.ok(await orderExists('o-commit'));
    // Receives until the message is there, then one more long poll (awaitMs) in which a duplicate would arrive.
    const group = uniqueName('g');
    const received = await receiveFor(topic, 5_000, (all) => all.length >= 1, group);
    received.push(...(await receiveFor(topic, 1_000, (all) => all.length >= 1, group)));
    assert.equal(received.length, 1);
    assert.deepEqual(decodeBody(received[0]!), { orderId: 'o-commit' });
    assert.equal(received[0]?.properties['txmq-message-id'], sent.messageId);
    assert.equal(received[0]?.properties.traceparent, '00-a-b-01');
  } finally {
    await sender.close();
  }
});

test('rollback path: a failing local transaction discards the half message', async () => {
  const topic = uniqueName('tx-rollback');
  const sender = createTransactionalSender({ db, schema, endpoints: broker.endpoint, topics: [topic] });
  try {
    await assert.rejects(
      sender.send({ topic, body: 'x' }, async (trx) => {
        await sql`insert into ${sql.table(`${schema}.orders`)} (id) values ('o-rollback')`.execute(trx);
        throw new Error('payment declined');
      }),
      /payment declined/,
    );
    assert.equal(await orderExists('o-rollback'), false);
    await assert.rejects(sender.send({ topic, body: 'x', deliverAt: new Date() }, async () => 1), InvalidMessageError);
    assert.deepEqual(await receiveFor(topic, 2_000), []);
  } finally {
    await sender.close();
  }
});

for (const [dieAt, delivered] of [
  ['before-local-commit', false],
  ['after-local-commit', true],
  ['after-end-transaction', true],
] as const) {
  test(`the sender process dies ${dieAt}: the check-back answers ${delivered ? 'COMMIT' : 'ROLLBACK'}`, async () => {
    const topic = uniqueName(`tx-${dieAt}`);
    const orderId = `o-${dieAt}`;
    // The surviving process: a producer of the topic, so the broker asks it. It sends nothing, so
    // it connects with start() to be there for the check-backs.
    const survivor = createTransactionalSender({ db, schema, endpoints: broker.endpoint, topics: [topic] });
    await survivor.start();
    try {
      const child = spawn(process.execPath, [fixture], {
        env: { ...process.env, DATABASE_URL, SCHEMA: schema, ENDPOINT: broker.endpoint, TOPIC: topic, DIE_AT: dieAt, ORDER_ID: orderId },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      const signal = await new Promise((resolve) => child.on('exit', (_code, s) => resolve(s)));
      assert.equal(signal, 'SIGKILL', `the fixture died by SIGKILL; stdout: ${out}`);
      const transactionId = /tx (\S+)/.exec(out)?.[1];
      assert.ok(transactionId, `the fixture reported its transaction id; stdout: ${out}`);
      assert.equal(await orderExists(orderId), delivered);

      const received = await receiveFor(topic, delivered ? 10_000 : 4_000, (all) => all.length >= 1);
      if (delivered) {
        assert.equal(received.length, 1);
        assert.equal(received[0]?.properties['txmq-message-id'], transactionId);
        assert.deepEqual(decodeBody(received[0]!), { orderId });
      } else {
        assert.deepEqual(received, []);
        const { rows } = await sql<{ state: string }>`
          select state from ${sql.table(`${schema}.transaction_log`)} where transaction_id = ${transactionId}`.execute(db);
        assert.deepEqual(rows, [{ state: 'rolled_back' }], 'the check-back fenced the dead transaction');
      }
      // Whatever the broker asks now, the answer is definite and consistent.
      assert.equal(await survivor.check({ properties: { 'txmq-transaction-id': transactionId } }), delivered ? 'COMMIT' : 'ROLLBACK');
    } finally {
      await survivor.close();
    }
  });
}
