// FIFO consumer groups on FIFO topics: per-message-group order, one message of a group in flight at
// a time, other groups unaffected, and the FIFO PushConsumer's dead-letter forwarding, through the
// official rocketmq-client-nodejs against a broker process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConsumeResult, type Producer } from 'rocketmq-client-nodejs';
import { eventually } from '@txmq/test-support';
import { sleep, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { ClientPool, receiveN, receiveNothing, text, watchPolling } from './support/official-clients.js';

const topics = { simple: uniqueName('fifo-simple'), retry: uniqueName('fifo-retry'), push: uniqueName('fifo-push'), dlq: uniqueName('fifo-dlq') };
const groups = { simple: uniqueName('fifo-simple'), retry: uniqueName('fifo-retry'), push: uniqueName('fifo-push'), dlq: uniqueName('fifo-dlq') };
let broker: BrokerProcess;
const clients = new ClientPool(() => broker.endpoint);

before(async () => {
  broker = await startBrokerProcess({
    config: {
      topics: Object.fromEntries(Object.values(topics).map((t) => [t, { messageType: 'FIFO' as const }])),
      groups: {
        [groups.simple]: { fifo: true },
        [groups.retry]: { fifo: true },
        [groups.push]: { fifo: true },
        [groups.dlq]: { fifo: true, maxDeliveryAttempts: 3, retryBackoff: { initialMs: 100, maxMs: 200 } },
      },
    },
  });
});
after(async () => {
  await clients.shutdownAll();
  await broker?.stop(); // SIGTERM ends telemetry streams with OK before the process goes
  await broker?.dispose();
});

async function sendFifo(producer: Producer, topic: string, messages: [group: string, body: string][]): Promise<void> {
  for (const [messageGroup, body] of messages) await producer.send({ topic, body: Buffer.from(body), messageGroup });
}

test('a FIFO group gets nothing more of a message group while one of its messages is unacknowledged; other groups proceed', async () => {
  const topic = topics.simple;
  const producer = await clients.producer(topic);
  await sendFifo(producer, topic, [['A', 'a1'], ['A', 'a2'], ['B', 'b1'], ['B', 'b2']]);
  const consumer = await clients.simple(groups.simple, topic);

  const [a1] = await consumer.receive(1, 30_000);
  assert.equal(text(a1!), 'a1');
  const [b1] = await consumer.receive(1, 30_000);
  assert.equal(text(b1!), 'b1', 'group B is not held up by group A');
  assert.deepEqual(await receiveNothing(consumer, 30_000), [], 'a2 and b2 wait for their predecessors');

  await consumer.ack(a1!);
  const next = await consumer.receive(32, 30_000);
  assert.deepEqual(next.map(text), ['a2'], 'a2 is released by the ack of a1; b2 still waits');
  await consumer.ack(b1!);
  const last = await consumer.receive(32, 30_000);
  assert.deepEqual(last.map(text), ['b2']);
  for (const message of [...next, ...last]) await consumer.ack(message);
  assert.deepEqual(await receiveNothing(consumer), []);
});

test('a FIFO message that times out is redelivered before its successor', async () => {
  const topic = topics.retry;
  const producer = await clients.producer(topic);
  await sendFifo(producer, topic, [['C', 'c1'], ['C', 'c2']]);
  const consumer = await clients.simple(groups.retry, topic);
  const [first] = await consumer.receive(1, 1000);
  assert.equal(text(first!), 'c1');
  // Not acked: the next delivery of group C must be c1 again, never c2.
  const [again] = await receiveN(consumer, 1, { batch: 1, invisibleMs: 30_000, ack: false });
  assert.equal(text(again!), 'c1');
  assert.equal(again!.deliveryAttempt, 2);
  await consumer.ack(again!);
  const [second] = await receiveN(consumer, 1, { ack: true });
  assert.equal(text(second!), 'c2');
});

test('FIFO PushConsumers: per-group send order, never two messages of a group in flight, groups in parallel', async () => {
  const topic = topics.push;
  const inFlight = new Map<string, number>();
  const consumedByGroup = new Map<string, string[]>();
  let overlaps = 0;
  let maxGroupsAtOnce = 0;
  const byConsumer = new Map<string, number>();
  const listener = (name: string) => async (message: { messageGroup?: string; body: Buffer }) => {
    byConsumer.set(name, (byConsumer.get(name) ?? 0) + 1);
    const group = message.messageGroup!;
    inFlight.set(group, (inFlight.get(group) ?? 0) + 1);
    if (inFlight.get(group)! > 1) overlaps++;
    maxGroupsAtOnce = Math.max(maxGroupsAtOnce, [...inFlight.values()].filter((n) => n > 0).length);
    consumedByGroup.set(group, [...(consumedByGroup.get(group) ?? []), message.body.toString()]);
    await sleep(25);
    inFlight.set(group, inFlight.get(group)! - 1);
    return ConsumeResult.SUCCESS;
  };
  // Two consumers of the group, so the broker (not just one client's sequential loop) must keep order.
  const consumers = await Promise.all(['one', 'two'].map((name) => clients.push(groups.push, topic, listener(name), { accelerator: true })));
  const polling = consumers.map(watchPolling);
  await eventually('both consumers polling', () => polling.every((isPolling) => isPolling()), { timeoutMs: 10_000 });
  const producer = await clients.producer(topic);
  const messageGroups = ['G0', 'G1', 'G2', 'G3'];
  const sent: [string, string][] = [];
  for (let i = 0; i < 6; i++) for (const group of messageGroups) sent.push([group, `${group}-${i}`]);
  await sendFifo(producer, topic, sent);

  await eventually('every FIFO message consumed', () => [...consumedByGroup.values()].flat().length >= sent.length, { timeoutMs: 20_000 });
  await sleep(300); // a duplicate delivery would show up here
  for (const group of messageGroups) {
    assert.deepEqual(consumedByGroup.get(group), sent.filter(([g]) => g === group).map(([, body]) => body), `group ${group} in send order, once each`);
  }
  assert.equal(overlaps, 0, 'never two messages of one group at once');
  assert.ok(maxGroupsAtOnce > 1, 'different message groups were consumed at the same time');
  assert.equal(byConsumer.size, 2, 'both consumers of the group took part, so the order was kept across them');
  for (const consumer of consumers) clients.retire(consumer);
});

test('FIFO PushConsumer: a failing message is retried locally, forwarded to the DLQ, and its group moves on', async () => {
  const topic = topics.dlq;
  const events: string[] = [];
  const consumer = await clients.push(groups.dlq, topic, (message) => {
    if (text(message) === 'poison') {
      events.push(`poison#${message.deliveryAttempt}`);
      return ConsumeResult.FAILURE;
    }
    events.push(text(message));
    return ConsumeResult.SUCCESS;
  });
  const producer = await clients.producer(topic);
  const poison = await producer.send({ topic, body: Buffer.from('poison'), messageGroup: 'X' });
  await sendFifo(producer, topic, [['X', 'x2'], ['X', 'x3']]);

  await eventually('the rest of group X consumed', () => events.includes('x3'), { timeoutMs: 15_000 });
  assert.deepEqual(events, ['poison#1', 'poison#2', 'poison#3', 'x2', 'x3']);

  const dlq = await clients.simple(uniqueName('dlq-reader'), `%DLQ%${groups.dlq}`);
  const [dead] = await receiveN(dlq, 1);
  assert.equal(dead!.messageId, poison.messageId);
  assert.equal(text(dead!), 'poison');
  assert.equal(dead!.messageGroup, 'X');
  assert.deepEqual(await receiveNothing(dlq), []);
  clients.retire(consumer);
});
