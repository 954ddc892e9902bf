// Child process of client-errors.test.ts: a producer and a simple consumer connect to the broker
// at argv[2], which the parent then kills; both are closed during the outage. The process must
// then exit on its own (nothing left running).
import { createProducer, createSimpleConsumer } from '@txmq/broker/client';

const endpoints = process.argv[2]!;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const producer = createProducer({ endpoints, logger: quiet, maxAttempts: 1 });
const consumer = createSimpleConsumer({ endpoints, group: `outage-${process.pid}`, subscriptions: { [`outage-${process.pid}`]: '*' }, awaitMs: 1000, logger: quiet });
await producer.send({ topic: `outage-${process.pid}`, body: 'x' });
await consumer.start();
console.log('connected');
process.stdin.once('data', async () => {
  await producer.send({ topic: `outage-${process.pid}`, body: 'x' }).catch((error: Error) => console.log(error.name));
  await Promise.all([producer.close(), consumer.close()]);
  console.log('closed');
  process.stdin.destroy();
});
