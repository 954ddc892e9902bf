// The typed client's own consumers against a broker process: batched receives and acks of the
// simple consumer, a changed receipt handle, and the push consumer's FIFO order per message group.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createProducer, createPushConsumer, createSimpleConsumer, InvalidRequestError, type ReceivedMessage, type TxmqProducer } from '@txmq/broker/client';
import { eventually } from '@txmq/test-support';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

const FIFO_GROUP = 'fifo-consumers';
let broker: BrokerProcess;
let producer: TxmqProducer;
before(async () => {
  broker = await startBrokerProcess({
    memory: true,
    config: { pushLongPollingMs: 1000, minInvisibleMs: 500, groups: { [FIFO_GROUP]: { fifo: true, retryBackoff: { initialMs: 100, maxMs: 200 } } } },
  });
  producer = createProducer({ endpoints: broker.endpoint, logger: quietLogger });
});
after(async () => {
  await producer.close();
  await broker.dispose();
});

test('a simple consumer receives up to 32 at once, and acks made together all settle; acked messages do not come back', async () => {
  const topic = uniqueName('simple');
  const consumer = createSimpleConsumer({ endpoints: broker.endpoint, group: uniqueName('g'), subscriptions: { [topic]: '*' }, awaitMs: 1000, logger: quietLogger });
  try {
    await assert.rejects(consumer.receive(33), (e: unknown) => e instanceof InvalidRequestError && e.code === 'BAD_REQUEST' && /1 to 32/.test(e.message));
    await assert.rejects(consumer.receive(0), InvalidRequestError);
    const bodies = Array.from({ length: 40 }, (_, i) => `m${i}`);
    await Promise.all(bodies.map((body) => producer.send({ topic, body })));
    const received: ReceivedMessage[] = [];
    await eventually('every message', async () => {
      const batch = await consumer.receive(32, 5000);
      assert.ok(batch.length <= 32);
      received.push(...batch);
      await Promise.all(batch.map((message) => consumer.ack(message)));
      return received.length >= bodies.length;
    }, { timeoutMs: 15_000 });
    assert.deepEqual(received.map((m) => m.body.toString()).sort(), [...bodies].sort());
    assert.ok(received.every((m) => m.deliveryAttempt === 1 && m.bornAt.getTime() > 0));
    await assert.rejects(consumer.ack(received[0]!), (e: unknown) => e instanceof InvalidRequestError && e.code === 'INVALID_RECEIPT_HANDLE');
    assert.deepEqual(await consumer.receive(32, 1000), [], 'nothing is redelivered');
  } finally {
    await consumer.close();
  }
});

test('after changeInvisibleDuration the message comes back when the new time runs out, and an ack then uses the new handle', async () => {
  const topic = uniqueName('change');
  const consumer = createSimpleConsumer({ endpoints: broker.endpoint, group: uniqueName('g'), subscriptions: { [topic]: '*' }, awaitMs: 1000, logger: quietLogger });
  try {
    await producer.send({ topic, body: 'later' });
    const first = await eventually('the message', async () => (await consumer.receive(1, 30_000))[0], { timeoutMs: 10_000 });
    await consumer.changeInvisibleDuration(first, 30_000);
    await consumer.ack(first);
    assert.deepEqual(await consumer.receive(1, 1000), [], 'acked with the new handle: not redelivered');

    await producer.send({ topic, body: 'again' });
    const second = await eventually('the second message', async () => (await consumer.receive(1, 30_000))[0], { timeoutMs: 10_000 });
    await consumer.changeInvisibleDuration(second, 500);
    const redelivered = await eventually('the redelivery', async () => (await consumer.receive(1, 30_000))[0], { timeoutMs: 10_000 });
    assert.equal(redelivered.messageId, second.messageId);
    assert.equal(redelivered.deliveryAttempt, 2);
    await consumer.ack(redelivered);
  } finally {
    await consumer.close();
  }
});

test('a push consumer of a FIFO group handles each message group in order, a failure retried in place, while other groups go on', async () => {
  const topic = uniqueName('fifo');
  const calls: string[] = [];
  let running = 0;
  let peak = 0;
  const consumer = createPushConsumer({
    endpoints: broker.endpoint,
    group: FIFO_GROUP,
    subscriptions: { [topic]: '*' },
    logger: quietLogger,
    requestTimeoutMs: 1000,
    concurrency: 4,
    receiveBatchSize: 8,
    handler: async (message) => {
      running++;
      peak = Math.max(peak, running);
      calls.push(`${message.messageGroup}:${message.body.toString()}#${message.deliveryAttempt}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      if (message.body.toString() === 'a1' && message.deliveryAttempt === 1) throw new Error('first try of a1');
    },
    onHandlerError: () => undefined,
  });
  try {
    await consumer.start();
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic, body: `a${i}`, messageGroup: 'a' });
      await producer.send({ topic, body: `b${i}`, messageGroup: 'b' });
    }
    await eventually('every message handled', () => ['a', 'b'].every((g) => calls.includes(`${g}:${g}4#1`)), { timeoutMs: 20_000 });
    const of = (group: string) => calls.filter((c) => c.startsWith(`${group}:`));
    assert.deepEqual(of('a'), ['a:a0#1', 'a:a1#1', 'a:a1#2', 'a:a2#1', 'a:a3#1', 'a:a4#1']);
    assert.deepEqual(of('b'), ['b:b0#1', 'b:b1#1', 'b:b2#1', 'b:b3#1', 'b:b4#1']);
    assert.ok(peak <= 2, `one handler per message group at a time (saw ${peak} at once)`);
    const whileA1Waited = calls.slice(calls.indexOf('a:a1#1') + 1, calls.indexOf('a:a1#2'));
    assert.ok(whileA1Waited.some((c) => c.startsWith('b:')), `group b went on while a1 waited for its retry (${calls.join(' ')})`);
  } finally {
    await consumer.close();
  }
});
