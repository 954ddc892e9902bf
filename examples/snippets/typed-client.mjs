import { createProducer, createPushConsumer } from '@txmq/broker/client';

const endpoints = process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081';

// create* only checks the options; the producer connects on its first send.
const producer = createProducer({ endpoints });
const sent = await producer.send({ topic: 'orders', tag: 'created', body: JSON.stringify({ id: 2, total: 7 }) });
console.log('sent', sent.messageId);

let arrived;
const ours = new Promise((resolve) => (arrived = resolve));
const consumer = createPushConsumer({
  endpoints,
  group: 'shipping',
  subscriptions: { orders: '*' },
  // Return to acknowledge; throw to have the message delivered again later.
  handler: async (message) => {
    console.log('received', message.tag, message.body.toString());
    if (message.messageId === sent.messageId) arrived();
  },
});
await consumer.start(); // a push consumer receives nothing until start()
await ours;
await consumer.close();
await producer.close();
