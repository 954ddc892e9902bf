import { createProducer, createSimpleConsumer } from '@txmq/broker/client';

const endpoints = process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081';
// A user of the broker's acl, and the CA its TLS certificate chains to (a self-signed
// certificate is its own CA).
const credentials = { accessKey: 'orders-app', accessSecret: process.env.ORDERS_APP_SECRET };
const tlsRootCertFile = process.env.TXMQ_CA_FILE ?? 'server.pem';

const producer = createProducer({ endpoints, credentials, tlsRootCertFile });
const sent = await producer.send({ topic: 'orders', body: JSON.stringify({ id: 3 }) });
await producer.send({ topic: 'audit-orders', body: 'order 3 placed' }); // `audit-*`: pub

const consumer = createSimpleConsumer({ endpoints, credentials, tlsRootCertFile, group: 'billing', subscriptions: { orders: '*' } });
let ours;
while (!ours) {
  for (const message of await consumer.receive()) {
    await consumer.ack(message);
    if (message.messageId === sent.messageId) ours = message;
  }
}
console.log('received', ours.body.toString());

// No right on a topic: refused with FORBIDDEN (40300), naming the topic and the right.
await producer.send({ topic: 'payroll', body: 'x' }).catch((error) => console.log(error.code, error.message));

await consumer.close();
await producer.close();
