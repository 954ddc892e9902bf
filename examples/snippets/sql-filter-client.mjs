import { createProducer, createSimpleConsumer } from '@txmq/broker/client';

const endpoints = process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081';
const producer = createProducer({ endpoints });
for (const [amount, region] of [['250', 'eu'], ['40', 'eu'], ['900', 'us']]) {
  // User properties are strings; the filter reads `amount` as a number.
  await producer.send({ topic: 'payments', body: `${amount} in ${region}`, properties: { amount, region } });
}

// Only large payments in the EU reach this group.
const consumer = createSimpleConsumer({
  endpoints,
  group: 'eu-large-payments',
  subscriptions: { payments: { sql: "amount > 100 AND region = 'eu'" } },
  awaitMs: 5000,
});
await consumer.start(); // an expression that does not parse rejects here: ILLEGAL_FILTER_EXPRESSION
for (const message of await consumer.receive(10)) {
  console.log('received', message.body.toString()); // 250 in eu
  await consumer.ack(message);
}
await consumer.close();
await producer.close();
