import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '@txmq/test-support';
import { pino } from 'pino';
import { createTransactionAdmin } from '../src/client/admin-client.js';
import { runTransactionCommand } from '../src/cli/tx-command.js';
import type { IncomingMessage } from '../src/core/validate-incoming.js';
import { BROKER_TRANSACTION_ID_PROPERTY } from '../src/system-properties.js';
import { BrokerUnreachableError, InvalidRequestError, NotFoundError } from '../src/errors.js';
import { startBrokerWithCore, type RunningBrokerWithCore } from '../src/internal.js';
import { receiveRequest } from './helpers.js';

let broker: RunningBrokerWithCore;
before(async () => {
  broker = await startBrokerWithCore({
    port: 0,
    memory: true,
    logger: pino({ level: 'silent' }),
    config: { transaction: { checkImmunityMs: 0, checkIntervalMs: 100, maxChecks: 1 } },
  });
});
after(async () => {
  await broker.close();
});

let counter = 0;
async function sendHalf(topic: string): Promise<string> {
  counter += 1;
  const message: IncomingMessage = {
    topic,
    queueId: 0,
    messageId: `ADMIN-TX-${process.pid}-${counter}`,
    kind: 'TRANSACTION',
    body: Buffer.from(`body-${counter}`),
    tag: 'T',
    keys: ['key-1'],
    properties: { p: 'v' },
    bornAt: Date.now(),
    bornHost: 'test',
  };
  return (await broker.core.send(message, 'admin-test-producer')).transactionId;
}

/** What a new consumer group of `topic` receives: the committed messages. */
async function readBack(topic: string) {
  return broker.core.receive(receiveRequest(`check-${topic}`, topic));
}

/** Captures what the tx command prints. */
async function tx(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTransactionCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('the admin client lists, commits and rolls back half messages of the running broker', async () => {
  const admin = createTransactionAdmin({ endpoints: broker.endpoint });
  try {
    const toCommit = await sendHalf('admin-a');
    const toRollBack = await sendHalf('admin-b');
    const listed = await admin.list();
    const info = listed.find((t) => t.transactionId === toCommit);
    assert.ok(info, 'listed');
    assert.equal(info.topic, 'admin-a');
    assert.equal(info.tag, 'T');
    assert.deepEqual(info.keys, ['key-1']);
    assert.deepEqual(info.properties, { p: 'v' });
    assert.equal(info.producerClientId, 'admin-test-producer');
    assert.ok(info.createdAt instanceof Date && info.createdAt.getTime() > 0);
    assert.deepEqual((await admin.list({ topic: 'admin-b' })).map((t) => t.transactionId), [toRollBack]);

    const committed = await admin.commit(toCommit);
    assert.equal(committed.changed, true);
    assert.equal(committed.transaction?.transactionId, toCommit);
    const [delivered] = await readBack('admin-a');
    assert.equal(delivered?.message.properties[BROKER_TRANSACTION_ID_PROPERTY], toCommit, 'committed through the live broker: readable at once');
    assert.equal((await admin.commit(toCommit)).changed, false, 'a repeated commit is OK and changes nothing');
    await assert.rejects(admin.rollback(toCommit), (e: unknown) => e instanceof InvalidRequestError && e.code === 'INVALID_TRANSACTION_ID' && /already committed/.test(e.message));

    assert.equal((await admin.rollback(toRollBack)).changed, true);
    assert.equal((await readBack('admin-b')).length, 0);
    await assert.rejects(admin.resolve('no-such-transaction', 'COMMIT'), (e: unknown) => e instanceof NotFoundError && /unknown transaction no-such-transaction/.test(e.message));
    assert.ok(!(await admin.list()).some((t) => t.transactionId === toCommit || t.transactionId === toRollBack));
  } finally {
    admin.close();
  }
});

test('parked transactions are listed with --parked and can be committed with the tx command', async () => {
  const id = await sendHalf('admin-parked');
  // No producer is connected: checks count anyway, so with maxChecks 1 it is parked quickly.
  await eventually('the transaction to be parked', () => broker.core.transaction(id)?.parked);
  const json = await tx('list', '--parked', '--json', '--endpoint', broker.endpoint);
  assert.equal(json.code, 0, json.err);
  const rows = json.out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { transactionId: string; parked: boolean; checks: number; nextCheckAt: unknown });
  const row = rows.find((r) => r.transactionId === id);
  assert.deepEqual(row && { parked: row.parked, checks: row.checks, nextCheckAt: row.nextCheckAt }, { parked: true, checks: 1, nextCheckAt: null });
  const table = await tx('list', '--endpoint', broker.endpoint);
  assert.match(table.out, /^TRANSACTION ID\s+TOPIC\s+STATE/);
  assert.match(table.out, new RegExp(`${id}\\s+admin-parked\\s+parked\\s+1`));

  const commit = await tx('commit', id, '--endpoint', broker.endpoint);
  assert.deepEqual(commit, { code: 0, out: `transaction ${id} committed`, err: '' });
  assert.equal((await readBack('admin-parked')).length, 1);
  const again = await tx('commit', id, '--endpoint', broker.endpoint);
  assert.deepEqual(again, { code: 0, out: `transaction ${id} was already committed; nothing changed`, err: '' });
  const conflict = await tx('rollback', id, '--endpoint', broker.endpoint);
  assert.equal(conflict.code, 1);
  assert.match(conflict.err, /already committed; it cannot be rolled back/);
});

test('the tx command exits non-zero with a clear message for an unknown id, an unreachable broker and bad usage', async () => {
  const unknown = await tx('rollback', 'nope', '--endpoint', broker.endpoint);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /unknown transaction nope/);

  const admin = createTransactionAdmin({ endpoints: '127.0.0.1:1', timeoutMs: 3000 });
  await assert.rejects(admin.list(), (e: unknown) => e instanceof BrokerUnreachableError && /cannot reach the broker at 127\.0\.0\.1:1/.test(e.message));
  admin.close();
  const unreachable = await tx('list', '--endpoint', '127.0.0.1:1');
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.err, /cannot reach the broker at 127\.0\.0\.1:1[\s\S]*--endpoint/);

  assert.equal((await tx('commit', '--endpoint', broker.endpoint)).code, 2);
  assert.equal((await tx('frobnicate')).code, 2);
  assert.equal((await tx('list', '--bogus')).code, 2);
  const dataDir = await tx('list', '--data-dir', '/tmp/x');
  assert.equal(dataDir.code, 2);
  assert.match(dataDir.err, /running broker/);
});
