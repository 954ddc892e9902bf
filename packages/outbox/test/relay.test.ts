import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { eventually } from '@txmq/test-support';
import { createOutbox, createRelay, InvalidOptionsError, isOutboxError, PublishError, type Outbox, type Publisher, type RelayTuning } from '../src/index.js';
import { WAKE_UP_DELAYS_MS, WAKE_UP_MIN_GAP_MS } from '../src/outbox/wake-up.js';
import { FakeClock } from './fixtures/fake-clock.js';
import { bodyJson, DATABASE_URL, deferred, RecordingPublisher, testDb } from './helpers.js';

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
    await eventually('the publish', () => publisher.published.length === 1, { timeoutMs: 5_000 });
    assert.ok(Date.now() - started < 5_000);
    // Deleted once published: no row is left that a relay could publish a second time.
    await eventually('the row to be removed', async () => (await outbox.stats()).pending === 0);
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
  // The test sends each wake-up by moving this clock: before the commit, then after it. A schema
  // of its own keeps other tests' wake-ups off its channel.
  const clock = new FakeClock();
  const own = testDb('wake');
  const clocked = createOutbox({ db: own.db, schema: own.schema, clock });
  await clocked.migrate();
  const relay = createRelay({ outbox: clocked, publisher, ...fast, pollIntervalMs: 60_000, listen: DATABASE_URL });
  const listener = new pg.Client({ connectionString: DATABASE_URL });
  await listener.connect();
  let wakeUps = 0;
  listener.on('notification', (n) => {
    if (n.channel === clocked.channel) wakeUps++;
  });
  await listener.query(`listen ${pg.escapeIdentifier(clocked.channel)}`);
  await relay.start();
  const [first, second] = WAKE_UP_DELAYS_MS as [number, number];
  const last = WAKE_UP_DELAYS_MS.at(-1) as number;
  try {
    await own.db.transaction().execute(async (trx) => {
      await clocked.send(trx, { topic: 'orders', body: { n: 'slow transaction' } });
      // The first two wake-ups arrive before the commit and find nothing.
      await clock.advance(Math.max(second, first + WAKE_UP_MIN_GAP_MS));
      await eventually('two wake-ups', () => wakeUps === 2);
      assert.equal(publisher.published.length, 0, 'nothing is visible before the commit');
    });
    // The poll interval is a minute: only the later wake-ups, sent after the commit, can publish it.
    await clock.advance(last);
    await eventually('the publish', () => publisher.published.length === 1, { timeoutMs: 2_000 });
    await eventually('every wake-up', () => wakeUps === WAKE_UP_DELAYS_MS.length);
    assert.deepEqual(bodyJson(publisher.published[0]!), { n: 'slow transaction' });
  } finally {
    await listener.end();
    await relay.stop();
    await own.close();
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
    await eventually('the immediate message', () => publisher.published.length === 1);
    assert.equal(publisher.published[0]?.topic, 'now');
    await eventually('the delayed message', () => publisher.published.length === 2);
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
    if (m.topic === 'fatal') return new PublishError('topic does not exist', { retryable: false, transportCode: 'TOPIC_NOT_FOUND', status: 40402 });
    return undefined;
  };
  const reported: unknown[] = [];
  const relay = createRelay({ outbox, publisher, ...fast, maxAttempts: 4, onError: (error) => reported.push(error) });
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
    await eventually('poison and fatal parked', async () => (await outbox.stats()).parked === 2);
    await eventually('flaky published', () => publisher.published.some((m) => m.topic === 'flaky'));
    assert.deepEqual(publisher.published.map((m) => m.topic).sort(), ['fine', 'flaky']);
    assert.equal(attempts.get('poison'), 4, 'the poison row was tried maxAttempts times');
    assert.equal(attempts.get('fatal'), 1, 'a non-retryable error parks at once');
    const parked = await outbox.parked();
    assert.deepEqual(parked.map((p) => p.topic), ['poison', 'fatal']);
    assert.match(parked[0]?.lastError ?? '', /attempt 4: broker rejected it/);
    assert.equal(parked[0]?.lastErrorCode, undefined, 'a plain error has no code');
    assert.deepEqual(
      [parked[1]?.lastError, parked[1]?.lastErrorCode, parked[1]?.lastErrorStatus],
      ['attempt 1: topic does not exist', 'TOPIC_NOT_FOUND', 40402],
      'the parked row says why',
    );
    // onError saw every failed publish: 4 poison, 2 flaky, 1 fatal; each a PublishError naming the message.
    const failures = reported.filter((e): e is PublishError => e instanceof PublishError);
    assert.equal(failures.length, 7);
    assert.equal(failures.filter((e) => /to topic poison failed: broker rejected it/.test(e.message)).length, 4);
    assert.ok(failures.some((e) => e.transportCode === 'TOPIC_NOT_FOUND' && e.status === 40402 && !e.retryable));
    const stats = relay.stats();
    assert.equal(stats.parked, 2);
    assert.match(stats.lastPublishFailure?.error ?? '', /^attempt \d+: /);
    assert.match(stats.lastError ?? '', /failed|does not exist/);
    publisher.failWith = undefined;
    assert.equal(await outbox.redrive([parked[0]!.id]), 1);
    await eventually('redriven row published', () => publisher.published.some((m) => m.topic === 'poison'));
    assert.equal((await outbox.stats()).parked, 1);
    assert.equal(await outbox.redrive(), 1);
    await eventually('all published', () => publisher.published.length === 4);
  } finally {
    await relay.stop();
    await clear();
  }
});

test('a failing group does not block other groups, and its later rows wait for it', async () => {
  const publisher = new RecordingPublisher();
  let failing = true;
  const stuckAttempts: number[] = [];
  publisher.failWith = (m) => {
    if (!failing || m.messageGroup !== 'stuck') return undefined;
    stuckAttempts.push(bodyJson(m).i);
    return new Error('down for this key');
  };
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
    await eventually('the free group', () => publisher.published.filter((m) => m.messageGroup === 'free').length === 3);
    // The stuck group's head keeps failing; its later rows are never tried before it.
    await eventually('three failed attempts at the stuck head', () => stuckAttempts.length >= 3);
    assert.equal(publisher.published.filter((m) => m.messageGroup === 'stuck').length, 0);
    assert.deepEqual(new Set(stuckAttempts), new Set([0]), 'only the head of the stuck group was attempted');
    failing = false;
    await eventually('the stuck group', () => publisher.published.filter((m) => m.messageGroup === 'stuck').length === 3, { timeoutMs: 10_000 });
    assert.deepEqual(
      publisher.published.filter((m) => m.messageGroup === 'stuck').map((m) => bodyJson(m).i),
      [0, 1, 2],
    );
  } finally {
    await relay.stop();
    await clear();
  }
});

test('up to maxInFlight publishes run at once, a group counting once, and rows of one group never overlap', async () => {
  let running = 0;
  let most = 0;
  const runningGroups = new Set<string>();
  const overlaps: string[] = [];
  const order = new Map<string, number[]>();
  const gate = deferred();
  const publisher: Publisher = {
    async publish(m) {
      running++;
      most = Math.max(most, running);
      const group = m.messageGroup;
      if (group !== undefined) {
        if (runningGroups.has(group)) overlaps.push(group);
        runningGroups.add(group);
        order.set(group, [...(order.get(group) ?? []), bodyJson(m).i]);
      }
      await gate.promise;
      await new Promise((resolve) => setImmediate(resolve));
      if (group !== undefined) runningGroups.delete(group);
      running--;
    },
  };
  await t.db.transaction().execute((trx) =>
    outbox.sendMany(trx, [
      ...Array.from({ length: 20 }, (_, i) => ({ topic: 'w', body: { i }, messageGroup: `w-${i % 2}` })),
      ...Array.from({ length: 30 }, (_, i) => ({ topic: 'w', body: { i } })),
    ]),
  );
  const relay = createRelay({ outbox, publisher, ...fast, maxInFlight: 8, batchSize: 50, groupDepth: 10 });
  await relay.start();
  try {
    // Nothing settles before the gate opens: the window fills with 8 lanes (two of them groups).
    await eventually('a full window', () => running === 8);
    assert.ok(relay.stats().inFlight >= 8, 'the groups\' waiting rows are held too');
    gate.resolve();
    await eventually('every row published', async () => (await outbox.stats()).pending === 0, { timeoutMs: 10_000 });
    assert.equal(most, 8, 'never more than maxInFlight at once');
    assert.deepEqual(overlaps, []);
    assert.deepEqual(order.get('w-0'), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    assert.deepEqual(order.get('w-1'), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    assert.equal(relay.stats().published, 50);
  } finally {
    await relay.stop();
    await clear();
  }
});

test('broker down: nothing is parked, the relay pauses, and the backlog drains in order when it returns', async () => {
  const publisher = new RecordingPublisher();
  let down = true;
  /** The relay's in-flight count at each failed publish. */
  const inFlightAtFailure: number[] = [];
  publisher.failWith = () => {
    if (!down) return undefined;
    inFlightAtFailure.push(relay.stats().inFlight);
    return new PublishError('connect ECONNREFUSED', { retryable: true, unavailable: true, transportCode: 'BROKER_UNREACHABLE' });
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
    const failuresBefore = inFlightAtFailure.length;
    // More failed probes than maxAttempts, after the whole backlog was written.
    await eventually('five more failed probes', () => inFlightAtFailure.length >= failuresBefore + 5);
    assert.equal(publisher.published.length, 0);
    assert.deepEqual(await outbox.parked(), []);
    assert.equal((await outbox.stats()).pending, 100);
    assert.ok(relay.stats().unavailable >= 5);
    assert.equal(relay.stats().lastPublishFailure?.code, 'BROKER_UNREACHABLE');
    const { rows } = await sql<{ n: number }>`select max(attempts)::int as n from ${sql.table(`${t.schema}.outbox`)}`.execute(t.db);
    assert.ok((rows[0]?.n ?? 0) <= 1, `outage failures are not counted (max attempts ${rows[0]?.n})`);
    // Paused, the relay probes with one row at a time instead of retrying the whole backlog.
    assert.deepEqual(inFlightAtFailure.slice(-5), [1, 1, 1, 1, 1]);
    down = false;
    await eventually('the backlog', () => publisher.published.length === 100, { timeoutMs: 20_000 });
    for (let g = 0; g < 5; g++) {
      const order = publisher.published.filter((m) => m.messageGroup === `g${g}`).map((m) => bodyJson(m).i);
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
      assert.equal(order.length, 10);
    }
    await eventually('empty outbox', async () => (await outbox.stats()).pending === 0);
  } finally {
    await relay.stop();
    await clear();
  }
});

test('two relays in parallel keep per-group order and lose nothing', async () => {
  const published = new RecordingPublisher();
  published.latencyMs = () => Math.floor(Math.random() * 4);
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
    await eventually('every message', () => new Set(published.published.map((m) => m.messageId)).size === total, { timeoutMs: 30_000 });
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
    await eventually('sent rows', async () => (await outbox.stats()).sent === 2);
    const { rows } = await sql<{ broker_message_id: string }>`
      select broker_message_id from ${sql.table(`${t.schema}.outbox`)} order by id`.execute(t.db);
    assert.ok(rows.every((r) => r.broker_message_id?.startsWith('t-')));
    await eventually('the sweep', async () => (await outbox.stats()).sent === 0, { timeoutMs: 5_000 });
    assert.equal(relay.stats().swept, 2);
    assert.equal(publisher.published.length, 2);
  } finally {
    await relay.stop();
    await clear();
  }
});

test('stop() finishes in-flight publishes and records them', async () => {
  const publisher = new RecordingPublisher();
  const gate = deferred();
  publisher.gate = gate.promise;
  const relay = createRelay({ outbox, publisher, ...fast });
  await relay.start();
  await t.db.transaction().execute((trx) => outbox.sendMany(trx, [{ topic: 's', body: 1 }, { topic: 's', body: 2 }]));
  await eventually('in flight', () => relay.stats().inFlight === 2);
  let stopped = false;
  const stopping = relay.stop().then(() => (stopped = true));
  await eventually('the relay to be stopping', () => relay.stats().state === 'stopping');
  assert.equal(stopped, false, 'stop() waits for the publishes in flight');
  gate.resolve();
  await stopping;
  assert.equal(publisher.published.length, 2);
  assert.equal((await outbox.stats()).pending, 0, 'outcomes were written before stop() resolved');
  assert.equal(relay.stats().state, 'stopped');
  await assert.rejects(relay.start(), /starts once/);
});

test('bad options throw InvalidOptionsError naming the option, before any I/O', () => {
  const publisher = new RecordingPublisher();
  const cases: Array<[unknown, string]> = [
    [null, 'options'],
    [{ publisher }, 'outbox'],
    [{ outbox: {}, publisher }, 'outbox'],
    [{ outbox }, 'endpoints'],
    [{ outbox, endpoints: '' }, 'endpoints'],
    [{ outbox, publisher: {} }, 'publisher'],
    [{ outbox, publisher, endpoints: '127.0.0.1:1' }, 'endpoints'],
    [{ outbox, publisher, namespace: 'shop' }, 'namespace'],
    [{ outbox, endpoints: '127.0.0.1:1', namespace: 42 }, 'namespace'],
    [{ outbox, publisher, logger: console }, 'logger'],
    [{ outbox, endpoints: '127.0.0.1:1', logger: { info() {} } }, 'logger'],
    [{ outbox, publisher, listen: 42 }, 'listen'],
    [{ outbox, publisher, onError: 'log' }, 'onError'],
    [{ outbox, publisher, batchSize: 0 }, 'batchSize'],
    [{ outbox, publisher, backoff: { factor: 0.5 } }, 'backoff.factor'],
    [{ outbox, publisher, leaseMs: 1_000, publishTimeoutMs: 1_000 }, 'publishTimeoutMs'],
    // The broker producer's request timeout is the publish timeout, and it needs at least 1000 ms.
    [{ outbox, endpoints: '127.0.0.1:1', publishTimeoutMs: 999 }, 'publishTimeoutMs'],
  ];
  for (const [options, option] of cases) {
    assert.throws(
      () => createRelay(options as never),
      (error: unknown) => error instanceof InvalidOptionsError && error.option === option && isOutboxError(error, 'INVALID_OPTIONS'),
      `expected InvalidOptionsError(${option}) for ${JSON.stringify(options, (k, v) => (k === 'outbox' || k === 'publisher' ? typeof v : v))}`,
    );
  }
  // With endpoints, the relay's broker publisher is created without connecting.
  assert.equal(createRelay({ outbox, endpoints: '127.0.0.1:1' }).stats().state, 'idle');
  assert.equal(createRelay({ outbox, endpoints: '127.0.0.1:1', namespace: 'shop' }).stats().state, 'idle');
});

test('the relay claims nothing until its publisher has started, and retries a failed start', async () => {
  const publisher = new RecordingPublisher();
  let starts = 0;
  const starting = Object.assign(publisher, {
    async start() {
      starts++;
      if (starts < 3) throw new PublishError('not yet', { retryable: true, unavailable: true });
    },
  });
  const errors: unknown[] = [];
  await t.db.transaction().execute((trx) => outbox.send(trx, { topic: 'started', body: 1 }));
  const relay = createRelay({ outbox, publisher: starting, ...fast, onError: (error) => errors.push(error) });
  await relay.start();
  try {
    await eventually('the publish', () => publisher.published.length === 1);
    assert.equal(starts, 3);
    assert.equal(errors.length, 2, 'each failed start was reported');
    assert.equal(relay.stats().claimed, 1, 'nothing was claimed before the publisher started');
  } finally {
    await relay.stop();
    await clear();
  }
});

test('stop() does not wait for a publisher start that is still under way', async () => {
  const publisher = Object.assign(new RecordingPublisher(), {
    start: () => new Promise<void>(() => undefined), // never connects
  });
  const relay = createRelay({ outbox, publisher, ...fast });
  await relay.start();
  await relay.stop();
  assert.equal(relay.stats().state, 'stopped');
});

test('stop() returns at once while the relay\'s broker publisher is still trying to connect', async () => {
  // Nothing listens on port 1: the producer's start would keep trying for its startupTimeoutMs (30 s).
  const relay = createRelay({ outbox, endpoints: '127.0.0.1:1', ...fast, onError: () => undefined });
  await relay.start();
  const stopping = Date.now();
  await relay.stop();
  assert.ok(Date.now() - stopping < 3_000, `stop() took ${Date.now() - stopping} ms`);
  assert.equal(relay.stats().state, 'stopped');
});

test('a publish that times out is an outage: it pauses the relay and parks nothing', async () => {
  let hung = true;
  const unhang: Array<() => void> = [];
  const publisher = new RecordingPublisher();
  const hanging: Publisher = {
    publish: (message) => (hung ? new Promise((resolve) => unhang.push(() => resolve({}))) : publisher.publish(message)),
  };
  // maxAttempts 1: a counted timeout would park the row at once.
  const relay = createRelay({ outbox, publisher: hanging, ...fast, publishTimeoutMs: 50, maxAttempts: 1 });
  await relay.start();
  try {
    await t.db.transaction().execute((trx) => outbox.send(trx, { topic: 'hung', body: 1 }));
    await eventually('three timed-out publishes', () => relay.stats().unavailable >= 3);
    assert.equal(relay.stats().lastPublishFailure?.code, 'PUBLISH_TIMEOUT');
    assert.equal(relay.stats().parked, 0);
    assert.deepEqual(await outbox.parked(), []);
    hung = false;
    await eventually('the publish', () => publisher.published.length === 1);
  } finally {
    for (const resolve of unhang) resolve();
    await relay.stop();
    await clear();
  }
});
