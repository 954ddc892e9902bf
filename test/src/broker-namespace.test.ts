// Namespaces (`x-mq-namespace`): the same topic and group names in two namespaces never meet.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

let broker: BrokerProcess;
const clients: { shutdown(): Promise<void> }[] = [];
before(async () => {
  broker = await startBrokerProcess();
});
after(async () => {
  for (const client of clients.splice(0)) await client.shutdown();
  assert.equal(await broker.stop(), 0);
  await broker.dispose();
});

test('topics and groups are scoped by namespace', async () => {
  const topic = uniqueName('ns-topic');
  const group = uniqueName('ns-group');
  for (const namespace of ['tenant-a', '']) {
    const producer = new Producer({ endpoints: broker.endpoint, namespace, topic, logger: quietLogger });
    await producer.startup();
    clients.push(producer);
    await producer.send({ topic, body: Buffer.from(`from ${namespace || 'no namespace'}`) });
  }
  for (const namespace of ['tenant-a', '']) {
    const consumer = new SimpleConsumer({
      endpoints: broker.endpoint, namespace, consumerGroup: group, subscriptions: new Map([[topic, '*']]), awaitDuration: 1000, logger: quietLogger,
    });
    await consumer.startup();
    clients.push(consumer);
    const messages = await consumer.receive(10, 10_000);
    assert.deepEqual(messages.map((m) => [m.topic, m.body.toString()]), [[topic, `from ${namespace || 'no namespace'}`]]);
    for (const message of messages) await consumer.ack(message);
  }
});
