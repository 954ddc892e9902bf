import { createProducer, createPushConsumer, createSimpleConsumer, type TxmqProducer } from '@txmq/broker/client';
import { startBrokerProcess, type BrokerProcess } from '../broker-process.js';
import type { Profile } from '../profile.js';
import { benchLogger, producerOptions, pushTuning } from './client-options.js';
import { pool, type PeerFactory } from './peer.js';
import { receiveLoops } from './simple-loops.js';

/**
 * txmq's broker as a separate process (durable LMDB store), driven by txmq's own typed client
 * (`createProducer`, `createSimpleConsumer`, `createPushConsumer`).
 */
export function txmqPeer(profile: Profile): PeerFactory {
  return (suffix) => {
    let broker: BrokerProcess;
    let producer: TxmqProducer;
    const topic = `bench-${suffix}`;
    const group = `bench-${suffix}`;
    return {
      key: 'txmq',
      async setup() {
        broker = await startBrokerProcess();
        producer = createProducer(producerOptions(broker.endpoint, [topic], profile));
        await producer.start();
      },
      async publish(count, body, inFlight, until) {
        return pool(count, inFlight, () => producer.send({ topic, body }), until);
      },
      async send(body) {
        await producer.send({ topic, body });
      },
      async consume(count) {
        const consumer = createSimpleConsumer({ endpoints: broker.endpoint, group, subscriptions: { [topic]: '*' }, awaitMs: 2_000, logger: benchLogger });
        await consumer.start();
        const loops = receiveLoops(consumer, count, profile.receiveLoops, profile.receiveBatch);
        try {
          await loops.done;
        } finally {
          await loops.drained.catch(() => undefined);
          await consumer.close();
        }
      },
      async subscribe(onMessage) {
        const consumer = createPushConsumer({
          endpoints: broker.endpoint,
          group,
          subscriptions: { [topic]: '*' },
          logger: benchLogger,
          ...pushTuning(profile),
          handler: async (m) => {
            onMessage(m.body);
          },
        });
        await consumer.start();
        return { stop: () => consumer.close() };
      },
      async teardown() {
        await producer.close();
        await broker.stop();
      },
    };
  };
}
