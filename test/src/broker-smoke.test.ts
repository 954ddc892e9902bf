import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

let broker: BrokerProcess;
before(async () => {
  broker = await startBrokerProcess();
});
after(async () => {
  await broker.dispose();
});

test('the official Producer and SimpleConsumer exchange a message through a broker process', async () => {
  const topic = uniqueName('smoke');
  const producer = new Producer({ endpoints: broker.endpoint, namespace: '', topic, logger: quietLogger });
  await producer.startup();
  const receipt = await producer.send({ topic, tag: 'TagA', keys: ['order-1'], body: Buffer.from('hello'), properties: new Map([['traceparent', 'x']]) });
  assert.equal(receipt.messageId.length, 34);
  const consumer = new SimpleConsumer({ endpoints: broker.endpoint, namespace: '', consumerGroup: uniqueName('g'), subscriptions: new Map([[topic, '*']]), awaitDuration: 2000, logger: quietLogger });
  await consumer.startup();
  const [message] = await consumer.receive(10, 10_000);
  assert.ok(message);
  assert.equal(message.messageId, receipt.messageId);
  assert.equal(message.body.toString(), 'hello');
  assert.equal(message.tag, 'TagA');
  assert.deepEqual(message.keys, ['order-1']);
  assert.equal(message.properties.get('traceparent'), 'x');
  assert.equal(message.deliveryAttempt, 1);
  await consumer.ack(message);
  await consumer.shutdown();
  await producer.shutdown();
  assert.equal(await broker.stop(), 0);
});
