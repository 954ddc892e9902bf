// Per-group max delivery attempts and the dead-letter queue `%DLQ%<group>`, with the official
// SimpleConsumer (not acking) and PushConsumer (returning FAILURE), against a broker process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConsumeResult, type MessageView } from 'rocketmq-client-nodejs';
import { eventually } from '@txmq/test-support';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { ClientPool, receiveN, receiveNothing, text } from './support/official-clients.js';

const simpleGroup = uniqueName('dlq-simple');
const pushGroup = uniqueName('dlq-push');
const limited = { maxDeliveryAttempts: 3, retryBackoff: { initialMs: 100, maxMs: 200 } };
let broker: BrokerProcess;
const clients = new ClientPool(() => broker.endpoint);

before(async () => {
  broker = await startBrokerProcess({ config: { groups: { [simpleGroup]: limited, [pushGroup]: limited } } });
});
after(async () => {
  await clients.shutdownAll();
  await broker?.stop(); // SIGTERM ends telemetry streams with OK before the process goes
  await broker?.dispose();
});

/** Reads the one message of `%DLQ%<group>` as a topic, with a consumer group of its own. */
async function readDeadLetter(group: string): Promise<MessageView> {
  const dlq = await clients.simple(uniqueName('dlq-reader'), `%DLQ%${group}`);
  const [message] = await receiveN(dlq, 1);
  assert.deepEqual(await receiveNothing(dlq), [], 'exactly one message was dead-lettered');
  return message!;
}

test('SimpleConsumer: after maxDeliveryAttempts unacknowledged deliveries the message moves to %DLQ%<group> unchanged', async () => {
  const topic = uniqueName('dlq-simple');
  const producer = await clients.producer(topic);
  const poison = await producer.send({ topic, body: Buffer.from('poison'), tag: 'P', keys: ['k1'], properties: new Map([['origin', 'test']]) });
  await producer.send({ topic, body: Buffer.from('fine') });

  const consumer = await clients.simple(simpleGroup, topic);
  const attempts: number[] = [];
  await eventually(
    'three deliveries of the poison message',
    async () => {
      for (const message of await consumer.receive(32, 1000)) {
        if (text(message) === 'fine') await consumer.ack(message);
        else attempts.push(message.deliveryAttempt!);
      }
      return attempts.length >= 3;
    },
    { timeoutMs: 15_000 },
  );
  assert.deepEqual(attempts, [1, 2, 3]);

  // Like RocketMQ, the group's next receive moves the exhausted message to the DLQ instead of
  // delivering it a fourth time.
  const dlq = await clients.simple(uniqueName('dlq-reader'), `%DLQ%${simpleGroup}`);
  const dead = await eventually('the message in the DLQ', async () => {
    assert.deepEqual(await consumer.receive(32, 1000), [], 'no fourth delivery');
    return (await dlq.receive(32, 15_000))[0];
  }, { timeoutMs: 10_000 });
  await dlq.ack(dead);
  assert.deepEqual(await receiveNothing(dlq), [], 'exactly one message was dead-lettered');
  assert.equal(dead.messageId, poison.messageId);
  assert.equal(text(dead), 'poison');
  assert.equal(dead.topic, `%DLQ%${simpleGroup}`);
  assert.equal(dead.tag, 'P');
  assert.deepEqual(dead.keys, ['k1']);
  assert.equal(dead.properties.get('origin'), 'test');
  assert.equal(dead.properties.get('DLQ_ORIGIN_TOPIC'), topic);
  assert.equal(dead.properties.get('DLQ_ORIGIN_MESSAGE_ID'), poison.messageId);
  assert.equal(dead.deliveryAttempt, 1, 'a fresh delivery in the DLQ');
});

test('PushConsumer: a handler returning FAILURE gets the message again until maxDeliveryAttempts, then it is dead-lettered', async () => {
  const topic = uniqueName('dlq-push');
  const producer = await clients.producer(topic);
  const attempts: number[] = [];
  const succeeded: string[] = [];
  const consumer = await clients.push(pushGroup, topic, (message) => {
    if (text(message) === 'poison') {
      attempts.push(message.deliveryAttempt!);
      return ConsumeResult.FAILURE;
    }
    succeeded.push(text(message));
    return ConsumeResult.SUCCESS;
  });
  const poison = await producer.send({ topic, body: Buffer.from('poison') });
  await producer.send({ topic, body: Buffer.from('ok') });

  const dead = await readDeadLetter(pushGroup);
  assert.equal(dead.messageId, poison.messageId);
  assert.equal(text(dead), 'poison');
  assert.deepEqual(attempts, [1, 2, 3], 'delivered exactly maxDeliveryAttempts times');
  assert.deepEqual(succeeded, ['ok']);
  clients.retire(consumer);
});
