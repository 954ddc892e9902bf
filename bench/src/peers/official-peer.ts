import { Producer, SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { startBrokerProcess, type BrokerProcess } from '../broker-process.js';
import type { Profile } from '../profile.js';
import { pool, type PeerFactory } from './peer.js';
import { receiveLoops } from './simple-loops.js';

/** Silences the official client (it logs every call at info). */
export const quietOfficialLogger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, close: () => undefined };

/** txmq's broker as a separate process, driven by the official `rocketmq-client-nodejs` Producer and SimpleConsumer. */
export function officialPeer(profile: Profile): PeerFactory {
  return (suffix) => {
    let broker: BrokerProcess;
    let producer: Producer;
    const topic = `bench-${suffix}`;
    return {
      key: 'txmqOfficial',
      async setup() {
        broker = await startBrokerProcess();
        producer = new Producer({ endpoints: broker.endpoint, namespace: '', topic, logger: quietOfficialLogger });
        await producer.startup();
      },
      async publish(count, body, inFlight, until) {
        return pool(count, inFlight, () => producer.send({ topic, body }), until);
      },
      async send(body) {
        await producer.send({ topic, body });
      },
      async consume(count) {
        const consumer = new SimpleConsumer({
          endpoints: broker.endpoint, namespace: '', consumerGroup: `bench-${suffix}`, subscriptions: new Map([[topic, '*']]), awaitDuration: 2_000, logger: quietOfficialLogger,
        });
        await consumer.startup();
        const loops = receiveLoops<MessageView>({ receive: (max) => consumer.receive(max, 60_000), ack: (m) => consumer.ack(m) }, count, profile.receiveLoops, profile.receiveBatch);
        try {
          await loops.done;
        } finally {
          await loops.drained.catch(() => undefined);
          await consumer.shutdown();
        }
      },
      async subscribe() {
        throw new Error('the official client is measured for throughput only');
      },
      async teardown() {
        await producer.shutdown();
        await broker.stop();
      },
    };
  };
}
