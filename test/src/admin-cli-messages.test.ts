// Message query and trace, groups with lag, dead letters and group resets through the CLI
// (spawned as users run it) against a broker process fed by the official RocketMQ client: a
// message delivered twice and dead-lettered, its trace, its resend, a replay from a time. The
// broker README's commands for them are all run here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MessageView } from 'rocketmq-client-nodejs';
import { eventually } from '@txmq/test-support';
import { AdminCli } from './support/admin-cli.js';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { ClientPool, text } from './support/official-clients.js';

const topic = uniqueName('admin-orders');
const group = uniqueName('admin-billing');
let broker: BrokerProcess;
const cli = new AdminCli(() => broker.endpoint);
const clients = new ClientPool(() => broker.endpoint);

before(async () => {
  broker = await startBrokerProcess();
});
after(async () => {
  await clients.shutdownAll();
  await broker?.stop();
  await broker?.dispose();
});

let sentAt: Date;
let first: string;
let poison: string;
let last: string;

test('message: by id, by key, by store time; nothing found exits 1', async () => {
  const created = await cli.json('groups', 'create', group, '--max-delivery-attempts', '2', '--retry-initial-ms', '100', '--retry-max-ms', '200');
  assert.deepEqual([created.code, created.doc.maxDeliveryAttempts, created.doc.origin], [0, 2, 'admin'], created.stderr);
  sentAt = new Date(Date.now() - 1000);
  const producer = await clients.producer(topic);
  first = (await producer.send({ topic, keys: ['order-1'], tag: 'created', body: Buffer.from('first') })).messageId;
  poison = (await producer.send({ topic, keys: ['order-42'], tag: 'poison', body: Buffer.from('{"poison":true}') })).messageId;
  last = (await producer.send({ topic, keys: ['order-3'], body: Buffer.from('last') })).messageId;

  const [byId, byKey, byTime, none] = await Promise.all([
    cli.json('message', '--id', first),
    cli.run('message', '--topic', topic, '--key', 'order-42'),
    cli.json('message', '--topic', topic, '--from', sentAt.toISOString(), '--to', new Date(Date.now() + 1000).toISOString()),
    cli.json('message', '--topic', topic, '--key', 'no-such-key'),
  ]);
  assert.equal(byId.code, 0, byId.stderr);
  const [message] = byId.doc.items;
  assert.deepEqual([message.messageId, message.topic, message.keys, message.tag, message.body, message.bodySize], [first, topic, ['order-1'], 'created', 'first', 5]);
  assert.ok(Date.parse(message.storedAt) >= sentAt.getTime(), message.storedAt);
  assert.match(message.storedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  assert.equal(byKey.code, 0, byKey.stderr);
  assert.match(byKey.stdout, new RegExp(`^message ${poison}\\n {2}topic +${topic} \\(queue \\d, offset 1\\)\\n`));
  assert.match(byKey.stdout, /\n {2}body +15 bytes: \{"poison":true\}\n$/);

  assert.deepEqual(byTime.doc.items.map((m: { messageId: string }) => m.messageId), [first, poison, last]);
  assert.deepEqual([none.code, none.doc.error.code], [1, 'MESSAGE_NOT_FOUND']);
});

test('groups shows lag and in-flight; a message delivered twice is dead-lettered, and its trace shows each step in order', async () => {
  const before = await cli.json('groups', group);
  assert.deepEqual([before.doc.lag, before.doc.inFlight, before.doc.deadLetters], [0, 0, 0], 'no subscription yet');

  const consumer = await clients.simple(group, topic);
  const attempts: number[] = [];
  const acked: string[] = [];
  let online: any;
  await eventually(
    'two deliveries of the poison message',
    async () => {
      for (const message of await consumer.receive(32, 1000)) {
        if (message.messageId === poison) attempts.push(message.deliveryAttempt!);
        else {
          await consumer.ack(message);
          acked.push(message.messageId);
        }
      }
      if (attempts.length === 1 && !online) online = (await cli.json('groups', group)).doc;
      return attempts.length >= 2;
    },
    { timeoutMs: 15_000 },
  );
  assert.deepEqual(attempts, [1, 2]);
  assert.deepEqual(online && [online.consumersOnline, online.inFlight, online.subscriptions[0].topic], [1, 1, topic], 'the poison message in flight');
  await eventually('the poison message in the DLQ', async () => {
    assert.deepEqual(await consumer.receive(32, 1000), [], 'no third delivery');
    return (await cli.json('groups', group)).doc.deadLetters === 1;
  }, { timeoutMs: 15_000 });

  const [table, described, trace, human, unknownTrace] = await Promise.all([
    cli.run('groups'),
    cli.run('groups', group),
    cli.json('trace', poison),
    cli.run('trace', poison),
    cli.json('trace', 'F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0'),
  ]);
  assert.match(table.stdout, /^NAME +TYPE +ONLINE +LAG +IN FLIGHT +DLQ +MAX ATTEMPTS +ORIGIN\n/);
  assert.match(table.stdout, new RegExp(`\\n${group} +concurrent +1 +0 +0 +1 +2 +admin\\n`));
  assert.match(described.stdout, new RegExp(`\\n${topic} +${group} +3 +3 +0 +0`));

  assert.equal(trace.code, 0, trace.stderr);
  assert.equal(trace.doc.messageId, poison);
  const events: { type: string; at: string; group?: string; clientId?: string; attempt?: number }[] = trace.doc.events;
  const times = events.map((e) => Date.parse(e.at));
  assert.deepEqual(times, [...times].sort((a, b) => a - b), 'in time order');
  assert.deepEqual(events.map((e) => [e.type, e.attempt ?? null]), [
    ['sent', null],
    ['stored', null],
    ['delivered', 1],
    ['redelivered', 2],
    ['delivered', 2],
    ['dead-lettered', 2],
    ['stored', null],
  ]);
  assert.match(events[0]!.clientId ?? '', /\S/, 'sent by the producer, named by its client id');
  assert.deepEqual([events[2]!.group, events[4]!.group, events[5]!.group], [group, group, group]);
  assert.ok(events.filter((e) => e.type === 'delivered').every((e) => e.clientId && e.clientId !== events[0]!.clientId), 'deliveries name the consumer');
  assert.match(human.stdout, /\nAT +EVENT +TOPIC +GROUP +CLIENT +ATTEMPT +NOTE\n/);
  assert.equal(unknownTrace.doc.error.code, 'MESSAGE_NOT_FOUND');
  clients.retire(consumer);
});

test('dlq: the dead letter with its origin; resend puts it back in its topic once', async () => {
  const [listed, table] = await Promise.all([cli.json('dlq', group), cli.run('dlq', group)]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(
    listed.doc.items.map((d: any) => [d.message.messageId, d.message.topic, d.message.deadLetter.originTopic, d.resentAt]),
    [[poison, `%DLQ%${group}`, topic, null]],
  );
  assert.match(table.stdout, new RegExp(`^MESSAGE ID +ORIGIN TOPIC +DEAD-LETTERED +RESENT +TAG +KEYS +BODY\\n${poison} +${topic} +\\S+Z +- +poison +order-42 +\\{"poison":true\\}\\n?$`));

  const resent = await cli.run('dlq', 'resend', group, poison);
  assert.equal(resent.code, 0, resent.stderr);
  assert.match(resent.stdout, new RegExp(`^message ${poison} resent from %DLQ%${group} to ${topic} \\(offset 3\\)\\n$`));
  const [twice, relisted, copies] = await Promise.all([cli.json('dlq', 'resend', group, poison), cli.json('dlq', group), cli.json('message', '--id', poison)]);
  assert.deepEqual([twice.code, twice.doc.error.code], [1, 'PRECONDITION_FAILED']);
  assert.ok(relisted.doc.items[0].resentAt, 'the listing shows when it was resent');
  assert.deepEqual(copies.doc.items.map((m: { topic: string }) => m.topic).sort(), [topic, topic, `%DLQ%${group}`].sort(), 'the original, the DLQ copy and the resend');
  const consumer = await clients.simple(group, topic);
  const [again] = await receiveBodies(consumer, 1);
  assert.equal(again!.messageId, poison, 'the group gets the resent message');
  clients.retire(consumer);
});

test('reset: to a time replays the group from there; to the end skips the backlog', async () => {
  const replay = await cli.json('reset', group, '--to', sentAt.toISOString());
  assert.equal(replay.code, 0, replay.stderr);
  assert.deepEqual(replay.doc, { group, subscriptions: [{ topic, consumer: group, from: 4, to: 0 }] });
  const consumer = await clients.simple(group, topic);
  const replayed = await receiveBodies(consumer, 4);
  assert.deepEqual(replayed.map(text), ['first', '{"poison":true}', 'last', '{"poison":true}']);

  const producer = await clients.producer(topic);
  await producer.send({ topic, body: Buffer.from('backlog') });
  assert.equal((await cli.json('groups', group)).doc.lag, 1);
  const skip = await cli.run('reset', group, '--to', 'end', '--topic', topic);
  assert.equal(skip.code, 0, skip.stderr);
  assert.match(skip.stdout, new RegExp(`^consumer group ${group} reset to the end\\nTOPIC +CONSUMER +FROM OFFSET +TO OFFSET\\n${topic} +${group} +4 +5\\n$`));
  assert.equal((await cli.json('groups', group)).doc.lag, 0);
  assert.deepEqual(await consumer.receive(32, 1000), [], 'the backlog was skipped');
  clients.retire(consumer);
});

test("the README's message, group lag, dead-letter and reset commands were all run", () => {
  cli.assertReadmeRan(['Where did message X go?', 'Why is group G behind?', 'Dead letters, and replaying a group']);
});

/** Receives and acks `count` messages of `consumer`'s group. */
async function receiveBodies(consumer: Awaited<ReturnType<ClientPool['simple']>>, count: number): Promise<MessageView[]> {
  const received: MessageView[] = [];
  await eventually(`${count} messages`, async () => {
    for (const message of await consumer.receive(32, 15_000)) {
      received.push(message);
      await consumer.ack(message);
    }
    return received.length >= count;
  }, { timeoutMs: 15_000 });
  return received;
}
