import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createOutbox, createRelay, PublishError, type Outbox, type RelayTuning } from '../src/index.js';
import { bodyJson, DATABASE_URL, RecordingPublisher, sleep, testDb, waitFor } from './helpers.js';

const t = testDb('relay');
let outbox: Outbox;
const fast: RelayTuning = { pollIntervalMs: 50, backoff: { initialMs: 20, maxMs: 100 }, leaseMs: 2_000, publishTimeoutMs: 1_000 };

before(async () => {
  outbox = createOutbox({ db: t.db, schema: t.schema });
  await outbox.migrate();
});
after(() => t.close());

async function clear(): Promise<void> {
  await sql`delete from ${sql.table(`${t.schema}.outbox`)}`.execute(t.db);
}

test('commit publishes exactly once, rollback publishes nothing; LISTEN wakes the relay', async () => {
  const publisher = new RecordingPublisher();
  // A long poll interval: only the NOTIFY can make this fast.
  const relay = createRelay({ outbox, publisher, ...fast, pollIntervalMs: 60_000, listen: DATABASE_URL });
  await relay.start();
  try {
    await assert.rejects(
      t.db.transaction().execute(async (trx) => {
        await outbox.send(trx, { topic: 'orders', body: { n: 'rolled back' } });
        throw new Error('abort');
      }),
    );
    const started = Date.now();
    const { messageId } = await t.db.transaction().execute((trx) =>
      outbox.send(trx, { topic: 'orders', body: { n: 1 }, headers: { traceparent: '00-t-s-01' }, tag: 'new', keys: ['k'] }),
    );
    await waitFor('the publish', () => publisher.published.length === 1, 5_000);
    assert.ok(Date.now() - started < 5_000);
    await waitFor('the row to be removed', async () => (await outbox.stats()).pending === 0);
    await sleep(200);
    assert.equal(publisher.published.length, 1);
    const [m] = publisher.published;
    assert.equal(m?.messageId, messageId);
    assert.deepEqual(bodyJson(m!), { n: 1 });
    assert.deepEqual(m?.headers, { traceparent: '00-t-s-01' });
    assert.equal(m?.tag, 'new');
    assert.deepEqual(m?.keys, ['k']);
    assert.equal(relay.stats().published, 1);
  } finally {
    await relay.stop();
    await clear();
  }
});

test('a row committed after the first wake-ups is still found promptly, without a poll', async () => {
  const publisher = new RecordingPublisher();
  const relay = createRelay({ outbox, publisher, ...fast, pollIntervalMs: 60_000, listen: DATABASE_URL });
  await relay.start();
  try {
    await t.db.transaction().execute(async (trx) => {
      await outbox.send(trx, { topic: 'orders', body: { n: 'slow transaction' } });
      await sleep(100); // the 10 and 40 ms wake-ups arrive before the commit and find nothing
    });
    const committedAt = Date.now();
    await waitFor('the publish', () => publisher.published.length === 1, 2_000);
    assert.ok(Date.now() - committedAt < 1_000, 'woken by the wake-up that follows the commit');
    assert.deepEqual(bodyJson(publisher.published[0]!), { n: 'slow transaction' });
  } finally {
    await relay.stop();
    await clear();
  }
});

test('a due-later row waits for its deliverAt', async () => {
  const publisher = new RecordingPublisher();
  const relay = createRelay({ outbox, publisher, ...fast });
  await relay.start();
  try {
    const deliverAt = new Date(Date.now() + 700);
    await t.db.transaction().execute((trx) =>
      outbox.sendMany(trx, [
        { topic: 'later', body: 'later', deliverAt },
        { topic: 'now', body: 'now' },
      ]),
    );
    await waitFor('the immediate message', () => publisher.published.length === 1);
    assert.equal(publisher.published[0]?.topic, 'now');
    await waitFor('the delayed message', () => publisher.published.length === 2);
    assert.ok(Date.now() >= deliverAt.getTime() - 5, 'not published before deliverAt');
  } finally {
    await relay.stop();
    await clear();
  }
});

test('failures back off per row, a poison row is parked (not deleted) and can be redriven', async () => {
  const publisher = new RecordingPublisher();
  const attempts = new Map<string, number>();
  publisher.failWith = (m) => {
    attempts.set(m.topic, (attempts.get(m.topic) ?? 0) + 1);
    if (m.topic === 'poison') return new Error('broker rejected it');
    if (m.topic === 'flaky' && (attempts.get('flaky') ?? 0) < 3) return new Error('transient');
    if (m.topic === 'fatal') return new PublishError('topic does not exist', { retryable: false });
    return undefined;
  };
  const relay = createRelay({ outbox, publisher, ...fast, maxAttempts: 4 });
  await relay.start();
  try {
    await t.db.transaction().execute((trx) =>
      outbox.sendMany(trx, [
        { topic: 'poison', body: 1 },
        { topic: 'flaky', body: 2 },
        { topic: 'fine', body: 3 },
        { topic: 'fatal', body: 4 },
      ]),
    );
    await waitFor('poison and fatal parked', async () => (await outbox.stats()).parked === 2);
    await waitFor('flaky published', () => publisher.published.some((m) => m.topic === 'flaky'));
    assert.deepEqual(publisher.published.map((m) => m.topic).sort(), ['fine', 'flaky']);
    assert.equal(attempts.get('poison'), 4, 'the poison row was tried maxAttempts times');
    assert.equal(attempts.get('fatal'), 1, 'a non-retryable error parks at once');
    const parked = await outbox.parked();
    assert.deepEqual(parked.map((p) => p.topic), ['poison', 'fatal']);
    assert.match(parked[0]?.lastError ?? '', /attempt 4: broker rejected it/);
    publisher.failWith = undefined;
    assert.equal(await outbox.redrive([parked[0]!.id]), 1);
    await waitFor('redriven row published', () => publisher.published.some((m) => m.topic === 'poison'));
    assert.equal((await outbox.stats()).parked, 1);
    assert.equal(await outbox.redrive(), 1);
    await waitFor('all published', () => publisher.published.length === 4);
  } finally {
    await relay.stop();
    await clear();
  }
});

test('a failing group does not block other groups, and its later rows wait for it', async () => {
  const publisher = new RecordingPublisher();
  let failing = true;
  publisher.failWith = (m) => (failing && m.messageGroup === 'stuck' ? new Error('down for this key') : undefined);
  const relay = createRelay({ outbox, publisher, ...fast, maxAttempts: 1_000 });
  await relay.start();
  try {
    for (let i = 0; i < 3; i++) {
      await t.db.transaction().execute((trx) =>
        outbox.sendMany(trx, [
          { topic: 'g', body: { i }, messageGroup: 'stuck' },
          { topic: 'g', body: { i }, messageGroup: 'free' },
        ]),
      );
    }
    await waitFor('the free group', () => publisher.published.filter((m) => m.messageGroup === 'free').length === 3);
    await sleep(200);
    assert.equal(publisher.published.filter((m) => m.messageGroup === 'stuck').length, 0);
    failing = false;
    await waitFor('the stuck group', () => publisher.published.filter((m) => m.messageGroup === 'stuck').length === 3, 10_000);
    assert.deepEqual(
      publisher.published.filter((m) => m.messageGroup === 'stuck').map((m) => bodyJson(m).i),
      [0, 1, 2],
    );
  } finally {
    await relay.stop();
    await clear();
  }
});

test('broker down: nothing is parked, the relay pauses, and the backlog drains in order when it returns', async () => {
  const publisher = new RecordingPublisher();
  let down = true;
  let calls = 0;
  publisher.failWith = () => {
    calls++;
    return down ? new PublishError('connect ECONNREFUSED', { retryable: true, unavailable: true }) : undefined;
  };
  // maxAttempts 2: an outage must not count towards parking, however long it lasts.
  const relay = createRelay({ outbox, publisher, ...fast, maxAttempts: 2, backoff: { initialMs: 100, maxMs: 200 } });
  await relay.start();
  try {
    for (let i = 0; i < 50; i++) {
      await t.db.transaction().execute((trx) =>
        outbox.sendMany(trx, [
          { topic: 'b', body: { i }, messageGroup: `g${i % 5}` },
          { topic: 'b', body: { i } },
        ]),
      );
    }
    await sleep(1_000);
    assert.equal(publisher.published.length, 0);
    assert.deepEqual(await outbox.parked(), []);
    assert.equal((await outbox.stats()).pending, 100);
    assert.ok(relay.stats().unavailable > 0);
    const { rows } = await sql<{ n: number }>`select max(attempts)::int as n from ${sql.table(`${t.schema}.outbox`)}`.execute(t.db);
    assert.ok((rows[0]?.n ?? 0) <= 1, `outage failures are not counted (max attempts ${rows[0]?.n})`);
    // Paused, the relay probes with one row every 100-200 ms instead of retrying the whole backlog.
    const before = calls;
    await sleep(1_000);
    assert.ok(calls - before <= 12, `${calls - before} publish attempts in 1 s while paused`);
    down = false;
    await waitFor('the backlog', () => publisher.published.length === 100, 20_000);
    for (let g = 0; g < 5; g++) {
      const order = publisher.published.filter((m) => m.messageGroup === `g${g}`).map((m) => bodyJson(m).i);
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
      assert.equal(order.length, 10);
    }
    await waitFor('empty outbox', async () => (await outbox.stats()).pending === 0);
  } finally {
    await relay.stop();
    await clear();
  }
});

test('two relays in parallel keep per-group order and lose nothing', async () => {
  const published = new RecordingPublisher();
  published.delayMs = () => Math.floor(Math.random() * 4);
  published.failWith = () => (Math.random() < 0.1 ? new Error('random failure') : undefined);
  const relays = [
    createRelay({ outbox, publisher: published, ...fast, batchSize: 20, groupDepth: 4, maxAttempts: 1_000 }),
    createRelay({
      outbox: createOutbox({ db: t.connect(4), schema: t.schema }),
      publisher: published,
      ...fast,
      batchSize: 7,
      groupDepth: 3,
      maxAttempts: 1_000,
    }),
  ];
  await Promise.all(relays.map((r) => r.start()));
  const groups = 8;
  const perGroup = 40;
  try {
    // One writer per group commits its messages in sequence; writers of different groups and
    // ungrouped writes run concurrently, while both relays are already publishing.
    await Promise.all([
      ...Array.from({ length: groups }, async (_, g) => {
        for (let seq = 0; seq < perGroup; seq++) {
          await t.db.transaction().execute((trx) => outbox.send(trx, { topic: 'p', body: { g, seq }, messageGroup: `grp-${g}` }));
        }
      }),
      (async () => {
        for (let i = 0; i < 100; i++) {
          await t.db.transaction().execute((trx) => outbox.send(trx, { topic: 'p', body: { u: i } }));
        }
      })(),
    ]);
    const total = groups * perGroup + 100;
    await waitFor('every message', () => new Set(published.published.map((m) => m.messageId)).size === total, 30_000);
    for (let g = 0; g < groups; g++) {
      const firsts: number[] = [];
      for (const m of published.published) {
        if (m.messageGroup !== `grp-${g}`) continue;
        const { seq } = bodyJson(m);
        if (!firsts.includes(seq)) firsts.push(seq);
      }
      assert.deepEqual(firsts, Array.from({ length: perGroup }, (_, i) => i), `group ${g} in commit order`);
    }
    assert.ok(relays.every((r) => r.stats().published > 0), 'both relays took part');
  } finally {
    await Promise.all(relays.map((r) => r.stop()));
    await clear();
  }
});

test('retention keeps sent rows for the configured time, then sweeps them', async () => {
  const publisher = new RecordingPublisher();
  const relay = createRelay({ outbox, publisher, ...fast, retainSentMs: 300, sweepIntervalMs: 100 });
  await relay.start();
  try {
    await t.db.transaction().execute((trx) => outbox.sendMany(trx, [{ topic: 'r', body: 1 }, { topic: 'r', body: 2 }]));
    await waitFor('sent rows', async () => (await outbox.stats()).sent === 2);
    const { rows } = await sql<{ broker_message_id: string }>`
      select broker_message_id from ${sql.table(`${t.schema}.outbox`)} order by id`.execute(t.db);
    assert.ok(rows.every((r) => r.broker_message_id?.startsWith('t-')));
    await waitFor('the sweep', async () => (await outbox.stats()).sent === 0, 5_000);
    assert.equal(relay.stats().swept, 2);
    assert.equal(publisher.published.length, 2);
  } finally {
    await relay.stop();
    await clear();
  }
});

test('stop() finishes in-flight publishes and records them', async () => {
  const publisher = new RecordingPublisher();
  publisher.delayMs = () => 300;
  const relay = createRelay({ outbox, publisher, ...fast });
  await relay.start();
  await t.db.transaction().execute((trx) => outbox.sendMany(trx, [{ topic: 's', body: 1 }, { topic: 's', body: 2 }]));
  await waitFor('in flight', () => relay.stats().inFlight === 2);
  await relay.stop();
  assert.equal(publisher.published.length, 2);
  assert.equal((await outbox.stats()).pending, 0, 'outcomes were written before stop() resolved');
  assert.equal(relay.stats().state, 'stopped');
  await assert.rejects(relay.start(), /starts once/);
});
