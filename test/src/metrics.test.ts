// The broker's /metrics against a broker process fed by the official client: read with a
// Prometheus text-format parser (prom2javascript), the counters equal the traffic the test sent, received,
// acknowledged, dead-lettered and committed; the gauges show what is left.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '@txmq/test-support';
import { checkedProducer, type Closable } from './fixtures/transaction-helpers.js';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { freePort } from './support/free-port.js';
import { ClientPool, receiveN } from './support/official-clients.js';
import { histogram, sampleValue, scrape } from './support/prometheus.js';

const group = uniqueName('metrics-group');
const poisonGroup = uniqueName('metrics-poison');
let broker: BrokerProcess;
let metricsUrl: string;
const clients = new ClientPool(() => broker.endpoint);
const txClients: Closable[] = [];

before(async () => {
  const httpPort = await freePort();
  broker = await startBrokerProcess({
    config: {
      groups: { [poisonGroup]: { maxDeliveryAttempts: 1 } },
      // No check-back during the test: the transaction is committed by its producer.
      transaction: { checkImmunityMs: 60_000 },
    },
    extraArgs: ['--http-port', String(httpPort)],
  });
  metricsUrl = `http://127.0.0.1:${httpPort}/metrics`;
});
after(async () => {
  await clients.shutdownAll();
  await Promise.all(txClients.map((client) => client.shutdown()));
  await broker?.stop();
  await broker?.dispose();
});

test('counters equal the traffic sent; gauges show the lag, in-flight and stored messages; the RPC histogram counts every send', async () => {
  const topic = uniqueName('metrics');
  const producer = await clients.producer(topic);
  for (let i = 0; i < 5; i++) await producer.send({ topic, body: Buffer.from(`order ${i}`), keys: [`order-${i}`] });

  const consumer = await clients.simple(group, topic);
  await receiveN(consumer, 3);
  const unacked = await receiveN(consumer, 2, { ack: false, invisibleMs: 60_000 });
  assert.equal(unacked.length, 2);

  // A poison message: its group allows one delivery, so the next receive after the lease moves it to the DLQ.
  const poisonTopic = uniqueName('metrics-poison');
  const poisonProducer = await clients.producer(poisonTopic);
  await poisonProducer.send({ topic: poisonTopic, body: Buffer.from('poison') });
  const poisonConsumer = await clients.simple(poisonGroup, poisonTopic);
  await receiveN(poisonConsumer, 1, { ack: false, invisibleMs: 1000 });

  const txTopic = uniqueName('metrics-tx');
  const { producer: txProducer } = await checkedProducer(broker.endpoint, txTopic, txClients);
  const transaction = txProducer.beginTransaction();
  await txProducer.send({ topic: txTopic, body: Buffer.from('half') }, transaction);
  await transaction.commit();

  const families = await eventually('the poison message dead-lettered', async () => {
    await poisonConsumer.receive(32, 1000);
    const scraped = await scrape(metricsUrl);
    return sampleValue(scraped, 'txmq_dead_letters_total', { group: poisonGroup }) === 1 ? scraped : undefined;
  }, { timeoutMs: 15_000 });

  const value = (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels);
  assert.equal(value('txmq_messages_in_total', { topic }), 5);
  assert.equal(value('txmq_messages_in_total', { topic: poisonTopic }), 1);
  assert.equal(value('txmq_messages_in_total', { topic: `%DLQ%${poisonGroup}` }), 1, 'the dead-letter copy is stored in its own topic');
  assert.equal(value('txmq_messages_in_total', { topic: txTopic }), 1, 'the committed half message, once');
  assert.equal(value('txmq_messages_out_total', { topic, group }), 5);
  assert.equal(value('txmq_acks_total', { topic, group }), 3);
  assert.equal(value('txmq_messages_out_total', { topic: poisonTopic, group: poisonGroup }), 1);
  assert.equal(value('txmq_acks_total', { topic: poisonTopic, group: poisonGroup }), undefined, 'the poison message was never acknowledged');
  assert.equal(value('txmq_dead_letters_total', { group: poisonGroup }), 1);
  assert.equal(value('txmq_transactions_committed_total'), 1);
  assert.equal(value('txmq_transactions_rolled_back_total'), 0);
  assert.equal(value('txmq_transaction_checks_total'), 0);
  assert.equal(value('txmq_transactions_parked_total'), 0);

  assert.equal(value('txmq_group_lag', { group, topic }), 0);
  assert.equal(value('txmq_group_in_flight', { group, topic }), 2, 'the two unacknowledged messages');
  assert.equal(value('txmq_topic_messages', { topic }), 5);
  assert.equal(value('txmq_transactions_pending'), 0);
  assert.equal(value('txmq_transactions_parked'), 0);
  assert.ok(value('txmq_store_bytes')! > 0, 'the durable store has bytes on disk');

  assert.equal(value('txmq_rpc_duration_seconds', { method: 'SendMessage', code: 'OK' }), 7, 'five, the poison message and the half message');
  assert.equal(value('txmq_rpc_duration_seconds', { method: 'EndTransaction', code: 'OK' }), 1);
  assert.equal(value('txmq_rpc_duration_seconds', { method: 'AckMessage', code: 'OK' }), 3);
  assert.equal(families.txmq_rpc_duration_seconds?.type, 'histogram');
  const send = histogram(families, 'txmq_rpc_duration_seconds', { method: 'SendMessage', code: 'OK' })!;
  assert.equal(send.buckets['+Inf'], 7);
  assert.ok(send.sum! > 0 && send.sum! < 7 * 5, `the sends' total time (${send.sum} s) is plausible`);

  const types = (names: string[], type: string) => names.forEach((name) => assert.equal(families[name]?.type, type, name));
  types(['txmq_messages_in_total', 'txmq_messages_out_total', 'txmq_acks_total', 'txmq_redeliveries_total', 'txmq_dead_letters_total', 'txmq_transaction_checks_total', 'txmq_transactions_parked_total'], 'counter');
  types(['txmq_group_lag', 'txmq_group_in_flight', 'txmq_transactions_pending', 'txmq_transactions_parked', 'txmq_store_bytes', 'txmq_topic_messages'], 'gauge');
  assert.ok(value('txmq_process_resident_memory_bytes')! > 0, "the process metrics, prefixed txmq_");
  assert.deepEqual(Object.keys(families).filter((name) => !name.startsWith('txmq_')), [], 'every metric is prefixed txmq_');
});
