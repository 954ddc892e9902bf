import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { startBrokerProcess, type BrokerProcess } from '../broker-process.js';
import { pool, type Peer } from './peer.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, close: () => undefined };

/** txmq's broker as a separate process (durable LMDB store), driven by the official RocketMQ client. */
export function txmqPeer(): Peer {
  let broker: BrokerProcess;
  let endpoints = '';
  const topic = `bench-${process.pid}`;
  let producer: Producer;
  return {
    name: 'txmq (official RocketMQ client)',
    async setup() {
      broker = await startBrokerProcess();
      endpoints = broker.endpoint;
      producer = new Producer({ endpoints, namespace: '', topic, logger: quiet });
      await producer.startup();
    },
    async publish(count, body, inFlight) {
      await pool(count, inFlight, () => producer.send({ topic, body }));
    },
    async consume(count) {
      const consumer = new SimpleConsumer({ endpoints, namespace: '', consumerGroup: 'bench', subscriptions: new Map([[topic, '*']]), awaitDuration: 5000, logger: quiet });
      await consumer.startup();
      let received = 0;
      while (received < count) {
        const batch = await consumer.receive(32, 60_000);
        received += batch.length;
        await Promise.all(batch.map((m) => consumer.ack(m)));
      }
      await consumer.shutdown();
    },
    async teardown() {
      await producer.shutdown();
      await broker.stop();
    },
  };
}
