// The consumers against a fake proxy whose AckMessage answers like RocketMQ 5 in batch-ack mode
// with auto-renew: entries reordered, MULTIPLE_RESULTS, the handles the proxy renewed itself,
// an expired and a failed entry. Each ack() settles with its own entry.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BrokerRefusedError, createPushConsumer, createSimpleConsumer, type ReceivedMessage } from '../src/client/index.js';
import { FakeConsumerProxy, wireDelivery } from './fake-consumer-proxy.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let fake: FakeConsumerProxy;
before(async () => {
  fake = new FakeConsumerProxy();
  await fake.start();
});
after(() => fake.stop());

function reset(): void {
  fake.acks.length = 0;
  fake.ackAnswers.length = 0;
  fake.behaviour.expiredHandles.clear();
  fake.behaviour.failingIds.clear();
  fake.behaviour.renewed.clear();
}

/** Holds the fake's AckMessage answers until the returned function is called. */
function holdAcks(): () => void {
  let release!: () => void;
  fake.hold = new Promise<void>((resolve) => (release = resolve));
  return () => {
    fake.hold = undefined;
    release();
  };
}

test('a proxy in batch-ack mode (entries reordered, MULTIPLE_RESULTS, renewed handles, an expired and a failed entry): each ack() settles with its own entry', async () => {
  reset();
  const topic = 'orders';
  const consumer = createSimpleConsumer({ endpoints: fake.endpoint, group: 'billing', subscriptions: { [topic]: '*' }, awaitMs: 1000, logger: quiet });
  try {
    fake.deliver(...[1, 2, 3, 4, 5, 6].map((n) => wireDelivery(topic, `m${n}`, `h${n}`)));
    const received = await consumer.receive(32, 30_000);
    assert.deepEqual(received.map((m) => m.messageId), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    fake.behaviour.expiredHandles.add('h3');
    fake.behaviour.failingIds.add('m5');
    // The proxy acked these with the handles it renewed itself (auto-renew), and answers with those.
    fake.behaviour.renewed.set('h2', 'h2-renewed').set('h4', 'h4-renewed').set('h5', 'h5-renewed');

    const release = holdAcks();
    const byId = new Map<string, Promise<void>>();
    const ack = (message: ReceivedMessage) => byId.set(message.messageId, consumer.ack(message));
    ack(received[0]!);
    await fake.until(() => fake.acks.length === 1);
    for (const message of received.slice(1)) ack(message);
    release();
    const outcomes = Object.fromEntries(await Promise.all([...byId].map(async ([id, done]) => [id, await done.then(() => 'acked', (e: unknown) => e)] as const)));

    assert.equal(fake.acks.length, 2, 'the acks made while the first was in flight went in one request');
    assert.deepEqual(fake.acks[1]!.entries!.map((e) => [e.messageId, e.receiptHandle]), [['m2', 'h2'], ['m3', 'h3'], ['m4', 'h4'], ['m5', 'h5'], ['m6', 'h6']]);
    assert.equal(fake.acks[1]!.group!.name, 'billing');
    assert.equal(fake.acks[1]!.topic!.name, topic);
    const answer = fake.ackAnswers[1]!;
    assert.equal(answer.status!.code, 30000, 'the top-level status says MULTIPLE_RESULTS');
    assert.deepEqual(answer.entries!.map((e) => e.messageId), ['m3', 'm6', 'm5', 'm4', 'm2'], 'the answer is not in request order');

    assert.equal(outcomes.m1, 'acked');
    assert.equal(outcomes.m2, 'acked', 'an entry answered with a renewed handle is matched by its message id');
    assert.equal(outcomes.m4, 'acked');
    assert.equal(outcomes.m6, 'acked');
    const expired = outcomes.m3 as BrokerRefusedError;
    assert.ok(expired instanceof BrokerRefusedError, String(expired));
    assert.equal(expired.code, 'INVALID_RECEIPT_HANDLE');
    assert.match(expired.message, /m3/);
    const failed = outcomes.m5 as BrokerRefusedError;
    assert.ok(failed instanceof BrokerRefusedError, String(failed));
    assert.equal(failed.code, 'INTERNAL_SERVER_ERROR');
    assert.match(failed.message, /m5.*status is abnormal/);
  } finally {
    await consumer.close();
  }
});

test('a push consumer against a proxy in batch-ack mode: acks of concurrent handlers are batched; only the failed entry is acked again, an expired one is not', async () => {
  reset();
  const topic = 'payments';
  const ids = Array.from({ length: 12 }, (_, i) => `p${i}`);
  const handled: string[] = [];
  const consumer = createPushConsumer({
    endpoints: fake.endpoint,
    group: 'ledger',
    subscriptions: { [topic]: '*' },
    concurrency: 4,
    logger: quiet,
    handler: async (message) => {
      handled.push(message.messageId);
      await new Promise(setImmediate);
    },
  });
  fake.behaviour.failingIds.add('p7');
  fake.behaviour.expiredHandles.add('hp3');
  for (const id of ids) fake.behaviour.renewed.set(`h${id}`, `h${id}-renewed`);
  try {
    await consumer.start();
    fake.deliver(...ids.map((id) => wireDelivery(topic, id, `h${id}`)));
    await fake.until(() => handled.length === ids.length && fake.ackAnswers.some((a) => a.entries!.some((e) => e.messageId === 'p7' && e.status!.code === 20000)));
  } finally {
    await consumer.close();
  }
  const ackedEntries = fake.acks.flatMap((request) => request.entries!.map((e) => e.messageId!));
  assert.ok(fake.acks.length < ids.length, `${ids.length} acks in ${fake.acks.length} requests`);
  assert.deepEqual([...handled].sort(), [...ids].sort(), 'each message handled once');
  const count = (id: string) => ackedEntries.filter((e) => e === id).length;
  assert.equal(count('p7'), 2, 'the entry that failed was acknowledged again');
  assert.equal(count('p3'), 1, 'an expired handle is not retried');
  for (const id of ids.filter((i) => i !== 'p7')) assert.equal(count(id), 1, `${id} acknowledged once: its own entry said OK (or expired)`);
});
