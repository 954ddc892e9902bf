import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';

const endpoints = process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081';
// Without a logger the official client writes ~/logs/rocketmq/*.log, and whichever client shuts
// down first closes that shared file under the other one.
const logger = { debug() {}, info() {}, warn: console.warn, error: console.error, close() {} };
const producer = new Producer({ endpoints, namespace: '', topic: 'orders', logger });
await producer.startup();
const receipt = await producer.send({
  topic: 'orders',
  tag: 'created',
  keys: ['order-1'],
  body: Buffer.from(JSON.stringify({ id: 1, total: 42 })),
});
console.log('sent', receipt.messageId);

const consumer = new SimpleConsumer({
  endpoints,
  namespace: '',
  consumerGroup: 'billing',
  subscriptions: new Map([['orders', 'created || paid']]),
  awaitDuration: 5000,
  logger,
});
await consumer.startup();
for (const message of await consumer.receive(10, 30_000)) {
  console.log('received', message.tag, message.body.toString());
  await consumer.ack(message);
}
await consumer.shutdown();
await producer.shutdown();
