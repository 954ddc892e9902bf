import { FilterExpression, Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import definition from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js';

const { FilterType } = definition;
const endpoints = process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081';
const logger = { debug() {}, info() {}, warn: console.warn, error: console.error, close() {} };
const producer = new Producer({ endpoints, namespace: '', topic: 'payments', logger });
await producer.startup();
for (const [amount, region] of [['250', 'eu'], ['40', 'eu'], ['900', 'us']]) {
  await producer.send({
    topic: 'payments',
    body: Buffer.from(`${amount} in ${region}`),
    properties: new Map([['amount', amount], ['region', region]]), // user properties are strings
  });
}

// Only large payments in the EU reach this group: `amount` is read as a number.
const consumer = new SimpleConsumer({
  endpoints,
  namespace: '',
  consumerGroup: 'eu-large-payments',
  subscriptions: new Map([['payments', new FilterExpression("amount > 100 AND region = 'eu'", FilterType.SQL)]]),
  awaitDuration: 5000,
  logger,
});
await consumer.startup();
for (const message of await consumer.receive(10, 30_000)) {
  console.log('received', message.body.toString()); // 250 in eu
  await consumer.ack(message);
}
await consumer.shutdown();
await producer.shutdown();
