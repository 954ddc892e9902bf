// Durability across SIGKILL, graceful SIGTERM, and --memory mode, with the official
// rocketmq-client-nodejs against real broker processes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { MessageView } from 'rocketmq-client-nodejs';
import { sleep, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { ClientPool, receiveN, receiveNothing, text } from './support/official-clients.js';

const brokers: BrokerProcess[] = [];
const pools: ClientPool[] = [];
after(async () => {
  await Promise.all(pools.map((pool) => pool.shutdownAll()));
  for (const broker of brokers) {
    if (broker.child.exitCode === null && broker.child.signalCode === null) await broker.stop();
    await broker.dispose();
  }
});

async function start(options: { memory?: boolean } = {}): Promise<{ broker: BrokerProcess; clients: ClientPool }> {
  const broker = await startBrokerProcess(options);
  brokers.push(broker);
  const clients = new ClientPool(() => broker.endpoint);
  pools.push(clients);
  return { broker, clients };
}

function summary(message: MessageView) {
  return { id: message.messageId, body: text(message), tag: message.tag, keys: message.keys, properties: Object.fromEntries(message.properties) };
}

test('after SIGKILL and a restart on the same data dir, every acknowledged send is there exactly as sent and acked messages stay acked', async () => {
  const { broker, clients } = await start();
  const topic = uniqueName('durable');
  const group = uniqueName('g');
  const producer = await clients.producer(topic);
  const sent: ReturnType<typeof summary>[] = [];
  for (let i = 0; i < 30; i++) {
    const body = `message-${i}-${'x'.repeat(i * 10)}`;
    const receipt = await producer.send({ topic, body: Buffer.from(body), tag: `T${i % 3}`, keys: [`k${i}`], properties: new Map([['i', String(i)]]) });
    sent.push({ id: receipt.messageId, body, tag: `T${i % 3}`, keys: [`k${i}`], properties: { i: String(i) } });
  }
  const delayTopic = uniqueName('durable-delay');
  const delayed = await producer.send({ topic: delayTopic, body: Buffer.from('later'), delay: 2500 });

  const consumer = await clients.simple(group, topic);
  const acked = await receiveN(consumer, 10, { batch: 10 });
  assert.deepEqual(acked.map(summary), sent.slice(0, 10));
  const leased = await receiveN(consumer, 5, { batch: 5, ack: false, invisibleMs: 2000 });
  assert.deepEqual(leased.map(summary), sent.slice(10, 15));

  await broker.kill();
  await broker.restart();

  const restarted = await clients.simple(group, topic);
  const rest = await receiveN(restarted, 20, { timeoutMs: 20_000 });
  assert.deepEqual(rest.map(summary).sort((a, b) => a.id.localeCompare(b.id)), sent.slice(10).sort((a, b) => a.id.localeCompare(b.id)));
  assert.deepEqual(rest.slice(5).map(summary), sent.slice(15), 'never-delivered messages in send order');
  assert.ok(rest.slice(0, 5).every((m) => m.deliveryAttempt === 2), 'the leased ones count their delivery before the crash');
  assert.deepEqual(await receiveNothing(restarted), [], 'acked messages are not redelivered');

  const fresh = await clients.simple(uniqueName('fresh'), topic);
  assert.deepEqual((await receiveN(fresh, 30)).map(summary), sent, 'a new group reads all 30 as sent');

  const delayTopicReader = await clients.simple(uniqueName('g'), delayTopic);
  const [late] = await receiveN(delayTopicReader, 1, { timeoutMs: 10_000 });
  assert.equal(late!.messageId, delayed.messageId, 'a delay message scheduled before the crash is still delivered');
});

test('SIGTERM stops the broker promptly with exit code 0, ending a pending long poll, and the data survives', async () => {
  const { broker, clients } = await start();
  const topic = uniqueName('graceful');
  const producer = await clients.producer(topic);
  const receipt = await producer.send({ topic, body: Buffer.from('kept') });
  const group = uniqueName('g');
  const waiting = await clients.simple(group, uniqueName('quiet-topic'), '*', 10_000);
  const pending = waiting.receive(1, 15_000);
  await sleep(300); // let the receive reach the broker and start its 10 s long poll

  const stoppedAt = Date.now();
  assert.equal(await broker.stop(), 0);
  assert.ok(Date.now() - stoppedAt < 5000, `stopped in ${Date.now() - stoppedAt} ms`);
  assert.deepEqual(await pending, [], 'the long poll was answered (empty) rather than cut off');

  await broker.restart();
  const consumer = await clients.simple(group, topic);
  const [message] = await receiveN(consumer, 1);
  assert.equal(message!.messageId, receipt.messageId);
});

test('--memory mode serves clients, writes nothing to the data dir, and forgets everything on restart', async () => {
  const { broker, clients } = await start({ memory: true });
  const topic = uniqueName('memory');
  const producer = await clients.producer(topic);
  for (const body of ['m1', 'm2', 'm3']) await producer.send({ topic, body: Buffer.from(body) });
  const consumer = await clients.simple(uniqueName('g'), topic);
  assert.deepEqual((await receiveN(consumer, 3)).map(text), ['m1', 'm2', 'm3']);
  assert.equal(existsSync(join(broker.dataDir, 'data')), false, 'no store files');

  await clients.shutdownAll();
  assert.equal(await broker.stop(), 0);
  await broker.restart();
  const again = await clients.simple(uniqueName('g'), topic);
  assert.deepEqual(await receiveNothing(again), [], 'an empty topic after restart');
});
