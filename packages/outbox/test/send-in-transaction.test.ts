import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createSimpleConsumer, createTransactionAdmin, type ReceivedMessage, type TransactionAdmin } from '@txmq/broker/client';
import { collectMessages, eventually } from '@txmq/test-support';
import { sql, type Transaction } from 'kysely';
import { createOutbox, createTransactionalSender, decodeBody, isOutboxError, OutboxStateError, TransactionFencedError, type TransactionalSender } from '../src/index.js';
import { startBrokerProcess, type BrokerProcess } from './fixtures/broker-process.js';
import { recordCommit } from '../src/transactional/transaction-log.js';
import { backendPid, countingProxy, deferred, testDb, waitForBlocked } from './helpers.js';

const QUIET = { info() {}, warn() {}, error() {} };
const t = testDb('sendtx');
let broker: BrokerProcess;
let admin: TransactionAdmin;
const senders: TransactionalSender[] = [];

before(async () => {
  // Check-backs start 300 ms after a half message and repeat every 300 ms.
  broker = await startBrokerProcess({ transaction: { checkImmunityMs: 300, checkIntervalMs: 300 } });
  admin = createTransactionAdmin({ endpoints: broker.endpoint });
  await createOutbox({ db: t.db, schema: t.schema }).migrate();
  await sql`create table ${sql.table(`${t.schema}.orders`)} (id text primary key)`.execute(t.db);
});
after(async () => {
  await Promise.all(senders.map((s) => s.close()));
  await admin?.close();
  await broker?.close();
  await t.close();
});

const topicName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

function sender(topics: string[], onError?: (error: unknown) => void): TransactionalSender {
  const created = createTransactionalSender({ db: t.db, schema: t.schema, endpoints: broker.endpoint, topics, logger: QUIET, ...(onError && { onError }) });
  senders.push(created);
  return created;
}

const insertOrder = (trx: Transaction<any>, id: string) => sql`insert into ${sql.table(`${t.schema}.orders`)} (id) values (${id})`.execute(trx);

/** A consumer group reading `topic` from its start; `drain` receives until `until` holds, then one more long poll. */
function reader(topic: string) {
  const consumer = createSimpleConsumer({ endpoints: broker.endpoint, group: topicName('g'), subscriptions: { [topic]: '*' }, awaitMs: 300, logger: QUIET });
  return collectMessages(consumer);
}

async function unsettled(topic: string): Promise<string[]> {
  return (await admin.list({ topic })).map((tx) => tx.transactionId);
}

test('commit() after the caller\'s transaction commits: delivered once, and not before', async () => {
  const topic = topicName('sit-commit');
  const s = sender([topic]);
  const r = reader(topic);
  try {
    const pending = await t.db.transaction().execute(async (trx) => {
      await insertOrder(trx, 'sit-commit');
      const sent = await s.sendInTransaction(trx, { topic, body: { orderId: 'sit-commit' } });
      assert.deepEqual(await unsettled(topic), [sent.transactionId], 'a half message waits on the broker');
      assert.deepEqual(await r.poll(), [], 'invisible while the transaction is open');
      return sent;
    });
    assert.equal(await pending.commit(), 'committed');
    const received = await r.drain((all) => all.length >= 1);
    assert.equal(received.length, 1);
    assert.equal(received[0]?.properties['txmq-message-id'], pending.messageId);
    assert.deepEqual(decodeBody(received[0]!), { orderId: 'sit-commit' });
    assert.equal(await s.check({ properties: { 'txmq-transaction-id': pending.messageId } }), 'COMMIT');
  } finally {
    await r.close();
  }
});

test('the transaction log records the topic of a committed half message, of send() and of sendInTransaction()', async () => {
  const topic = topicName('sit-log-topic');
  const s = sender([topic]);
  const inTransaction = await t.db.transaction().execute((trx) => s.sendInTransaction(trx, { topic, body: 1 }));
  await inTransaction.commit();
  const sent = await s.send({ topic, body: 2 }, async () => undefined);
  const { rows } = await sql<{ transaction_id: string; state: string; topic: string | null }>`
    select transaction_id, state, topic from ${sql.table(`${t.schema}.transaction_log`)} where topic = ${topic}
    order by transaction_id`.execute(t.db);
  const ids = [inTransaction.messageId, sent.messageId].sort();
  assert.deepEqual(rows, ids.map((id) => ({ transaction_id: id, state: 'committed', topic })));
});

test('rollback() after the caller\'s transaction rolled back: the half message is discarded', async () => {
  const topic = topicName('sit-rollback');
  const s = sender([topic]);
  let pending: Awaited<ReturnType<TransactionalSender['sendInTransaction']>> | undefined;
  await assert.rejects(
    t.db.transaction().execute(async (trx) => {
      pending = await s.sendInTransaction(trx, { topic, body: 'x' });
      throw new Error('payment declined');
    }),
    /payment declined/,
  );
  assert.equal(await pending!.rollback(), 'rolled-back');
  assert.deepEqual(await unsettled(topic), []);
  assert.equal((await admin.rollback(pending!.transactionId)).changed, false, 'it was already rolled back');
  assert.equal(await s.check({ properties: { 'txmq-transaction-id': pending!.messageId } }), 'ROLLBACK');
});

test('a committed transaction whose commit() never ran is committed by the check-back of a later instance', async () => {
  const topic = topicName('sit-crash-commit');
  const crashed = sender([topic]);
  const pending = await t.db.transaction().execute(async (trx) => {
    await insertOrder(trx, 'sit-crash-commit');
    return crashed.sendInTransaction(trx, { topic, body: { orderId: 'sit-crash-commit' } });
  });
  await crashed.close(); // the process "dies" before commit()
  assert.equal(await pending.commit(), 'check-back', 'a commit() after close cannot reach the broker');
  // The topic is not the first one of the new instance: each listed topic gets its check-backs.
  const survivor = sender([topicName('other'), topic]);
  await survivor.start();
  const r = reader(topic);
  try {
    const received = await r.drain((all) => all.length >= 1);
    assert.equal(received.length, 1);
    assert.equal(received[0]?.properties['txmq-message-id'], pending.messageId);
  } finally {
    await r.close();
  }
});

test('a transaction that never committed is rolled back by the check-back, and fenced', async () => {
  const topic = topicName('sit-crash-rollback');
  const crashed = sender([topic]);
  let pending: Awaited<ReturnType<TransactionalSender['sendInTransaction']>> | undefined;
  await assert.rejects(
    t.db.transaction().execute(async (trx) => {
      pending = await crashed.sendInTransaction(trx, { topic, body: 'x' });
      // The process "dies" before it settles anything: its producer is gone, and the throw stands
      // for the transaction ending without a commit (as when Postgres drops a dead client's).
      await crashed.close();
      throw new Error('process died');
    }),
    /process died/,
  );
  const survivor = sender([topic]);
  await survivor.start();
  await eventually('the check-back settled it', async () => (await unsettled(topic)).length === 0);
  assert.equal((await admin.rollback(pending!.transactionId)).changed, false, 'the check-back rolled it back');
  const { rows } = await sql<{ state: string }>`
    select state from ${sql.table(`${t.schema}.transaction_log`)} where transaction_id = ${pending!.messageId}`.execute(t.db);
  assert.deepEqual(rows, [{ state: 'rolled_back' }]);
});

test('a check-back answered before the record fences it: sendInTransaction fails with TransactionFencedError', async () => {
  const topic = topicName('sit-fence');
  const s = sender([topic]);
  const log = `${t.schema}.transaction_log`;
  // The record of a commit (state 'committed') waits for a lock the test holds, so the broker's
  // check-back (which writes 'rolled_back') gets there first.
  await sql`
    create function ${sql.table(`${t.schema}.hold_commit_records`)}() returns trigger language plpgsql as $$
    begin
      if new.state = 'committed' then perform pg_advisory_xact_lock(hashtext('sit-fence')); end if;
      return new;
    end $$`.execute(t.db);
  await sql`create trigger hold before insert on ${sql.table(log)} for each row execute function ${sql.table(`${t.schema}.hold_commit_records`)}()`.execute(t.db);
  const release = deferred();
  const locked = deferred();
  const blocker = t.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('sit-fence'))`.execute(trx);
    locked.resolve();
    await release.promise;
  });
  try {
    await locked.promise;
    const sending = t.db.transaction().execute((trx) => s.sendInTransaction(trx, { topic, body: 'x' }));
    sending.catch(() => undefined);
    const [transactionId] = await eventually('the half message', () => unsettled(topic).then((ids) => (ids.length === 1 ? ids : undefined)));
    await eventually('the check-back answered ROLLBACK', async () => (await unsettled(topic)).length === 0);
    release.resolve();
    await assert.rejects(sending, (error: unknown) => error instanceof TransactionFencedError);
    assert.equal((await admin.rollback(transactionId!)).changed, false, 'the check-back rolled it back');
  } finally {
    release.resolve();
    await blocker;
    await sql`drop trigger hold on ${sql.table(log)}`.execute(t.db);
  }
});

test('repeated check-backs of a transaction still open wait on one database connection, not one each', async () => {
  let fenceInserts = 0;
  const counting = t.db.withPlugin({
    transformQuery(args) {
      if (args.node.kind === 'RawNode' && args.node.sqlFragments.join('').includes("'rolled_back'")) fenceInserts += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  const s = createTransactionalSender({ db: counting, schema: t.schema, endpoints: broker.endpoint, logger: QUIET });
  senders.push(s);
  const properties = { 'txmq-transaction-id': 'sit-open-checks' };
  const answers = await t.db.transaction().execute(async (trx) => {
    await recordCommit(trx, t.schema, 'sit-open-checks');
    const checks = [s.check({ properties }), s.check({ properties }), s.check({ properties })];
    await waitForBlocked(t.db, await backendPid(trx), 1);
    assert.equal(fenceInserts, 1, 'the three checks share one fence insert');
    return checks;
  });
  assert.deepEqual(await Promise.all(answers), ['COMMIT', 'COMMIT', 'COMMIT']);
  assert.equal(await s.check({ properties }), 'COMMIT', 'a later check asks the database again');
  assert.equal(fenceInserts, 2);
});

test('a start() that fails for one topic closes the sender and its connection', async () => {
  const strict = await startBrokerProcess({ autoCreateTopics: false, topics: { 'sit-declared': {} } });
  const proxy = await countingProxy(strict.endpoint);
  try {
    // Every topic is announced on one connection; the undeclared one is refused.
    const twice = createTransactionalSender({ db: t.db, schema: t.schema, endpoints: proxy.endpoint, topics: ['sit-declared', 'sit-declared'], logger: QUIET });
    senders.push(twice);
    await twice.start();
    await eventually('one connection', () => proxy.open() === 1);
    await twice.close();
    await eventually('closed', () => proxy.open() === 0);

    const s = createTransactionalSender({ db: t.db, schema: t.schema, endpoints: proxy.endpoint, topics: ['sit-declared', 'sit-undeclared'], logger: QUIET });
    senders.push(s);
    await assert.rejects(s.start(), (error: unknown) => isOutboxError(error, 'PUBLISH_FAILED') && /TOPIC_NOT_FOUND/.test(String((error as Error).cause)));
    await eventually('every connection closed', () => proxy.open() === 0);
    await assert.rejects(s.start(), OutboxStateError);
  } finally {
    await proxy.close();
    await strict.close();
  }
});

test('unrecorded() names the half messages whose record a rollback to savepoint undid, and fails in an aborted transaction', async () => {
  const topic = topicName('sit-savepoint');
  const s = sender([topic]);
  const [kept, undone] = await t.db.transaction().execute(async (trx) => {
    const first = await s.sendInTransaction(trx, { topic, body: 'kept' });
    await sql`savepoint before_second`.execute(trx);
    const second = await s.sendInTransaction(trx, { topic, body: 'undone' });
    await sql`rollback to savepoint before_second`.execute(trx);
    assert.deepEqual(await s.unrecorded(trx, [first, second]), [second]);
    assert.deepEqual(await s.unrecorded(trx, []), []);
    return [first, second];
  });
  assert.equal(await kept!.commit(), 'committed');
  assert.equal(await undone!.rollback(), 'rolled-back');
  assert.equal(await s.check({ properties: { 'txmq-transaction-id': undone!.messageId } }), 'ROLLBACK');

  await assert.rejects(
    t.db.transaction().execute(async (trx) => {
      const pending = await s.sendInTransaction(trx, { topic, body: 'aborted' });
      await sql`select 1 / 0`.execute(trx).catch(() => undefined);
      await assert.rejects(s.unrecorded(trx, [pending]), (error: unknown) => (error as { code?: string }).code === '25P02');
      await pending.rollback();
      throw new Error('the transaction can only roll back');
    }),
    /can only roll back/,
  );
  assert.deepEqual(await unsettled(topic), []);
});
