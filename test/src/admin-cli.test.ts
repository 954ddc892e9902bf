// Every `txmq-broker admin` operation on topics, groups and transactions through the CLI (spawned
// as users run it) against a broker process fed by the official RocketMQ client; the broker
// README's commands for them are all run here (admin-cli-messages.test.ts runs the others).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '@txmq/test-support';
import { checkedProducer, UNKNOWN, type Closable } from './fixtures/transaction-helpers.js';
import { AdminCli, readmeAdminCommands } from './support/admin-cli.js';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

const topic = uniqueName('admin-orders');
const group = uniqueName('admin-billing');
let broker: BrokerProcess;
const cli = new AdminCli(() => broker.endpoint);
const txClients: Closable[] = [];

before(async () => {
  broker = await startBrokerProcess({ config: { transaction: { checkImmunityMs: 200, checkIntervalMs: 300, maxChecks: 1 } } });
});
after(async () => {
  for (const client of txClients.splice(0)) await client.shutdown();
  await broker?.stop();
  await broker?.dispose();
});

test('topics: create, refuse a second create, update, describe, list', async () => {
  const created = await cli.json('topics', 'create', topic, '--queues', '2', '--message-type', 'NORMAL');
  assert.equal(created.code, 0, created.stderr);
  assert.deepEqual([created.doc.name, created.doc.queues, created.doc.messageType, created.doc.origin], [topic, 2, 'NORMAL', 'admin']);
  const [again, updated] = await Promise.all([cli.json('topics', 'create', topic), cli.run('topics', 'update', topic, '--queues', '4')]);
  assert.deepEqual([again.code, again.doc.error.code], [1, 'PRECONDITION_FAILED']);
  assert.equal(updated.code, 0, updated.stderr);
  assert.match(updated.stdout, new RegExp(`^topic ${topic} updated\\n {2}queues +4\\n`));
  const audit = uniqueName('admin-audit');
  const [described, table, missing, auditUpdated] = await Promise.all([
    cli.json('topics', '--describe', topic),
    cli.run('topics'),
    cli.json('topics', '--describe', uniqueName('nope')),
    // The README's spellings, on a topic of their own.
    cli.run('topics', 'create', audit, '--queues', '4', '--message-type', 'FIFO').then(() => cli.json('topics', 'update', audit, '--queues', '8')),
  ]);
  assert.equal(described.doc.queues, 4);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^NAME +QUEUES +TYPE +ORIGIN +FIRST OFFSET +NEXT OFFSET +LAST STORED\n/);
  assert.match(table.stdout, new RegExp(`\\n${topic} +4 +NORMAL +admin +0 +0 +-\\n`));
  assert.deepEqual([missing.code, missing.doc.error.code], [1, 'TOPIC_NOT_FOUND']);
  assert.deepEqual([auditUpdated.doc.queues, auditUpdated.doc.messageType], [8, 'FIFO']);
});

test('groups: create and update with settings; refused twice', async () => {
  const created = await cli.json('groups', 'create', group, '--max-delivery-attempts', '2', '--retry-initial-ms', '100', '--retry-max-ms', '200');
  assert.equal(created.code, 0, created.stderr);
  assert.deepEqual([created.doc.maxDeliveryAttempts, created.doc.retryBackoff.initialMs, created.doc.origin], [2, 100, 'admin']);
  const auditors = uniqueName('admin-auditors');
  let fifo: Awaited<ReturnType<AdminCli["json"]>> | undefined;
  const [again, updated, unknown] = await Promise.all([
    cli.json('groups', 'create', group),
    cli.json('groups', 'create', auditors, '--fifo', '--max-delivery-attempts', '5').then((created) => {
      fifo = created;
      return cli.json('groups', 'update', auditors, '--retry-initial-ms', '500', '--retry-max-ms', '30000');
    }),
    cli.json('groups', uniqueName('nope')),
  ]);
  assert.equal(again.doc.error.code, 'PRECONDITION_FAILED');
  assert.deepEqual([fifo!.code, fifo!.doc.fifo, fifo!.doc.maxDeliveryAttempts], [0, true, 5]);
  assert.deepEqual([updated.doc.fifo, updated.doc.retryBackoff.initialMs, updated.doc.retryBackoff.maxMs], [true, 500, 30_000]);
  assert.equal(unknown.doc.error.code, 'CONSUMER_GROUP_NOT_FOUND');
});

test('tx: a parked transaction is listed, committed and rolled back through admin tx', async () => {
  const txTopic = uniqueName('admin-tx');
  const { producer } = await checkedProducer(broker.endpoint, txTopic, txClients, () => UNKNOWN);
  const toCommit = await producer.send({ topic: txTopic, body: Buffer.from('commit me') }, producer.beginTransaction());
  const toRollBack = await producer.send({ topic: txTopic, body: Buffer.from('roll me back') }, producer.beginTransaction());
  const parked = await eventually('both parked', async () => {
    const { doc } = await cli.json('tx', 'list', '--parked');
    const ids = doc.items.map((t: { transactionId: string }) => t.transactionId);
    return ids.includes(toCommit.transactionId) && ids.includes(toRollBack.transactionId) ? doc : undefined;
  }, { timeoutMs: 15_000 });
  assert.ok(parked.items.every((t: { parked: boolean }) => t.parked));
  const [committed, rolledBack] = await Promise.all([cli.json('tx', 'commit', toCommit.transactionId), cli.run('tx', 'rollback', toRollBack.transactionId)]);
  assert.deepEqual([committed.code, committed.doc], [0, { transactionId: toCommit.transactionId, resolution: 'COMMIT', changed: true }]);
  assert.deepEqual([rolledBack.code, rolledBack.stdout], [0, `transaction ${toRollBack.transactionId} rolled back\n`]);
  assert.deepEqual((await cli.json('tx', 'list', '--parked')).doc.items.filter((t: { topic: string }) => t.topic === txTopic), []);
  const stored = await cli.json('message', '--topic', txTopic, '--from', '2000-01-01', '--to', new Date(Date.now() + 1000).toISOString());
  assert.deepEqual(stored.doc.items.map((m: { body: string; kind: string }) => [m.body, m.kind]), [['commit me', 'TRANSACTION']], 'only the committed one reached its topic');
});

test('usage errors exit 2 with nothing on stdout', async () => {
  const lines = [['message'], ['frobnicate'], ['reset', group]];
  const runs = await Promise.all(lines.map((args) => cli.run(...args)));
  for (const [index, args] of lines.entries()) {
    const run = runs[index]!;
    assert.deepEqual([run.code, run.stdout], [2, ''], args.join(' '));
    assert.match(run.stderr, /usage:/);
  }
});

/** The README's sections of admin commands, and the test file that runs each. */
const README_SECTIONS = {
  'Where did message X go?': 'admin-cli-messages.test.ts',
  'Why is group G behind?': 'admin-cli-messages.test.ts',
  'Dead letters, and replaying a group': 'admin-cli-messages.test.ts',
  'Topics and groups': 'admin-cli.test.ts',
  'Parked transactions': 'admin-cli.test.ts',
  'Credentials and TLS': 'admin-cli-auth.test.ts',
};

test("the README's topic, group and transaction commands were all run; every README section of commands has its test file", () => {
  assert.deepEqual([...readmeAdminCommands().keys()].sort(), Object.keys(README_SECTIONS).sort());
  cli.assertReadmeRan(Object.entries(README_SECTIONS).filter(([, file]) => file === 'admin-cli.test.ts').map(([heading]) => heading));
});
