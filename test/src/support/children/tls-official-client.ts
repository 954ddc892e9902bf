// Child process of broker-tls.test.ts: the official client with `sslEnabled: true` publishes one
// message to the broker at argv[2] and receives it. Its own process, because grpc-js reads
// GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (the test's CA) once, when it loads. Prints one JSON line.
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { quietLogger } from '../broker-process.js';

const endpoints = process.argv[2]!;
const topic = `tls-${process.pid}`;
const producer = new Producer({ endpoints, namespace: '', topic, sslEnabled: true, logger: quietLogger });
const consumer = new SimpleConsumer({
  endpoints, namespace: '', consumerGroup: `tls-${process.pid}`, subscriptions: new Map([[topic, '*']]), awaitDuration: 1000, sslEnabled: true, logger: quietLogger,
});
try {
  await producer.startup();
  const sent = await producer.send({ topic, body: Buffer.from('over tls') });
  await consumer.startup();
  let received: string | undefined;
  for (let i = 0; i < 20 && received === undefined; i++) {
    const [message] = await consumer.receive(1, 10_000);
    if (message) {
      await consumer.ack(message);
      received = message.messageId === sent.messageId ? message.body.toString() : undefined;
    }
  }
  console.log(JSON.stringify({ received }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error) }));
} finally {
  await Promise.allSettled([producer.shutdown(), consumer.shutdown()]);
}
