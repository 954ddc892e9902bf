// Every `txmq-broker admin` operation through the CLI (spawned as users run it) against a broker
// process fed by the official RocketMQ client: topics, groups with lag, message query, a message's
// trace through two deliveries and the DLQ, DLQ list and resend, group resets, parked
// transactions. The README's operator section shows no command this file does not run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { MessageView } from 'rocketmq-client-nodejs';
import { eventually } from '@txmq/test-support';
import { checkedProducer, UNKNOWN, type Closable } from './fixtures/transaction-helpers.js';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { ClientPool, text } from './support/official-clients.js';
import { codeBlocks, readRepoFile, REPO_ROOT } from './support/readmes.js';

const BIN = join(REPO_ROOT, 'packages/broker/bin/txmq-broker.js');
/** Positionals that name an action rather than a topic, group or id. */
const ACTIONS = new Set(['create', 'update', 'resend', 'list', 'commit', 'rollback']);
/** Options that take no value. */
const FLAGS = new Set(['--fifo', '--no-fifo', '--broadcast', '--no-broadcast', '--parked', '--full-body', '--json', '--help']);
/** Options every command takes: not part of a command's shape. */
const COMMON = new Set(['--endpoint', '--json', '--timeout-ms', '--page-size', '--page-token']);

/** `topics create <arg> --message-type --queues`: what a command line does, without its values. */
function shape(args: readonly string[]): string {
  const words: string[] = [];
  const options: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--')) {
      if (!COMMON.has(arg)) options.push(arg);
      if (!FLAGS.has(arg)) i++;
    } else words.push(words.length === 0 || ACTIONS.has(arg) ? arg : '<arg>');
  }
  return [...words, ...options.sort()].join(' ');
}

const ran = new Set<string>();
const topic = uniqueName('admin-orders');
const group = uniqueName('admin-billing');
let broker: BrokerProcess;
const clients = new ClientPool(() => broker.endpoint);
const txClients: Closable[] = [];

before(async () => {
  broker = await startBrokerProcess({ config: { transaction: { checkImmunityMs: 200, checkIntervalMs: 300, maxChecks: 1 } } });
});
after(async () => {
  await clients.shutdownAll();
  for (const client of txClients.splice(0)) await client.shutdown();
  await broker?.stop();
  await broker?.dispose();
});

/** Runs `txmq-broker admin ...args --endpoint <broker>` as a separate process. */
function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  ran.add(shape(args));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'admin', ...args, '--endpoint', broker.endpoint], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** {@link admin} with `--json`: stdout must be exactly one JSON document. */
async function adminJson(...args: string[]): Promise<{ code: number; doc: any; stderr: string }> {
  const run = await admin(...args, '--json');
  let doc: unknown;
  assert.doesNotThrow(() => (doc = JSON.parse(run.stdout)), `${args.join(' ')}: stdout is one JSON document:\n${run.stdout}\n${run.stderr}`);
  return { code: run.code, doc, stderr: run.stderr };
}

test('topics: create, refuse a second create, update, describe, list', async () => {
  const created = await adminJson('topics', 'create', topic, '--queues', '2', '--message-type', 'NORMAL');
  assert.equal(created.code, 0, created.stderr);
  assert.deepEqual([created.doc.name, created.doc.queues, created.doc.messageType, created.doc.origin], [topic, 2, 'NORMAL', 'admin']);
  const [again, updated] = await Promise.all([adminJson('topics', 'create', topic), admin('topics', 'update', topic, '--queues', '4')]);
  assert.deepEqual([again.code, again.doc.error.code], [1, 'PRECONDITION_FAILED']);
  assert.equal(updated.code, 0, updated.stderr);
  assert.match(updated.stdout, new RegExp(`^topic ${topic} updated\\n {2}queues +4\\n`));
  const audit = uniqueName('admin-audit');
  const [described, table, missing, auditUpdated] = await Promise.all([
    adminJson('topics', '--describe', topic),
    admin('topics'),
    adminJson('topics', '--describe', uniqueName('nope')),
    // The README's spellings, on a topic of their own.
    admin('topics', 'create', audit, '--queues', '4', '--message-type', 'FIFO').then(() => adminJson('topics', 'update', audit, '--queues', '8')),
  ]);
  assert.equal(described.doc.queues, 4);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^NAME +QUEUES +TYPE +ORIGIN +FIRST OFFSET +NEXT OFFSET +LAST STORED\n/);
  assert.match(table.stdout, new RegExp(`\\n${topic} +4 +NORMAL +admin +0 +0 +-\\n`));
  assert.deepEqual([missing.code, missing.doc.error.code], [1, 'TOPIC_NOT_FOUND']);
  assert.deepEqual([auditUpdated.doc.queues, auditUpdated.doc.messageType], [8, 'FIFO']);
});

test('groups: create and update with settings; refused twice', async () => {
  const created = await adminJson('groups', 'create', group, '--max-delivery-attempts', '2', '--retry-initial-ms', '100', '--retry-max-ms', '200');
  assert.equal(created.code, 0, created.stderr);
  assert.deepEqual([created.doc.maxDeliveryAttempts, created.doc.retryBackoff.initialMs, created.doc.origin], [2, 100, 'admin']);
  const auditors = uniqueName('admin-auditors');
  let fifo: Awaited<ReturnType<typeof adminJson>> | undefined;
  const [again, updated, unknown] = await Promise.all([
    adminJson('groups', 'create', group),
    adminJson('groups', 'create', auditors, '--fifo', '--max-delivery-attempts', '5').then((created) => {
      fifo = created;
      return adminJson('groups', 'update', auditors, '--retry-initial-ms', '500', '--retry-max-ms', '30000');
    }),
    adminJson('groups', uniqueName('nope')),
  ]);
  assert.equal(again.doc.error.code, 'PRECONDITION_FAILED');
  assert.deepEqual([fifo!.code, fifo!.doc.fifo, fifo!.doc.maxDeliveryAttempts], [0, true, 5]);
  assert.deepEqual([updated.doc.fifo, updated.doc.retryBackoff.initialMs, updated.doc.retryBackoff.maxMs], [true, 500, 30_000]);
  assert.equal(unknown.doc.error.code, 'CONSUMER_GROUP_NOT_FOUND');
});

let sentAt: Date;
let first: string;
let poison: string;
let last: string;

test('message: by id, by key, by store time; nothing found exits 1', async () => {
  sentAt = new Date(Date.now() - 1000);
  const producer = await clients.producer(topic);
  first = (await producer.send({ topic, keys: ['order-1'], tag: 'created', body: Buffer.from('first') })).messageId;
  poison = (await producer.send({ topic, keys: ['order-42'], tag: 'poison', body: Buffer.from('{"poison":true}') })).messageId;
  last = (await producer.send({ topic, keys: ['order-3'], body: Buffer.from('last') })).messageId;

  const [byId, byKey, byTime, none] = await Promise.all([
    adminJson('message', '--id', first),
    admin('message', '--topic', topic, '--key', 'order-42'),
    adminJson('message', '--topic', topic, '--from', sentAt.toISOString(), '--to', new Date(Date.now() + 1000).toISOString()),
    adminJson('message', '--topic', topic, '--key', 'no-such-key'),
  ]);
  assert.equal(byId.code, 0, byId.stderr);
  const [message] = byId.doc.items;
  assert.deepEqual([message.messageId, message.topic, message.keys, message.tag, message.body, message.bodySize], [first, topic, ['order-1'], 'created', 'first', 5]);
  assert.ok(Date.parse(message.storedAt) >= sentAt.getTime(), message.storedAt);
  assert.match(message.storedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  assert.equal(byKey.code, 0, byKey.stderr);
  assert.match(byKey.stdout, new RegExp(`^message ${poison}\\n {2}topic +${topic} \\(queue \\d, offset 1\\)\\n`));
  assert.match(byKey.stdout, /\n {2}body +15 bytes: \{"poison":true\}$/);

  assert.deepEqual(byTime.doc.items.map((m: { messageId: string }) => m.messageId), [first, poison, last]);
  assert.deepEqual([none.code, none.doc], [1, { items: [] }]);
});

test('groups shows lag and in-flight; a message delivered twice is dead-lettered, and its trace shows each step in order', async () => {
  const before = await adminJson('groups', group);
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
      if (attempts.length === 1 && !online) online = (await adminJson('groups', group)).doc;
      return attempts.length >= 2;
    },
    { timeoutMs: 15_000 },
  );
  assert.deepEqual(attempts, [1, 2]);
  assert.deepEqual(online && [online.consumersOnline, online.inFlight, online.subscriptions[0].topic], [1, 1, topic], 'the poison message in flight');
  await eventually('the poison message in the DLQ', async () => {
    assert.deepEqual(await consumer.receive(32, 1000), [], 'no third delivery');
    return (await adminJson('groups', group)).doc.deadLetters === 1;
  }, { timeoutMs: 15_000 });

  const [table, described, trace, human, unknownTrace] = await Promise.all([
    admin('groups'),
    admin('groups', group),
    adminJson('trace', poison),
    admin('trace', poison),
    adminJson('trace', 'F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0'),
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
  const [listed, table] = await Promise.all([adminJson('dlq', group), admin('dlq', group)]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(
    listed.doc.items.map((d: any) => [d.message.messageId, d.message.topic, d.message.deadLetter.originTopic, d.resentAt]),
    [[poison, `%DLQ%${group}`, topic, null]],
  );
  assert.match(table.stdout, new RegExp(`^MESSAGE ID +ORIGIN TOPIC +DEAD-LETTERED +RESENT +TAG +KEYS +BODY\\n${poison} +${topic} +\\S+Z +- +poison +order-42 +\\{"poison":true\\}\\n?$`));

  const resent = await admin('dlq', 'resend', group, poison);
  assert.equal(resent.code, 0, resent.stderr);
  assert.match(resent.stdout, new RegExp(`^message ${poison} resent from %DLQ%${group} to ${topic} \\(offset 3\\)\\n$`));
  const [twice, relisted, copies] = await Promise.all([adminJson('dlq', 'resend', group, poison), adminJson('dlq', group), adminJson('message', '--id', poison)]);
  assert.deepEqual([twice.code, twice.doc.error.code], [1, 'PRECONDITION_FAILED']);
  assert.ok(relisted.doc.items[0].resentAt, 'the listing shows when it was resent');
  assert.deepEqual(copies.doc.items.map((m: { topic: string }) => m.topic).sort(), [topic, topic, `%DLQ%${group}`].sort(), 'the original, the DLQ copy and the resend');
  const consumer = await clients.simple(group, topic);
  const [again] = await receiveBodies(consumer, 1);
  assert.equal(again!.messageId, poison, 'the group gets the resent message');
  clients.retire(consumer);
});

test('reset: to a time replays the group from there; to the end skips the backlog', async () => {
  const replay = await adminJson('reset', group, '--to', sentAt.toISOString());
  assert.equal(replay.code, 0, replay.stderr);
  assert.deepEqual(replay.doc, { group, subscriptions: [{ topic, consumer: group, from: 4, to: 0 }] });
  const consumer = await clients.simple(group, topic);
  const replayed = await receiveBodies(consumer, 4);
  assert.deepEqual(replayed.map(text), ['first', '{"poison":true}', 'last', '{"poison":true}']);

  const producer = await clients.producer(topic);
  await producer.send({ topic, body: Buffer.from('backlog') });
  assert.equal((await adminJson('groups', group)).doc.lag, 1);
  const skip = await admin('reset', group, '--to', 'end', '--topic', topic);
  assert.equal(skip.code, 0, skip.stderr);
  assert.match(skip.stdout, new RegExp(`^consumer group ${group} reset to the end\\nTOPIC +CONSUMER +FROM OFFSET +TO OFFSET\\n${topic} +${group} +4 +5\\n$`));
  assert.equal((await adminJson('groups', group)).doc.lag, 0);
  assert.deepEqual(await consumer.receive(32, 1000), [], 'the backlog was skipped');
  clients.retire(consumer);
});

test('tx: a parked transaction is listed, committed and rolled back through admin tx', async () => {
  const txTopic = uniqueName('admin-tx');
  const { producer } = await checkedProducer(broker.endpoint, txTopic, txClients, () => UNKNOWN);
  const toCommit = await producer.send({ topic: txTopic, body: Buffer.from('commit me') }, producer.beginTransaction());
  const toRollBack = await producer.send({ topic: txTopic, body: Buffer.from('roll me back') }, producer.beginTransaction());
  const parked = await eventually('both parked', async () => {
    const { doc } = await adminJson('tx', 'list', '--parked');
    const ids = doc.items.map((t: { transactionId: string }) => t.transactionId);
    return ids.includes(toCommit.transactionId) && ids.includes(toRollBack.transactionId) ? doc : undefined;
  }, { timeoutMs: 15_000 });
  assert.ok(parked.items.every((t: { parked: boolean }) => t.parked));
  const [committed, rolledBack] = await Promise.all([adminJson('tx', 'commit', toCommit.transactionId), admin('tx', 'rollback', toRollBack.transactionId)]);
  assert.deepEqual([committed.code, committed.doc], [0, { transactionId: toCommit.transactionId, resolution: 'COMMIT', changed: true }]);
  assert.deepEqual([rolledBack.code, rolledBack.stdout], [0, `transaction ${toRollBack.transactionId} rolled back\n`]);
  assert.deepEqual((await adminJson('tx', 'list', '--parked')).doc.items.filter((t: { topic: string }) => t.topic === txTopic), []);
  const stored = await adminJson('message', '--topic', txTopic, '--from', '2000-01-01', '--to', new Date(Date.now() + 1000).toISOString());
  assert.deepEqual(stored.doc.items.map((m: { body: string; kind: string }) => [m.body, m.kind]), [['commit me', 'TRANSACTION']], 'only the committed one reached its topic');
});

test('usage errors exit 2 with nothing on stdout', async () => {
  const lines = [['message'], ['frobnicate'], ['reset', group]];
  const runs = await Promise.all(lines.map((args) => admin(...args)));
  for (const [index, args] of lines.entries()) {
    const run = runs[index]!;
    assert.deepEqual([run.code, run.stdout], [2, ''], args.join(' '));
    assert.match(run.stderr, /usage:/);
  }
});

test("the README's operator section shows only commands this file ran", () => {
  const readme = readRepoFile('packages/broker/README.md');
  const shown = codeBlocks(readme)
    .filter((b) => b.lang === 'sh')
    .flatMap((b) => b.content.split('\n'))
    .filter((line) => line.startsWith('txmq-broker admin '));
  assert.ok(shown.length >= 15, `the README shows the admin commands (${shown.length})`);
  for (const line of shown) assert.ok(ran.has(shape(line.split(/\s+/).slice(2))), `${line} (${shape(line.split(/\s+/).slice(2))}) was not run; ran: ${[...ran].join(' | ')}`);
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
