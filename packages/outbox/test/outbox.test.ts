import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '@txmq/test-support';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { createOutbox, InvalidMessageError, OutboxNotInTransactionError, InvalidOptionsError, type Outbox } from '../src/index.js';
import { WAKE_UP_DELAYS_MS, WAKE_UP_MIN_GAP_MS } from '../src/outbox/wake-up.js';
import { FakeClock } from './fixtures/fake-clock.js';
import { backendPid, DATABASE_URL, deferred, testDb, waitForBlocked } from './helpers.js';

const t = testDb('outbox');
let outbox: Outbox;

before(async () => {
  outbox = createOutbox({ db: t.db, schema: t.schema, traceContext: () => ({ traceparent: '00-abc-def-01' }) });
});
after(() => t.close());

test('migrate is idempotent and safe from several processes at once', async () => {
  const dbs = [t.db, t.connect(2), t.connect(2), t.connect(2)];
  const results = await Promise.all(dbs.map((db) => createOutbox({ db, schema: t.schema }).migrate()));
  assert.equal(results.filter((r) => r.applied.length > 0).length, 1, 'exactly one process applies the migrations');
  assert.deepEqual((await outbox.migrate()).applied, []);
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = ${t.schema} order by 1`.execute(t.db);
  assert.deepEqual(
    rows.map((r) => r.name),
    ['inbox', 'migration', 'migration_lock', 'outbox', 'transaction_log'],
  );
});

test('send without a transaction is an error that says so', async () => {
  await assert.rejects(outbox.send(t.db, { topic: 't', body: 'x' }), OutboxNotInTransactionError);
  await assert.rejects(outbox.sendMany(t.db, [{ topic: 't', body: 'x' }]), /must be called with the caller's Kysely transaction/);
  await assert.rejects(outbox.send(undefined as never, { topic: 't', body: 'x' }), OutboxNotInTransactionError);
  assert.throws(() => createOutbox({ db: t.db, schema: 'Bad-Name' }), InvalidOptionsError);
});

test('rollback writes nothing; commit writes each message once with its headers', async () => {
  await assert.rejects(
    t.db.transaction().execute(async (trx) => {
      await outbox.send(trx, { topic: 'rolled', body: 'x' });
      throw new Error('business failure');
    }),
    /business failure/,
  );
  const [a, b, c] = await t.db.transaction().execute(async (trx) => [
    await outbox.send(trx, { topic: 'committed', body: { n: 1 }, headers: { 'x-user': 'u1' }, keys: ['k1'], tag: 'new' }),
    ...(await outbox.sendMany(trx, [
      { topic: 'committed', body: 'two', messageGroup: 'g1' },
      { topic: 'committed', body: Buffer.from('three'), messageGroup: 'g2', headers: { traceparent: 'mine' } },
    ])),
  ]);
  const { rows } = await sql<any>`
    select message_id, topic, tag, keys, message_group, headers, content_type, convert_from(body, 'UTF8') as body
    from ${sql.table(`${t.schema}.outbox`)} order by id`.execute(t.db);
  assert.equal(rows.length, 3);
  assert.deepEqual(rows.map((r) => r.message_id), [a?.messageId, b?.messageId, c?.messageId]);
  assert.deepEqual(rows[0], {
    message_id: a?.messageId,
    topic: 'committed',
    tag: 'new',
    keys: ['k1'],
    message_group: null,
    headers: { traceparent: '00-abc-def-01', 'x-user': 'u1' },
    content_type: 'application/json',
    body: '{"n":1}',
  });
  assert.equal(rows[2].headers.traceparent, 'mine', 'a header set on the message wins over the trace hook');
  assert.equal(rows[2].content_type, 'application/octet-stream');
  const stats = await outbox.stats();
  assert.equal(stats.pending, 3);
  assert.equal(stats.due, 3);
  await sql`delete from ${sql.table(`${t.schema}.outbox`)}`.execute(t.db);
});

test('a message the broker would refuse fails at send, naming the field, and writes nothing', async () => {
  await assert.rejects(
    t.db.transaction().execute((trx) => outbox.send(trx, { topic: 'o', body: 1, tag: 'a|b' })),
    (error: unknown) => error instanceof InvalidMessageError && error.field === 'message.tag',
  );
  await assert.rejects(
    t.db.transaction().execute((trx) =>
      outbox.sendMany(trx, [
        { topic: 'o', body: 1 },
        { topic: 'o', body: 2, messageGroup: 'g' },
        { topic: 'o', body: 3, headers: { UNIQ_KEY: 'mine' } },
      ]),
    ),
    (error: unknown) => error instanceof InvalidMessageError && error.field === 'messages[2].headers.UNIQ_KEY',
  );
  await assert.rejects(
    t.db.transaction().execute((trx) => outbox.send(trx, { topic: 'o', body: 1, messageGroup: 'g'.repeat(100) })),
    (error: unknown) => error instanceof InvalidMessageError && error.field === 'message.messageGroup',
  );
  await assert.rejects(
    t.db.transaction().execute((trx) => outbox.send(trx, { topic: 'o', body: 1, keys: ['\u0001'] })),
    (error: unknown) => error instanceof InvalidMessageError && error.field === 'message.keys[0]',
  );
  // Trace headers count too: with them the message would be over the broker's property limit.
  const traced = createOutbox({ db: t.db, schema: t.schema, notify: false, traceContext: () => ({ big: 'x'.repeat(16_300) }) });
  await assert.rejects(
    t.db.transaction().execute((trx) => traced.send(trx, { topic: 'o', body: 1 })),
    (error: unknown) => error instanceof InvalidMessageError && error.field === 'message.headers',
  );
  assert.equal((await outbox.stats()).pending, 0);
});

/** `db` with every `executeQuery` call (how the outbox sends wake-ups) recorded as it is made. */
function recordingQueries(db: Kysely<any>, seen: string[]): Kysely<any> {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'executeQuery') return Reflect.get(target, property, receiver);
      return (query: { sql: string }) => {
        seen.push(query.sql);
        return target.executeQuery(query as never);
      };
    },
  });
}

test('notify: false sends no wake-up', async () => {
  const silentQueries: string[] = [];
  const loudQueries: string[] = [];
  const silent = createOutbox({ db: recordingQueries(t.db, silentQueries), schema: t.schema, notify: false });
  const loud = createOutbox({ db: recordingQueries(t.db, loudQueries), schema: t.schema });
  try {
    await t.db.transaction().execute((trx) => silent.send(trx, { topic: 'n', body: 1 }));
    await t.db.transaction().execute((trx) => loud.send(trx, { topic: 'n', body: 2 }));
    // Timers fire in due order: the loud outbox's first wake-up is due after any the silent one
    // would have sent, so once it was sent the silent one has had its chance.
    await eventually('the wake-up of the outbox that notifies', () => loudQueries.some((q) => q.includes('pg_notify')));
    assert.deepEqual(silentQueries, []);
    assert.throws(() => createOutbox({ db: t.db, notify: 'yes' as never }), InvalidOptionsError);
  } finally {
    await sql`delete from ${sql.table(`${t.schema}.outbox`)}`.execute(t.db);
  }
});

test('send wakes listeners from outside its transaction, and again after a longer one commits', async () => {
  // The wake-ups are sent when the test moves the clock, not when real timers race the commit; a
  // schema of its own keeps other tests' wake-ups off its channel.
  const clock = new FakeClock();
  const own = testDb('wake');
  const clocked = createOutbox({ db: own.db, schema: own.schema, clock });
  await clocked.migrate();
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  let seen = 0;
  client.on('notification', (n) => {
    if (n.channel === clocked.channel) seen++;
  });
  await client.query(`listen ${pg.escapeIdentifier(clocked.channel)}`);
  try {
    await own.db.transaction().execute(async (trx) => {
      await clocked.send(trx, { topic: 'n', body: 1 });
      await clock.advance(WAKE_UP_DELAYS_MS[0]!);
      // The transaction carries no notification: the first wake-up comes while it is still open.
      await eventually('a wake-up while the transaction is open', () => seen === 1);
    });
    // The later steps follow the commit (the transaction is longer than the first step). The clock
    // moves one step at a time: a step due while the previous NOTIFY is in flight is coalesced.
    for (const [i, step] of WAKE_UP_DELAYS_MS.entries()) {
      if (i === 0) continue;
      await clock.advance(Math.max(step, clock.now() + WAKE_UP_MIN_GAP_MS) - clock.now());
      await eventually(`wake-up ${i + 1} after the commit`, () => seen === i + 1);
    }
    assert.throws(() => createOutbox({ db: t.db, clock: {} as never }), (error: unknown) => error instanceof InvalidOptionsError && error.option === 'clock');
  } finally {
    await client.end();
    await own.close();
  }
});

test('same-group sends serialize until commit, so id order is commit order (send and sendMany)', async () => {
  const other = t.connect(3);
  const events: string[] = [];
  const firstHolds = deferred();
  let firstPid = 0;
  const first = t.db.transaction().execute(async (trx) => {
    firstPid = await backendPid(trx);
    await outbox.send(trx, { topic: 'o', body: 'first', messageGroup: 'g' });
    events.push('first sent');
    await firstHolds.promise;
    events.push('first commits');
  });
  await eventually('first send', () => events.includes('first sent'));
  const second = other.transaction().execute(async (trx) => {
    await createOutbox({ db: other, schema: t.schema }).send(trx, { topic: 'o', body: 'second', messageGroup: 'g' });
    events.push('second sent');
  });
  const batch = other.transaction().execute(async (trx) => {
    await createOutbox({ db: other, schema: t.schema }).sendMany(trx, [
      { topic: 'o', body: 'batch h2', messageGroup: 'h2' },
      { topic: 'o', body: 'batch g', messageGroup: 'g' },
    ]);
    events.push('batch sent');
  });
  const unrelated = other.transaction().execute(async (trx) => {
    await createOutbox({ db: other, schema: t.schema }).send(trx, { topic: 'o', body: 'other group', messageGroup: 'h' });
    events.push('other group sent');
  });
  try {
    await unrelated;
    // Both same-group writers wait on the first transaction's group lock (pg_locks, not granted).
    await waitForBlocked(t.db, firstPid, 2);
    assert.deepEqual(events, ['first sent', 'other group sent'], 'same-group send and sendMany wait for the first transaction');
  } finally {
    firstHolds.resolve();
    await Promise.allSettled([first, second, batch]);
  }
  assert.deepEqual(events.slice(0, 3), ['first sent', 'other group sent', 'first commits']);
  assert.deepEqual(events.slice(3).sort(), ['batch sent', 'second sent']);
  const { rows } = await sql<{ body: string }>`
    select convert_from(body, 'UTF8') as body from ${sql.table(`${t.schema}.outbox`)}
    where message_group = 'g' order by id`.execute(t.db);
  assert.equal(rows[0]?.body, 'first', 'the first committed row has the lowest id');
  assert.deepEqual(rows.map((r) => r.body).slice(1).sort(), ['batch g', 'second']);
});
