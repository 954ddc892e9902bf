// Transactions across crashes: a producer process killed after its half message (another producer
// process of the topic answers the check), and a broker killed with SIGKILL between the half
// message and its commit (both a client commit and a check-back settle it after the restart).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTransactionAdmin, BROKER_TRANSACTION_ID_PROPERTY, type TransactionInfo } from '@txmq/broker';
import { checkedProducer, COMMIT, receiveUntil, spawnProducer, topicConsumer, UNKNOWN, type ProducerProcess, type Resolution } from './fixtures/transaction-helpers.js';
import { eventually } from '@txmq/test-support';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';


let broker: BrokerProcess;
const clients: { shutdown(): Promise<void> }[] = [];
const children: ProducerProcess[] = [];

before(async () => {
  // maxChecks leaves room for producers to reconnect after a broker restart (about 1 s for the Node client).
  broker = await startBrokerProcess({ config: { transaction: { checkImmunityMs: 1000, checkIntervalMs: 700, maxChecks: 10 } } });
});
after(async () => {
  for (const child of children.splice(0)) await child.kill();
  for (const client of clients.splice(0)) await client.shutdown();
  assert.equal(await broker.stop(), 0); // a clean stop, so no half-closed client stream is reset
  await broker.dispose();
});



/** The broker's view of a transaction, through a fresh admin connection (the broker may just have restarted). */
async function transaction(transactionId: string): Promise<TransactionInfo | undefined> {
  const admin = createTransactionAdmin({ endpoints: broker.endpoint, timeoutMs: 3000 });
  try {
    return (await admin.list()).find((t) => t.transactionId === transactionId);
  } finally {
    admin.close();
  }
}

test('the producer process dies after its half message: another producer process of the topic answers the check', async () => {
  const topic = uniqueName('tx-orphan');
  const consumer = await topicConsumer(broker.endpoint, topic, clients);
  const answering = spawnProducer(broker.endpoint, topic, 'COMMIT');
  children.push(answering);
  const { clientId: answeringClient } = await answering.waitFor((e) => e.event === 'ready', 'the answering producer to start');

  const sender = spawnProducer(broker.endpoint, topic, 'UNKNOWN', { body: 'orphaned' });
  children.push(sender);
  const sent = await sender.waitFor((e) => e.event === 'sent', 'the half message');
  await sender.kill(); // SIGKILL well within the 1 s check immunity
  assert.ok(sent.transactionId);

  const [message] = await receiveUntil(consumer, (r) => r.length > 0);
  assert.equal(message!.messageId, sent.messageId);
  assert.equal(message!.body.toString(), 'orphaned');
  assert.equal(message!.properties.get(BROKER_TRANSACTION_ID_PROPERTY), sent.transactionId);
  const check = answering.events.find((e) => e.event === 'check');
  assert.deepEqual(check && { messageId: check.messageId, topic: check.topic, body: check.body }, { messageId: sent.messageId, topic, body: 'orphaned' });
  assert.equal(sender.events.filter((e) => e.event === 'check').length, 0, 'the dead sender was never asked');
  assert.match(broker.stderr(), new RegExp(`"transactionId":"${sent.transactionId}"[^\\n]*"producer":"${answeringClient}"[^\\n]*transaction check-back sent`));
  assert.equal(await transaction(sent.transactionId!), undefined);
  assert.equal(await answering.stop(), 0);
});

test('broker SIGKILL between half message and commit: the half message survives and the commit after the restart delivers it', async () => {
  const topic = uniqueName('tx-restart-commit');
  const { producer } = await checkedProducer(broker.endpoint, topic, clients, () => UNKNOWN);
  const tx = producer.beginTransaction();
  const receipt = await producer.send({ topic, body: Buffer.from('survives') }, tx);
  await broker.kill();
  await broker.restart();

  const stored = await eventually('the half message after the restart', () => transaction(receipt.transactionId), { timeoutMs: 10_000 });
  assert.equal(stored.messageId, receipt.messageId);
  assert.equal(stored.parked, false);

  // The producer's connection comes back on its own; a commit sent while it is still down fails
  // with a transport error and is simply retried, as an application would.
  await eventually(
    'the commit after the restart',
    () =>
      tx.commit().then(
        () => true,
        (error: { code?: number }) => {
          if (error.code === 40008) throw error;
          return false;
        },
      ),
    { timeoutMs: 15_000 },
  );
  const consumer = await topicConsumer(broker.endpoint, topic, clients);
  const [message] = await receiveUntil(consumer, (r) => r.length > 0);
  assert.equal(message!.messageId, receipt.messageId);
  assert.equal(message!.properties.get(BROKER_TRANSACTION_ID_PROPERTY), receipt.transactionId);
  assert.equal(await transaction(receipt.transactionId), undefined);
});

test('broker SIGKILL while a transaction is being checked: the check count survives and a check-back after the restart settles it', async () => {
  const topic = uniqueName('tx-restart-check');
  let answer = UNKNOWN;
  const { producer, checks } = await checkedProducer(broker.endpoint, topic, clients, () => answer);
  const receipt = await producer.send({ topic, body: Buffer.from('checked-after-restart') }, producer.beginTransaction());
  await eventually('the first check', () => checks.length >= 1, { timeoutMs: 10_000 });
  const checksBeforeKill = checks.length;
  await broker.kill();
  await broker.restart();

  const stored = await eventually('the half message after the restart', () => transaction(receipt.transactionId), { timeoutMs: 10_000 });
  assert.ok(stored.checks >= checksBeforeKill, `the count survived (${stored.checks} >= ${checksBeforeKill})`);
  assert.equal(stored.parked, false);

  answer = COMMIT;
  const consumer = await topicConsumer(broker.endpoint, topic, clients);
  const [message] = await receiveUntil(consumer, (r) => r.length > 0, 20_000);
  assert.equal(message!.messageId, receipt.messageId);
  assert.equal(message!.properties.get(BROKER_TRANSACTION_ID_PROPERTY), receipt.transactionId);
  assert.ok(checks.length > checksBeforeKill, 'answered by a check sent after the restart');
  assert.equal(await transaction(receipt.transactionId), undefined);
});
