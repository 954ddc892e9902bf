// Clustering and broadcasting delivery, invisibility and redelivery, changeInvisibleDuration and
// stale receipt handles, through the official rocketmq-client-nodejs against a broker process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConsumeResult, type MessageView } from 'rocketmq-client-nodejs';
import { eventually } from '@txmq/test-support';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { ClientPool, errorOf, receiveN, receiveNothing, text } from './support/official-clients.js';

const broadcastGroup = uniqueName('broadcast');
let broker: BrokerProcess;
const clients = new ClientPool(() => broker.endpoint);

before(async () => {
  broker = await startBrokerProcess({ config: { groups: { [broadcastGroup]: { broadcast: true } } } });
});
after(async () => {
  await clients.shutdownAll();
  await broker?.stop(); // SIGTERM ends telemetry streams with OK before the process goes
  await broker?.dispose();
});

async function sendAll(topic: string, bodies: string[]): Promise<string[]> {
  const producer = await clients.producer(topic);
  const ids: string[] = [];
  for (const body of bodies) ids.push((await producer.send({ topic, body: Buffer.from(body) })).messageId);
  return ids;
}

test('clustering: consumers of one group share the messages, each delivered to exactly one; another group gets every message', async () => {
  const topic = uniqueName('cluster');
  const ids = await sendAll(topic, Array.from({ length: 20 }, (_, i) => `m${i}`));
  const group = uniqueName('shared');
  const first = await clients.simple(group, topic);
  const second = await clients.simple(group, topic);

  // Alternate receives; `first` keeps its first batch unacknowledged (invisible, so not handed to `second`).
  const byConsumer = new Map<string, string[]>([['first', []], ['second', []]]);
  const unacked: MessageView[] = [];
  for (let round = 0; round < 2; round++) {
    for (const [name, consumer] of [['first', first], ['second', second]] as const) {
      const batch = await consumer.receive(5, 30_000);
      assert.equal(batch.length, 5, `${name} got a full batch in round ${round}`);
      byConsumer.get(name)!.push(...batch.map((m) => m.messageId));
      for (const message of batch) {
        if (name === 'first' && round === 0) unacked.push(message);
        else await consumer.ack(message);
      }
    }
  }
  const all = [...byConsumer.get('first')!, ...byConsumer.get('second')!];
  assert.equal(new Set(all).size, 20, 'no message was handed to both consumers');
  assert.deepEqual([...all].sort(), [...ids].sort());
  assert.deepEqual(await receiveNothing(second), [], 'nothing left for the group, the unacked batch is invisible');
  for (const message of unacked) await first.ack(message);

  const other = await clients.simple(uniqueName('other'), topic);
  const everything = await receiveN(other, 20);
  assert.deepEqual(everything.map((m) => m.messageId), ids);
});

test('broadcasting: every PushConsumer instance of a broadcast group gets every message sent after it started', async () => {
  const topic = uniqueName('broadcast');
  const producer = await clients.producer(topic);
  await producer.send({ topic, body: Buffer.from('before') });

  const seen = [new Array<string>(), new Array<string>()];
  const consumers = await Promise.all(
    seen.map((into) =>
      clients.push(broadcastGroup, topic, (message) => {
        into.push(text(message));
        return ConsumeResult.SUCCESS;
      }),
    ),
  );
  const bodies = ['b0', 'b1', 'b2', 'b3', 'b4'];
  for (const body of bodies) await producer.send({ topic, body: Buffer.from(body) });
  await eventually('both instances to receive all messages', () => seen.every((s) => s.length >= bodies.length), { timeoutMs: 15_000 });
  for (const s of seen) assert.deepEqual([...s].sort(), bodies, 'each instance got each message once, and not the earlier one');
  for (const consumer of consumers) clients.retire(consumer);
});

test('an unacknowledged message is redelivered after its invisible duration with an increasing deliveryAttempt; stale handles are refused', async () => {
  const topic = uniqueName('invisible');
  const [id] = await sendAll(topic, ['again']);
  const consumer = await clients.simple(uniqueName('g'), topic);

  const deliveries: { message: MessageView; at: number }[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [message] = await receiveN(consumer, 1, { invisibleMs: 1500, ack: false });
    deliveries.push({ message: message!, at: Date.now() });
    assert.equal(message!.messageId, id);
    assert.equal(message!.deliveryAttempt, attempt);
  }
  for (let i = 1; i < deliveries.length; i++) {
    const gap = deliveries[i]!.at - deliveries[i - 1]!.at;
    assert.ok(gap >= 1400, `redelivered only after the invisible duration (gap ${gap} ms)`);
  }

  const stale = await errorOf(() => consumer.ack(deliveries[0]!.message));
  assert.equal(stale.name, 'BadRequestException');
  assert.equal(stale.code, 40013); // INVALID_RECEIPT_HANDLE
  const latest = deliveries[2]!.message;
  await consumer.ack(latest);
  const again = await errorOf(() => consumer.ack(latest));
  assert.equal(again.code, 40013, 'an acknowledged message cannot be acknowledged again');
  assert.deepEqual(await receiveNothing(consumer), []);
});

test('changeInvisibleDuration extends the invisibility and returns a new receipt handle', async () => {
  const topic = uniqueName('extend');
  await sendAll(topic, ['slow']);
  const consumer = await clients.simple(uniqueName('g'), topic);
  const [message] = await receiveN(consumer, 1, { invisibleMs: 1000, ack: false });
  const before = message!.receiptHandle;
  await consumer.changeInvisibleDuration(message!, 5000);
  assert.notEqual(message!.receiptHandle, before, 'the client now holds the new handle');
  // Two long polls (about 2 s) would see the message again had it stayed at 1 s.
  assert.deepEqual(await receiveNothing(consumer), []);
  assert.deepEqual(await receiveNothing(consumer), []);
  await consumer.ack(message!);
  assert.deepEqual(await receiveNothing(consumer), []);
});

test('changeInvisibleDuration can bring a redelivery forward (a nack), and the earlier handle goes stale', async () => {
  const topic = uniqueName('nack');
  await sendAll(topic, ['retry-me']);
  const consumer = await clients.simple(uniqueName('g'), topic);
  const [first] = await receiveN(consumer, 1, { invisibleMs: 60_000, ack: false });
  const nackedAt = Date.now();
  await consumer.changeInvisibleDuration(first!, 0);
  const [second] = await receiveN(consumer, 1, { invisibleMs: 60_000, ack: false, timeoutMs: 8000 });
  assert.ok(Date.now() - nackedAt < 8000, 'redelivered long before the original 60 s');
  assert.equal(second!.messageId, first!.messageId);
  assert.equal(second!.deliveryAttempt, 2);
  assert.equal((await errorOf(() => consumer.ack(first!))).code, 40013);
  await consumer.ack(second!);
});
