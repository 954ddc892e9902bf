import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SimpleConsumer } from 'rocketmq-client-nodejs';
import { createProducer } from '@txmq/broker/client';
import { receiveN } from './support/official-clients.js';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

let broker: BrokerProcess;
before(async () => {
  broker = await startBrokerProcess({ memory: true });
});
after(async () => {
  // Stopped gracefully first: the official consumer's released streams must end with OK.
  await broker.stop();
  await broker.dispose();
});

test('concurrent sends of the batching producer reach the official consumer one by one, with their ids, keys, tags and properties', async () => {
  const topic = uniqueName('batched');
  const producer = createProducer({ endpoints: broker.endpoint, topics: [topic], logger: quietLogger });
  const results = await Promise.all(Array.from({ length: 300 }, (_, i) =>
    producer.send({ topic, tag: i % 2 ? 'odd' : 'even', keys: [`k${i}`], body: `body ${i}`, properties: { index: String(i) } })));
  assert.equal(new Set(results.map((r) => r.messageId)).size, 300);
  assert.equal(new Set(results.map((r) => r.offset)).size, 300, 'each message has its own offset');
  await producer.close();

  const consumer = new SimpleConsumer({ endpoints: broker.endpoint, namespace: '', consumerGroup: uniqueName('g'), subscriptions: new Map([[topic, '*']]), awaitDuration: 2000, logger: quietLogger });
  await consumer.startup();
  try {
    const received = await receiveN(consumer, 300, { timeoutMs: 30_000 });
    const byId = new Map(received.map((m) => [m.messageId, m]));
    for (const [i, result] of results.entries()) {
      const message = byId.get(result.messageId);
      assert.ok(message, `message ${i} (${result.messageId}) was delivered`);
      assert.equal(message.body.toString(), `body ${i}`);
      assert.equal(message.tag, i % 2 ? 'odd' : 'even');
      assert.deepEqual(message.keys, [`k${i}`]);
      assert.equal(message.properties.get('index'), String(i));
    }
  } finally {
    await consumer.shutdown();
  }
});

test('a producer with a namespace publishes into that namespace only', async () => {
  const topic = uniqueName('scoped');
  const producer = createProducer({ endpoints: broker.endpoint, namespace: 'tenant-a', logger: quietLogger });
  const sent = await Promise.all([producer.send({ topic, body: 'one' }), producer.send({ topic, body: 'two' })]);
  await producer.close();
  const consumer = (namespace: string) => new SimpleConsumer({ endpoints: broker.endpoint, namespace, consumerGroup: uniqueName('g'), subscriptions: new Map([[topic, '*']]), awaitDuration: 1000, logger: quietLogger });
  const inside = consumer('tenant-a');
  const outside = consumer('');
  await Promise.all([inside.startup(), outside.startup()]);
  try {
    const received = await receiveN(inside, 2);
    assert.deepEqual(received.map((m) => m.messageId).sort(), sent.map((r) => r.messageId).sort());
    assert.deepEqual(await outside.receive(32, 10_000), []);
  } finally {
    await Promise.all([inside.shutdown(), outside.shutdown()]);
  }
});
