// Transactional half messages with the official client against a broker process: commit,
// rollback, check-back answers, parking after maxChecks and the operator `tx` command.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTransactionAdmin, BROKER_TRANSACTION_ID_PROPERTY, type TransactionAdmin } from '@txmq/broker/client';
import { brokerCli, checkedProducer, COMMIT, receiveUntil, ROLLBACK, topicConsumer, UNKNOWN } from './fixtures/transaction-helpers.js';
import type { MessageView } from 'rocketmq-client-nodejs';
import { eventually } from '@txmq/test-support';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

const MAX_CHECKS = 3;

let broker: BrokerProcess;
let admin: TransactionAdmin;
const clients: { shutdown(): Promise<void> }[] = [];

before(async () => {
  broker = await startBrokerProcess({ config: { transaction: { checkImmunityMs: 500, checkIntervalMs: 700, maxChecks: MAX_CHECKS } } });
  admin = createTransactionAdmin({ endpoints: broker.endpoint });
});
after(async () => {
  for (const client of clients.splice(0)) await client.shutdown();
  admin.close();
  // A clean stop ends every Telemetry stream with OK: a SIGKILL right after the clients' shutdown
  // could reset a stream a client has half-closed and stopped listening to (it would crash on it).
  assert.equal(await broker.stop(), 0);
  await broker.dispose();
});



const bodies = (messages: MessageView[]) => messages.map((m) => m.body.toString());
const pending = async (transactionId: string) => (await admin.list()).find((t) => t.transactionId === transactionId);

test('commit: the half message is invisible until the commit, then delivered at once with __transactionId__', async () => {
  const topic = uniqueName('tx-commit');
  const { producer } = await checkedProducer(broker.endpoint, topic, clients);
  const consumer = await topicConsumer(broker.endpoint, topic, clients);
  const tx = producer.beginTransaction();
  const receipt = await producer.send({ topic, tag: 'T', keys: ['order-1'], body: Buffer.from('half'), properties: new Map([['p', 'v']]) }, tx);
  assert.ok(receipt.transactionId.length > 0, 'the answer carries a transaction id');
  assert.ok(await pending(receipt.transactionId), 'stored as a half message');

  // A normal message sent after the half message is delivered; the half message is not.
  await producer.send({ topic, body: Buffer.from('marker-1') });
  assert.deepEqual(bodies(await receiveUntil(consumer, (r) => bodies(r).includes('marker-1'))), ['marker-1']);

  // A receive already waiting when the commit lands gets the message right away (not at the poll timeout).
  const waiting = consumer.receive(16, 10_000);
  const committedAt = Date.now();
  await tx.commit();
  const [message] = await waiting;
  assert.ok(message, 'delivered to the waiting receive');
  assert.ok(Date.now() - committedAt < 2000, `delivered ${Date.now() - committedAt} ms after the commit`);
  await consumer.ack(message);
  assert.equal(message.messageId, receipt.messageId);
  assert.equal(message.body.toString(), 'half');
  assert.equal(message.tag, 'T');
  assert.deepEqual(message.keys, ['order-1']);
  assert.equal(message.properties.get('p'), 'v');
  assert.equal(message.properties.get(BROKER_TRANSACTION_ID_PROPERTY), receipt.transactionId);
  assert.equal(await pending(receipt.transactionId), undefined);
});

test('rollback: the half message is discarded and never delivered', async () => {
  const topic = uniqueName('tx-rollback');
  const { producer } = await checkedProducer(broker.endpoint, topic, clients);
  const consumer = await topicConsumer(broker.endpoint, topic, clients);
  const tx = producer.beginTransaction();
  const receipt = await producer.send({ topic, body: Buffer.from('rolled-back') }, tx);
  await tx.rollback();
  assert.equal(await pending(receipt.transactionId), undefined);
  await producer.send({ topic, body: Buffer.from('marker-after-rollback') });
  const received = await receiveUntil(consumer, (r) => bodies(r).includes('marker-after-rollback'));
  assert.deepEqual(bodies(received), ['marker-after-rollback']);
});

test('a repeated commit is OK, a rollback after a commit and an unknown transaction id are INVALID_TRANSACTION_ID', async () => {
  const topic = uniqueName('tx-repeat');
  const { producer } = await checkedProducer(broker.endpoint, topic, clients);
  const consumer = await topicConsumer(broker.endpoint, topic, clients);
  const tx = producer.beginTransaction();
  const receipt = await producer.send({ topic, body: Buffer.from('once') }, tx);
  await tx.commit();
  await tx.commit();
  await assert.rejects(tx.rollback(), (e: { code?: number; message: string }) => e.code === 40008 && /already committed/.test(e.message));
  await assert.rejects(
    producer.endTransaction(receipt.endpoints, { topic } as never, receipt.messageId, 'no-such-transaction', COMMIT),
    (e: { code?: number; message: string }) => e.code === 40008 && /unknown transaction no-such-transaction/.test(e.message),
  );
  await producer.send({ topic, body: Buffer.from('marker') });
  const received = await receiveUntil(consumer, (r) => bodies(r).includes('marker'));
  assert.deepEqual(bodies(received), ['once', 'marker'], 'committed once, delivered once');
});

test('check-back: a checker answering COMMIT makes the message visible', async () => {
  const topic = uniqueName('tx-check-commit');
  const { producer, checks } = await checkedProducer(broker.endpoint, topic, clients, () => COMMIT);
  const consumer = await topicConsumer(broker.endpoint, topic, clients);
  const receipt = await producer.send({ topic, body: Buffer.from('checked-in') }, producer.beginTransaction());
  const [message] = await receiveUntil(consumer, (r) => r.length > 0);
  assert.equal(message!.messageId, receipt.messageId);
  assert.equal(message!.properties.get(BROKER_TRANSACTION_ID_PROPERTY), receipt.transactionId);
  assert.equal(checks.length, 1);
  assert.equal(checks[0]!.messageId, receipt.messageId);
  assert.equal(checks[0]!.topic, topic);
  assert.equal(checks[0]!.body.toString(), 'checked-in');
  assert.equal(await pending(receipt.transactionId), undefined);
});

test('check-back: a checker answering ROLLBACK discards the message; a later commit is refused', async () => {
  const topic = uniqueName('tx-check-rollback');
  const { producer, checks } = await checkedProducer(broker.endpoint, topic, clients, () => ROLLBACK);
  const consumer = await topicConsumer(broker.endpoint, topic, clients);
  const tx = producer.beginTransaction();
  const receipt = await producer.send({ topic, body: Buffer.from('checked-out') }, tx);
  await eventually('the checked rollback', async () => checks.length > 0 && (await pending(receipt.transactionId)) === undefined, { timeoutMs: 10_000 });
  await assert.rejects(tx.commit(), (e: { code?: number }) => e.code === 40008);
  await producer.send({ topic, body: Buffer.from('marker') });
  assert.deepEqual(bodies(await receiveUntil(consumer, (r) => bodies(r).includes('marker'))), ['marker']);
  assert.equal(checks.length, 1);
});

test(`check-back: a checker that never decides is asked exactly maxChecks (${MAX_CHECKS}) times, then the message is parked until an operator commits it`, async () => {
  const topic = uniqueName('tx-parked');
  const { producer, checks } = await checkedProducer(broker.endpoint, topic, clients, () => UNKNOWN);
  const consumer = await topicConsumer(broker.endpoint, topic, clients);
  const receipt = await producer.send({ topic, body: Buffer.from('parked') }, producer.beginTransaction());
  const parked = await eventually('parking', async () => (await admin.list({ parkedOnly: true })).find((t) => t.transactionId === receipt.transactionId), { timeoutMs: 15_000 });
  assert.equal(parked.checks, MAX_CHECKS);
  assert.equal(checks.length, MAX_CHECKS, 'asked exactly maxChecks times');
  assert.ok(checks.every((view) => view.messageId === receipt.messageId));

  // Parked, not deleted: still listed, and not delivered.
  const listed = await brokerCli('tx', 'list', '--parked', '--json', '--endpoint', broker.endpoint);
  assert.equal(listed.code, 0, listed.stderr);
  const rows = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { transactionId: string; topic: string; parked: boolean; checks: number });
  assert.deepEqual(
    rows.filter((r) => r.transactionId === receipt.transactionId).map(({ topic: t, parked: p, checks: c }) => ({ t, p, c })),
    [{ t: topic, p: true, c: MAX_CHECKS }],
  );
  await producer.send({ topic, body: Buffer.from('marker') });
  assert.deepEqual(bodies(await receiveUntil(consumer, (r) => bodies(r).includes('marker'))), ['marker']);

  // The operator commits it against the live broker: delivered at once, no restart needed.
  const committed = await brokerCli('tx', 'commit', receipt.transactionId, '--endpoint', broker.endpoint);
  assert.deepEqual({ code: committed.code, stdout: committed.stdout.trim() }, { code: 0, stdout: `transaction ${receipt.transactionId} committed` });
  const received = await receiveUntil(consumer, (r) => bodies(r).includes('parked'));
  assert.equal(received[0]!.messageId, receipt.messageId);
  assert.equal(received[0]!.properties.get(BROKER_TRANSACTION_ID_PROPERTY), receipt.transactionId);

  // Settled now: the same command again changes nothing; the opposite one and unknown ids fail.
  const again = await brokerCli('tx', 'commit', receipt.transactionId, '--endpoint', broker.endpoint);
  assert.deepEqual({ code: again.code, stdout: again.stdout.trim() }, { code: 0, stdout: `transaction ${receipt.transactionId} was already committed; nothing changed` });
  const conflict = await brokerCli('tx', 'rollback', receipt.transactionId, '--endpoint', broker.endpoint);
  assert.equal(conflict.code, 1);
  assert.match(conflict.stderr, /already committed; it cannot be rolled back/);
  const unknown = await brokerCli('tx', 'commit', 'no-such-transaction', '--endpoint', broker.endpoint);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown transaction no-such-transaction/);
  assert.equal(checks.length, MAX_CHECKS, 'never checked again after parking');
});

test('the operator can roll back a parked transaction through the typed admin client', async () => {
  const topic = uniqueName('tx-parked-rollback');
  const { producer } = await checkedProducer(broker.endpoint, topic, clients, () => UNKNOWN);
  const consumer = await topicConsumer(broker.endpoint, topic, clients);
  const receipt = await producer.send({ topic, body: Buffer.from('parked-then-discarded') }, producer.beginTransaction());
  await eventually('parking', async () => (await pending(receipt.transactionId))?.parked, { timeoutMs: 15_000 });
  const result = await admin.rollback(receipt.transactionId);
  assert.equal(result.changed, true);
  assert.equal(result.transaction?.parked, true);
  await producer.send({ topic, body: Buffer.from('marker') });
  assert.deepEqual(bodies(await receiveUntil(consumer, (r) => bodies(r).includes('marker'))), ['marker']);
});

test('the tx command reports an unreachable broker clearly and exits non-zero', async () => {
  const result = await brokerCli('tx', 'list', '--endpoint', '127.0.0.1:1', '--timeout-ms', '3000');
  assert.equal(result.code, 1);
  assert.match(result.stderr, /cannot reach the broker at 127\.0\.0\.1:1/);
});
