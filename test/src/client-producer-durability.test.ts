import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SimpleConsumer } from 'rocketmq-client-nodejs';
import { createProducer } from '@txmq/broker/client';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

let broker: BrokerProcess;
before(async () => {
  broker = await startBrokerProcess();
});
after(async () => {
  await broker.stop();
  await broker.dispose();
});

test('broker SIGKILL under load from the batching producer: every acknowledged send is read back after the restart', async () => {
  const topic = uniqueName('kill');
  const producer = createProducer({ endpoints: broker.endpoint, topics: [topic], logger: quietLogger, maxAttempts: 1 });
  await producer.start();
  const acked: string[] = [];
  let failed = 0;
  let sending = true;
  const sender = async (worker: number) => {
    for (let i = 0; sending; i++) {
      await producer.send({ topic, body: `w${worker}-${i}` }).then((r) => acked.push(r.messageId), () => failed++);
    }
  };
  const workers = Array.from({ length: 64 }, (_, w) => sender(w));
  while (acked.length < 1000) await new Promise(setImmediate);
  await broker.kill();
  sending = false;
  await Promise.all(workers);
  await producer.close();
  // The workers kept sending until the broker was dead: the sends it could no longer answer failed.
  assert.ok(failed > 0, `sends were in flight when the broker died (${acked.length} acknowledged, none failed)`);

  await broker.restart();
  const consumer = new SimpleConsumer({ endpoints: broker.endpoint, namespace: '', consumerGroup: uniqueName('g'), subscriptions: new Map([[topic, '*']]), awaitDuration: 2000, logger: quietLogger });
  await consumer.startup();
  try {
    // Sends the broker stored but could not acknowledge may be read back too: read until every
    // acknowledged one is there, or until nothing more comes.
    const ids = new Set<string>();
    const missing = () => acked.filter((id) => !ids.has(id));
    for (let empty = 0; missing().length > 0 && empty < 3;) {
      const batch = await consumer.receive(32, 30_000);
      empty = batch.length === 0 ? empty + 1 : 0;
      for (const message of batch) {
        ids.add(message.messageId);
        await consumer.ack(message);
      }
    }
    assert.deepEqual(missing(), [], `${missing().length} of ${acked.length} acknowledged sends were lost`);
  } finally {
    await consumer.shutdown();
  }
});
