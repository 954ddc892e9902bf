// Topics (declared and auto-created), tag filters, keys and properties, and where a new group starts,
// through the official rocketmq-client-nodejs against a broker process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { ClientPool, errorOf, receiveN, receiveNothing, text } from './support/official-clients.js';
import { RawClient } from './support/raw-grpc.js';

const fifoTopic = uniqueName('declared-fifo');
const delayTopic = uniqueName('declared-delay');
let broker: BrokerProcess;
let raw: RawClient;
const clients = new ClientPool(() => broker.endpoint);

before(async () => {
  broker = await startBrokerProcess({ config: { topics: { [fifoTopic]: { messageType: 'FIFO' }, [delayTopic]: { messageType: 'DELAY' } } } });
  raw = new RawClient(broker.endpoint);
});
after(async () => {
  raw?.close();
  await clients.shutdownAll();
  // SIGTERM first: the broker ends the clients' telemetry streams with OK (a SIGKILL could reset a
  // stream the client has half-closed but not yet seen completed, an uncaught error in the client).
  await broker?.stop();
  await broker?.dispose();
});

test('declared topic types are the accepted types of their route; auto-created topics accept every type', async () => {
  assert.deepEqual(await raw.acceptedTypes(fifoTopic), [[2]]);
  assert.deepEqual(await raw.acceptedTypes(delayTopic), [[3]]);
  assert.deepEqual(await raw.acceptedTypes(uniqueName('auto')), [[1, 2, 3, 4]]);
});

test('a topic declared FIFO refuses a NORMAL message and takes a FIFO one', async () => {
  const producer = await clients.producer(fifoTopic);
  // The official client checks the route's accepted types before sending.
  const clientSide = await errorOf(() => producer.send({ topic: fifoTopic, body: Buffer.from('normal') }));
  assert.equal(clientSide.name, 'TypeError');
  assert.match(clientSide.message, /accept message types/i);
  // The broker enforces the type itself, for clients that do not check.
  const brokerSide = await raw.send({ topic: fifoTopic, body: Buffer.from('normal'), type: 'NORMAL' });
  assert.equal(brokerSide?.code, 40014); // MESSAGE_PROPERTY_CONFLICT_WITH_TYPE
  assert.match(brokerSide.message, /accepts FIFO messages, not NORMAL/);

  const receipt = await producer.send({ topic: fifoTopic, body: Buffer.from('fifo'), messageGroup: 'g1' });
  const consumer = await clients.simple(uniqueName('g'), fifoTopic);
  const [message] = await receiveN(consumer, 1);
  assert.equal(message!.messageId, receipt.messageId);
  assert.equal(message!.messageGroup, 'g1');
});

test('an auto-created topic is usable at once and takes NORMAL, FIFO and DELAY messages', async () => {
  const topic = uniqueName('auto');
  const producer = await clients.producer(topic);
  await producer.send({ topic, body: Buffer.from('normal') });
  await producer.send({ topic, body: Buffer.from('fifo'), messageGroup: 'g' });
  await producer.send({ topic, body: Buffer.from('delay'), delay: 10 });
  const consumer = await clients.simple(uniqueName('g'), topic);
  const messages = await receiveN(consumer, 3);
  assert.deepEqual(messages.map(text).sort(), ['delay', 'fifo', 'normal']);
});

test('tag expressions: "*" gets everything, "A || B" only those tags, and a skipped message stays skipped for that group', async () => {
  const topic = uniqueName('tags');
  const producer = await clients.producer(topic);
  await producer.send({ topic, body: Buffer.from('c'), tag: 'C' });
  await producer.send({ topic, body: Buffer.from('untagged') });
  await producer.send({ topic, body: Buffer.from('a'), tag: 'A' });
  await producer.send({ topic, body: Buffer.from('b'), tag: 'B' });

  const all = await clients.simple(uniqueName('all'), topic, '*');
  assert.deepEqual((await receiveN(all, 4)).map(text), ['c', 'untagged', 'a', 'b']);

  const abGroup = uniqueName('ab');
  const ab = await clients.simple(abGroup, topic, 'A || B');
  const got = await receiveN(ab, 2);
  assert.deepEqual(got.map(text), ['a', 'b']);
  assert.deepEqual(got.map((m) => m.tag), ['A', 'B']);
  assert.deepEqual(await receiveNothing(ab), []);
  clients.retire(ab);

  // The same group with a wider filter: C and the untagged message were skipped for good.
  const widened = await clients.simple(abGroup, topic, '*');
  await producer.send({ topic, body: Buffer.from('c-later'), tag: 'C' });
  const [next] = await receiveN(widened, 1);
  assert.equal(text(next!), 'c-later');
  assert.deepEqual(await receiveNothing(widened), []);
});

test('keys and user properties round-trip unchanged', async () => {
  const topic = uniqueName('props');
  const producer = await clients.producer(topic);
  const properties = new Map([
    ['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['unicode', 'zürich ✓ 東京'],
    ['empty', ''],
  ]);
  const receipt = await producer.send({ topic, body: Buffer.from([0, 1, 2, 255]), tag: 'T', keys: ['order-1', 'customer-7'], properties });
  const consumer = await clients.simple(uniqueName('g'), topic);
  const [message] = await receiveN(consumer, 1);
  assert.equal(message!.messageId, receipt.messageId);
  assert.deepEqual(message!.keys, ['order-1', 'customer-7']);
  assert.deepEqual(new Map(message!.properties), properties);
  assert.deepEqual([...message!.body], [0, 1, 2, 255]);
  assert.equal(message!.tag, 'T');
});

test('a new consumer group starts at the earliest retained message', async () => {
  const topic = uniqueName('earliest');
  const producer = await clients.producer(topic);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await producer.send({ topic, body: Buffer.from(`m${i}`) })).messageId);
  // Both groups are created only now, after every message was sent.
  for (const group of [uniqueName('late-a'), uniqueName('late-b')]) {
    const consumer = await clients.simple(group, topic);
    const messages = await receiveN(consumer, 5);
    assert.deepEqual(messages.map((m) => m.messageId), ids);
    assert.deepEqual(messages.map((m) => m.deliveryAttempt), [1, 1, 1, 1, 1]);
  }
});
