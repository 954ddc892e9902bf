import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { eventually } from '@txmq/test-support';
import { sql } from 'kysely';
import { Gauge, register as globalRegistry, Registry } from 'prom-client';
import { createOutbox, createRelay, InvalidOptionsError, PublishError, type Outbox, type Publisher, type Relay, type RelayTuning } from '../src/index.js';
import { PendingCache } from '../src/relay/metrics/pending-cache.js';
import { RELAY_METRIC_NAMES } from '../src/relay/metrics/prometheus-metrics.js';
import { startBrokerProcess } from './fixtures/broker-process.js';
import { parsePrometheusText, sampleValue, type Sample } from './fixtures/prometheus-text.js';
import { randomSchema, RecordingPublisher, testDb, type TestDb } from './helpers.js';

const QUIET = { info() {}, warn() {}, error() {} };
const fast: RelayTuning = { pollIntervalMs: 20, backoff: { initialMs: 10, maxMs: 40 }, leaseMs: 2_000, publishTimeoutMs: 1_000 };
const dbs: TestDb[] = [];
const relays: Relay[] = [];
after(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  await Promise.all(dbs.map((d) => d.close()));
});

async function freshOutbox(prefix = 'metrics'): Promise<{ outbox: Outbox; t: TestDb }> {
  const t = testDb(prefix);
  dbs.push(t);
  const outbox = createOutbox({ db: t.db, schema: t.schema, notify: false });
  await outbox.migrate();
  return { outbox, t };
}

function relay(options: Parameters<typeof createRelay>[0]): Relay {
  const created = createRelay(options);
  relays.push(created);
  return created;
}

async function scrape(registry: Registry): Promise<Sample[]> {
  return parsePrometheusText(await registry.metrics());
}

test('the counters match what the relay published, failed and parked; the registry text parses; relay.metrics() agrees', async () => {
  const { outbox, t } = await freshOutbox();
  const registry = new Registry();
  const publisher = new RecordingPublisher();
  // Poison rows are refused for good (parked at once); flaky rows fail their first attempt only.
  publisher.failWith = (m) => {
    if (m.topic === 'poison') return new PublishError('refused', { retryable: false, transportCode: 'ILLEGAL_MESSAGE_TAG', status: 40004 });
    if (m.topic === 'flaky' && m.attempt === 1) return new Error('try again');
    return undefined;
  };
  const r = relay({ outbox, publisher, ...fast, metrics: { registry, pendingCacheMs: 0 } });
  const schema = { schema: t.schema };
  // Registered from createRelay on: the series exist, at zero, before start().
  let samples = await scrape(registry);
  for (const name of ['txmq_relay_published_total', 'txmq_relay_failed_total', 'txmq_relay_parked_total', 'txmq_relay_pending_rows', 'txmq_relay_outage']) {
    assert.equal(sampleValue(samples, name, schema), 0, name);
  }
  await r.start();
  await t.db.transaction().execute((trx) =>
    outbox.sendMany(trx, [
      ...Array.from({ length: 5 }, (_, i) => ({ topic: 'fine', body: { i } })),
      { topic: 'poison', body: 1 },
      { topic: 'poison', body: 2, messageGroup: 'g' },
      ...Array.from({ length: 3 }, (_, i) => ({ topic: 'flaky', body: { i } })),
    ]),
  );
  await eventually('8 published, 2 parked', () => publisher.published.length === 8 && r.stats().parked === 2, { timeoutMs: 5_000 });
  await eventually('the outbox drained', async () => (await outbox.stats()).pending === 0);

  const text = await registry.metrics();
  samples = parsePrometheusText(text);
  assert.equal(sampleValue(samples, 'txmq_relay_published_total', schema), 8);
  assert.equal(sampleValue(samples, 'txmq_relay_failed_total', schema), 5, '2 refused + 3 first attempts of the flaky rows');
  assert.equal(sampleValue(samples, 'txmq_relay_parked_total', schema), 2);
  assert.equal(sampleValue(samples, 'txmq_relay_pending_rows', schema), 0, 'parked rows are not pending');
  assert.equal(sampleValue(samples, 'txmq_relay_oldest_pending_age_seconds', schema), 0);
  assert.equal(sampleValue(samples, 'txmq_relay_outage', schema), 0);
  for (const [name, type] of [
    ['txmq_relay_pending_rows', 'gauge'],
    ['txmq_relay_oldest_pending_age_seconds', 'gauge'],
    ['txmq_relay_published_total', 'counter'],
    ['txmq_relay_failed_total', 'counter'],
    ['txmq_relay_parked_total', 'counter'],
    ['txmq_relay_outage', 'gauge'],
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'));
    assert.match(text, new RegExp(`^# HELP ${name} \\S`, 'm'));
  }
  const stats = r.stats();
  assert.deepEqual(await r.metrics(), {
    schema: t.schema,
    pendingRows: 0,
    oldestPendingAgeSeconds: 0,
    published: stats.published,
    failed: stats.failed,
    parked: stats.parked,
    outage: false,
  });
  assert.deepEqual([stats.published, stats.failed, stats.parked], [8, 5, 2]);

  await r.stop();
  assert.equal((await registry.metrics()).trim(), '', 'the relay\'s metrics leave the registry on stop()');
  for (const name of RELAY_METRIC_NAMES) assert.equal(registry.getSingleMetric(name), undefined);
});

test('pending rows and the oldest pending age are read from the table at scrape, parked rows excluded', async () => {
  const { outbox, t } = await freshOutbox();
  const registry = new Registry();
  // Never started: the figures come from the table, whatever relays do.
  const r = relay({ outbox, publisher: new RecordingPublisher(), metrics: { registry, pendingCacheMs: 0 } });
  await t.db.transaction().execute((trx) =>
    outbox.sendMany(trx, [
      { topic: 'a', body: 1 },
      { topic: 'a', body: 2, messageGroup: 'g1' },
      { topic: 'a', body: 3, deliverAt: new Date(Date.now() + 3_600_000) },
      { topic: 'a', body: 4, messageGroup: 'g2' },
    ]),
  );
  const table = sql.table(`${t.schema}.outbox`);
  const { rows } = await sql<{ id: string }>`select id from ${table} order by id`.execute(t.db);
  const [first, second, , fourth] = rows.map((row) => String(row.id));
  await sql`update ${table} set created_at = now() - interval '90 seconds' where id = ${second}`.execute(t.db);
  // An even older row that is parked counts neither as pending nor towards the age.
  await sql`update ${table} set status = 'parked', created_at = now() - interval '1 hour' where id = ${fourth}`.execute(t.db);
  const samples = await scrape(registry);
  const schema = { schema: t.schema };
  assert.equal(sampleValue(samples, 'txmq_relay_pending_rows', schema), 3);
  const age = sampleValue(samples, 'txmq_relay_oldest_pending_age_seconds', schema)!;
  assert.ok(age >= 90 && age < 120, `oldest pending age ${age}`);
  const snapshot = await r.metrics();
  assert.equal(snapshot.pendingRows, 3);
  assert.ok(snapshot.oldestPendingAgeSeconds >= 90 && snapshot.oldestPendingAgeSeconds < 120);
  // outbox.stats() agrees.
  const stats = await outbox.stats();
  assert.equal(stats.pending, 3);
  assert.ok(Math.abs(stats.oldestPendingAgeMs / 1000 - age) < 5);
  assert.ok(first !== undefined);
});

test('the pending figures are read once per pendingCacheMs; a failed read is not kept', async () => {
  const { outbox, t } = await freshOutbox();
  let now = 1_000_000;
  const cache = new PendingCache({ db: t.db, schema: t.schema, maxAgeMs: 1_000, now: () => now });
  const [a, b] = await Promise.all([cache.read(), cache.read()]);
  assert.equal(a, b, 'concurrent readers share one read');
  assert.equal(a.rows, 0);
  await t.db.transaction().execute((trx) => outbox.send(trx, { topic: 'a', body: 1 }));
  now += 1_000;
  assert.equal((await cache.read()).rows, 0, 'still within pendingCacheMs: the cached figure');
  now += 1;
  assert.equal((await cache.read()).rows, 1, 'after pendingCacheMs: read again');

  const broken = new PendingCache({ db: t.db, schema: randomSchema('nope'), maxAgeMs: 60_000, now: () => now });
  await assert.rejects(broken.read(), /does not exist/);
  await assert.rejects(broken.read(), /does not exist/, 'a failure is not cached as a value');
});

test('txmq_relay_outage is 1 while the broker is considered down (publisher start failing, or publishes failing with an outage)', async () => {
  const { outbox, t } = await freshOutbox();
  const registry = new Registry();
  let startFails = true;
  let down = true;
  const publisher: Publisher = {
    async start() {
      if (startFails) throw new PublishError('connect ECONNREFUSED', { retryable: true, unavailable: true, transportCode: 'BROKER_UNREACHABLE' });
    },
    async publish() {
      if (down) throw new PublishError('connect ECONNREFUSED', { retryable: true, unavailable: true, transportCode: 'BROKER_UNREACHABLE' });
      return { transportMessageId: 'x' };
    },
  };
  const r = relay({ outbox, publisher, ...fast, metrics: { registry, pendingCacheMs: 0 } });
  const outage = async () => sampleValue(await scrape(registry), 'txmq_relay_outage', { schema: t.schema });
  assert.equal(await outage(), 0, 'not started: no outage known');
  await r.start();
  await eventually('outage while the publisher cannot start', async () => (await outage()) === 1);
  assert.equal((await r.metrics()).outage, true);
  startFails = false;
  await eventually('no outage once it started', async () => (await outage()) === 0);
  await t.db.transaction().execute((trx) => outbox.send(trx, { topic: 'a', body: 1 }));
  await eventually('outage while publishes fail with an outage', async () => (await outage()) === 1 && r.stats().unavailable > 0);
  const during = await r.metrics();
  assert.equal(during.pendingRows, 1);
  assert.equal(during.failed, r.stats().failed);
  assert.equal(during.parked, 0, 'an outage parks nothing');
  down = false;
  await eventually('no outage once a publish gets through', async () => (await outage()) === 0 && r.stats().published === 1);
  const samples = await scrape(registry);
  assert.equal(sampleValue(samples, 'txmq_relay_published_total', { schema: t.schema }), 1);
  assert.equal(sampleValue(samples, 'txmq_relay_failed_total', { schema: t.schema }), r.stats().failed);
});

test('against a real broker: a refused message is failed and parked, a dead broker is an outage', async () => {
  const broker = await startBrokerProcess({ topics: { 'm-fifo': { messageType: 'FIFO' } } });
  try {
    const { outbox, t } = await freshOutbox();
    const registry = new Registry();
    const r = relay({ outbox, endpoints: broker.endpoint, logger: QUIET, ...fast, metrics: { registry, pendingCacheMs: 0 } });
    await r.start();
    await t.db.transaction().execute((trx) =>
      outbox.sendMany(trx, [
        { topic: 'm-plain', body: 1 },
        { topic: 'm-plain', body: 2 },
        { topic: 'm-fifo', body: 3, messageGroup: 'g' },
        // A FIFO topic takes only messages with a group: the broker refuses this one for good.
        { topic: 'm-fifo', body: 4 },
      ]),
    );
    await eventually('3 published, 1 parked', () => r.stats().published === 3 && r.stats().parked === 1, { timeoutMs: 10_000 });
    const schema = { schema: t.schema };
    let samples = await scrape(registry);
    assert.equal(sampleValue(samples, 'txmq_relay_published_total', schema), 3);
    assert.equal(sampleValue(samples, 'txmq_relay_failed_total', schema), 1);
    assert.equal(sampleValue(samples, 'txmq_relay_parked_total', schema), 1);
    assert.equal(sampleValue(samples, 'txmq_relay_outage', schema), 0);
    assert.equal((await outbox.parked())[0]?.lastErrorCode, 'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE');

    await broker.close();
    await t.db.transaction().execute((trx) => outbox.send(trx, { topic: 'm-plain', body: 5 }));
    await eventually('an outage', async () => sampleValue(await scrape(registry), 'txmq_relay_outage', schema) === 1, { timeoutMs: 10_000 });
    samples = await scrape(registry);
    assert.equal(sampleValue(samples, 'txmq_relay_pending_rows', schema), 1);
    assert.equal(sampleValue(samples, 'txmq_relay_parked_total', schema), 1, 'an outage parks nothing');
    assert.ok(sampleValue(samples, 'txmq_relay_failed_total', schema)! >= 2);
  } finally {
    await broker.close();
  }
});

test('relays of several schemas share a registry, labelled by schema; a second relay of one schema is refused until the first stops', async () => {
  const a = await freshOutbox('ma');
  const b = await freshOutbox('mb');
  const registry = new Registry();
  const ra = relay({ outbox: a.outbox, publisher: new RecordingPublisher(), ...fast, metrics: { registry, pendingCacheMs: 0 } });
  const rb = relay({ outbox: b.outbox, publisher: new RecordingPublisher(), ...fast, metrics: { registry, pendingCacheMs: 0 } });
  await ra.start();
  await rb.start();
  await a.t.db.transaction().execute((trx) => a.outbox.sendMany(trx, [{ topic: 'x', body: 1 }, { topic: 'x', body: 2 }]));
  await b.t.db.transaction().execute((trx) => b.outbox.send(trx, { topic: 'x', body: 3 }));
  await eventually('both published', () => ra.stats().published === 2 && rb.stats().published === 1);
  let samples = await scrape(registry);
  assert.equal(sampleValue(samples, 'txmq_relay_published_total', { schema: a.t.schema }), 2);
  assert.equal(sampleValue(samples, 'txmq_relay_published_total', { schema: b.t.schema }), 1);
  assert.equal(samples.filter((s) => s.name === 'txmq_relay_pending_rows').length, 2);

  assert.throws(
    () => createRelay({ outbox: a.outbox, publisher: new RecordingPublisher(), metrics: { registry } }),
    (error: unknown) =>
      error instanceof InvalidOptionsError && error.option === 'metrics' && error.message.includes(`a relay of schema "${a.t.schema}" already reports to this registry`),
  );
  // Another prefix is another set of metrics in the same registry.
  const prefixed = relay({ outbox: a.outbox, publisher: new RecordingPublisher(), metrics: { registry, prefix: 'shop_', pendingCacheMs: 0 } });
  samples = await scrape(registry);
  assert.equal(sampleValue(samples, 'shop_txmq_relay_published_total', { schema: a.t.schema }), 0);
  await prefixed.stop();

  await ra.stop();
  samples = await scrape(registry);
  assert.equal(sampleValue(samples, 'txmq_relay_published_total', { schema: a.t.schema }), undefined, 'a stopped relay\'s series are gone');
  assert.equal(sampleValue(samples, 'txmq_relay_published_total', { schema: b.t.schema }), 1);
  assert.equal(sampleValue(samples, 'shop_txmq_relay_published_total', { schema: a.t.schema }), undefined);
  const again = relay({ outbox: a.outbox, publisher: new RecordingPublisher(), metrics: { registry, pendingCacheMs: 0 } });
  assert.equal(sampleValue(await scrape(registry), 'txmq_relay_published_total', { schema: a.t.schema }), 0);
  await again.stop();
  await rb.stop();
  assert.equal((await registry.metrics()).trim(), '');
});

test('bad metrics options throw InvalidOptionsError naming the option, and leave nothing registered', async () => {
  const { outbox } = await freshOutbox();
  const registry = new Registry();
  const publisher = new RecordingPublisher();
  const cases: Array<[unknown, string]> = [
    [1, 'metrics'],
    [{ registry: {} }, 'metrics.registry'],
    [{ registry, prefix: '1x' }, 'metrics.prefix'],
    [{ registry, prefix: 'a-b' }, 'metrics.prefix'],
    [{ registry, pendingCacheMs: -1 }, 'metrics.pendingCacheMs'],
    [{ registry, pendingCacheMs: 1.5 }, 'metrics.pendingCacheMs'],
  ];
  for (const [metrics, option] of cases) {
    assert.throws(
      () => createRelay({ outbox, publisher, metrics: metrics as never }),
      (error: unknown) => error instanceof InvalidOptionsError && error.option === option,
      JSON.stringify(metrics),
    );
  }
  assert.throws(() => createRelay({ outbox, publisher, maxAttempts: 0, metrics: { registry } }), InvalidOptionsError);
  assert.deepEqual(await registry.getMetricsAsJSON(), []);

  const foreign = new Registry();
  new Gauge({ name: 'txmq_relay_outage', help: 'someone else', registers: [foreign] });
  assert.throws(
    () => createRelay({ outbox, publisher, metrics: { registry: foreign } }),
    (error: unknown) => error instanceof InvalidOptionsError && error.option === 'metrics.registry' && /txmq_relay_outage/.test(error.message),
  );
  assert.equal((await foreign.getMetricsAsJSON()).length, 1);
});

test('without a registry, prom-client\'s global one; a failed pending read leaves the pending samples out, reaches onError, and the scrape still answers', async () => {
  const t = testDb('nometrics');
  dbs.push(t);
  // An outbox that was never migrated: the pending query fails.
  const outbox = createOutbox({ db: t.db, schema: t.schema, notify: false });
  const errors: unknown[] = [];
  const r = relay({ outbox, publisher: new RecordingPublisher(), metrics: { pendingCacheMs: 0 }, onError: (e) => errors.push(e) });
  try {
    const samples = parsePrometheusText(await globalRegistry.metrics());
    assert.equal(sampleValue(samples, 'txmq_relay_pending_rows', { schema: t.schema }), undefined);
    assert.equal(sampleValue(samples, 'txmq_relay_oldest_pending_age_seconds', { schema: t.schema }), undefined);
    assert.equal(sampleValue(samples, 'txmq_relay_published_total', { schema: t.schema }), 0);
    assert.ok(errors.length >= 1 && errors.every((e) => /does not exist/.test((e as Error).message)));
    await assert.rejects(r.metrics(), /does not exist/);
  } finally {
    await r.stop();
  }
  assert.equal(globalRegistry.getSingleMetric('txmq_relay_pending_rows'), undefined);
});
