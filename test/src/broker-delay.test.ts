// Delay messages (`delay` and `deliveryTimestamp`) and recallMessage, through the official
// rocketmq-client-nodejs against a broker process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MessageView } from 'rocketmq-client-nodejs';
import { eventually } from '@txmq/test-support';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { ClientPool, errorOf, receiveNothing, text } from './support/official-clients.js';

let broker: BrokerProcess;
const clients = new ClientPool(() => broker.endpoint);

before(async () => {
  broker = await startBrokerProcess();
});
after(async () => {
  await clients.shutdownAll();
  await broker?.stop(); // SIGTERM ends telemetry streams with OK before the process goes
  await broker?.dispose();
});

test('delay messages are not delivered before their time, and are delivered after it', async () => {
  const topic = uniqueName('delay');
  const producer = await clients.producer(topic);
  const consumer = await clients.simple(uniqueName('g'), topic, '*', 500);
  const sentAt = Date.now();
  const byDelay = await producer.send({ topic, body: Buffer.from('by-delay'), delay: 1500 });
  const at = new Date(Date.now() + 2000);
  await producer.send({ topic, body: Buffer.from('by-timestamp'), deliveryTimestamp: at });
  await producer.send({ topic, body: Buffer.from('now') });
  assert.ok(byDelay.recallHandle, 'a delay message gets a recall handle');

  const received: { message: MessageView; at: number }[] = [];
  await eventually(
    'all three messages',
    async () => {
      for (const message of await consumer.receive(32, 15_000)) {
        received.push({ message, at: Date.now() });
        await consumer.ack(message);
      }
      return received.length >= 3;
    },
    { timeoutMs: 10_000 },
  );
  assert.deepEqual(received.map((r) => text(r.message)), ['now', 'by-delay', 'by-timestamp']);
  const [, delayed, timed] = received;
  assert.ok(delayed!.at - sentAt >= 1500, `'by-delay' arrived ${delayed!.at - sentAt} ms after sending`);
  assert.ok(delayed!.at >= delayed!.message.deliveryTimestamp!.getTime());
  assert.equal(timed!.message.deliveryTimestamp!.getTime(), at.getTime());
  assert.ok(timed!.at >= at.getTime(), `'by-timestamp' arrived ${at.getTime() - timed!.at} ms early`);
  assert.ok(timed!.at < at.getTime() + 3000, 'and not much later');
});

test('a delivery time more than 24 h ahead is refused', async () => {
  const topic = uniqueName('far');
  const producer = await clients.producer(topic);
  const error = await errorOf(() => producer.send({ topic, body: Buffer.from('too late'), delay: 25 * 3_600_000 }));
  assert.equal(error.name, 'BadRequestException');
  assert.equal(error.code, 40012); // ILLEGAL_DELIVERY_TIME
  assert.match(error.message, /more than 24 h ahead/);
});

test('recallMessage cancels a waiting delay message, which never arrives; recalling again fails', async () => {
  const topic = uniqueName('recall');
  const producer = await clients.producer(topic);
  const consumer = await clients.simple(uniqueName('g'), topic, '*', 500);
  const recalled = await producer.send({ topic, body: Buffer.from('recalled'), delay: 1000 });
  const kept = await producer.send({ topic, body: Buffer.from('kept'), delay: 1200 });

  const receipt = await producer.recallMessage(topic, recalled.recallHandle);
  assert.equal(receipt.messageId, recalled.messageId);
  const twice = await errorOf(() => producer.recallMessage(topic, recalled.recallHandle));
  assert.match(twice.message, /Failed to recall message: .*already delivered or recalled/);

  // 'kept' is due after 'recalled' would have been: once it is here, 'recalled' is not coming.
  const got: string[] = [];
  await eventually(
    'the kept delay message',
    async () => {
      for (const message of await consumer.receive(32, 15_000)) {
        got.push(text(message));
        await consumer.ack(message);
      }
      return got.includes('kept');
    },
    { timeoutMs: 10_000 },
  );
  assert.deepEqual(got, ['kept']);
  assert.deepEqual(await receiveNothing(consumer), []);
  // Too late to recall a delivered message.
  await assert.rejects(producer.recallMessage(topic, kept.recallHandle), /Failed to recall message/);
});
