// The relay and the transactional sender against a broker process with users (`acl`) and TLS,
// on a certificate made here: the right credentials publish; refused ones leave every row
// pending and say why, through onError, stats, metrics, or the logger when there is no onError.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createSimpleConsumer } from '@txmq/broker/client';
import { collectMessages, eventually } from '@txmq/test-support';
import { sql } from 'kysely';
import {
  createOutbox,
  createRelay,
  createTransactionalSender,
  decodeBody,
  InvalidOptionsError,
  PublishError,
  type ClientCredentials,
  type Outbox,
  type Relay,
  type RelayTuning,
} from '../src/index.js';
import { startBrokerProcess, type BrokerProcess } from './fixtures/broker-process.js';
import { RecordingPublisher, testDb } from './helpers.js';

const QUIET = { info() {}, warn() {}, error() {} };
const SECRET = `relay-${randomBytes(8).toString('hex')}`;
const RIGHT: ClientCredentials = { accessKey: 'relay-app', accessSecret: SECRET };
const WRONG: ClientCredentials = { accessKey: 'relay-app', accessSecret: 'not-the-secret' };
const fast: RelayTuning = { pollIntervalMs: 50, backoff: { initialMs: 100, maxMs: 400 }, leaseMs: 5_000, publishTimeoutMs: 2_000 };

const dir = mkdtempSync(join(tmpdir(), 'txmq-outbox-secured-'));
const certFile = join(dir, 'server.pem');
const t = testDb('secured');
let broker: BrokerProcess;
let outbox: Outbox;
const relays: Relay[] = [];

before(async () => {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(dir, 'server-key.pem'), '-out', certFile,
  ], { stdio: 'ignore' });
  broker = await startBrokerProcess({
    tls: { certFile, keyFile: join(dir, 'server-key.pem') },
    transaction: { checkImmunityMs: 300, checkIntervalMs: 300 },
    acl: {
      users: [
        { accessKey: 'relay-app', secret: SECRET, topics: { 'sec-*': ['pub', 'sub'] }, groups: { 'sec-*': ['sub'] } },
      ],
    },
  });
  outbox = createOutbox({ db: t.db, schema: t.schema });
  await outbox.migrate();
});
after(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  await broker?.close();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const topicName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** A relay of the test outbox to the broker over TLS; `options` add credentials and the rest. */
function relay(options: Omit<RelayTuning, 'listen'> & { credentials?: ClientCredentials; logger?: typeof QUIET }): Relay {
  const created = createRelay({ outbox, endpoints: broker.endpoint, tlsRootCertFile: certFile, logger: QUIET, ...fast, ...options });
  relays.push(created);
  return created;
}

function reader(topic: string) {
  const consumer = createSimpleConsumer({
    endpoints: broker.endpoint, tlsRootCertFile: certFile, credentials: RIGHT,
    group: topicName('sec-g'), subscriptions: { [topic]: '*' }, awaitMs: 300, logger: QUIET,
  });
  return collectMessages(consumer);
}

async function pendingOf(topic: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from ${sql.table(`${t.schema}.outbox`)} where topic = ${topic} and status = 'pending'`.execute(t.db);
  return rows[0]!.n;
}

test('with the right credentials over TLS the relay publishes every row', async () => {
  const topic = topicName('sec-ok');
  const r = relay({ credentials: RIGHT });
  const read = reader(topic);
  try {
    await r.start();
    await t.db.transaction().execute((trx) => outbox.sendMany(trx, [1, 2, 3].map((n) => ({ topic, body: { n } }))));
    const got = await read.drain((all) => all.length >= 3);
    assert.deepEqual(got.map((m) => decodeBody(m)).sort((a: any, b: any) => a.n - b.n), [{ n: 1 }, { n: 2 }, { n: 3 }]);
    assert.equal(await pendingOf(topic), 0);
    assert.equal(r.stats().published, 3);
    assert.equal((await r.metrics()).outage, false);
  } finally {
    await Promise.all([r.stop(), read.close()]);
  }
});

test('a wrong secret: the rows stay pending, the error says the broker refused the signature, starts back off; the right secret then publishes them all', async () => {
  const topic = topicName('sec-wrong');
  await t.db.transaction().execute((trx) => outbox.sendMany(trx, [1, 2].map((n) => ({ topic, body: { n } }))));
  const errors: unknown[] = [];
  const refused = relay({ credentials: WRONG, onError: (error) => errors.push(error) });
  await refused.start();
  await eventually('three refused starts', () => errors.length >= 3, { timeoutMs: 10_000 });
  const first = errors[0];
  assert.ok(first instanceof PublishError, String(first));
  assert.equal(first.status, 40100);
  assert.equal(first.transportCode, 'UNAUTHORIZED');
  assert.equal(first.unavailable, true, 'an outage: no row is charged an attempt');
  assert.match(first.message, /connecting the outbox publisher failed: .*40100 UNAUTHORIZED: the signature for access key "relay-app" does not match: wrong secret/);
  assert.ok(!first.message.includes(SECRET) && !first.message.includes(WRONG.accessSecret), 'no secret in the error');
  // Backoff of 100 ms doubling to 400 ms (half to all of it): not once per 50 ms poll.
  const started = Date.now();
  const before = errors.length;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.ok(errors.length - before <= 8, `${errors.length - before} starts in ${Date.now() - started} ms: backed off`);
  const stats = refused.stats();
  assert.equal(stats.claimed, 0, 'nothing is claimed while access is refused');
  assert.match(stats.lastError ?? '', /wrong secret/);
  const metrics = await refused.metrics();
  assert.equal(metrics.outage, true);
  assert.equal(metrics.published, 0);
  assert.equal(await pendingOf(topic), 2);
  assert.equal((await outbox.stats()).parked, 0);
  await refused.stop();

  const read = reader(topic);
  const fixed = relay({ credentials: RIGHT });
  try {
    await fixed.start();
    const got = await read.drain((all) => all.length >= 2);
    assert.equal(got.length, 2, 'nothing lost, nothing twice');
    assert.equal(await pendingOf(topic), 0);
  } finally {
    await Promise.all([fixed.stop(), read.close()]);
  }
});

test('without onError a refusal is logged, naming the reason; no credentials at all is refused too', async () => {
  const topic = topicName('sec-anon');
  await t.db.transaction().execute((trx) => outbox.send(trx, { topic, body: 'waits' }));
  const lines: string[] = [];
  const logger = { info() {}, warn() {}, error: (...args: unknown[]) => lines.push(args.map(String).join(' ')) };
  const anonymous = relay({ logger });
  await anonymous.start();
  await eventually('the refusal logged', () => lines.length > 0, { timeoutMs: 10_000 });
  assert.match(lines[0]!, /^\[txmq relay\] connecting the outbox publisher failed: .*40100 UNAUTHORIZED: no credentials.*the outbox rows stay pending/);
  assert.equal(await pendingOf(topic), 1);
  await anonymous.stop();
  const read = reader(topic);
  const fixed = relay({ credentials: RIGHT });
  try {
    await fixed.start();
    assert.equal((await read.drain((all) => all.length >= 1)).length, 1);
  } finally {
    await Promise.all([fixed.stop(), read.close()]);
  }
});

test('a topic the user may not publish to: the publish is refused (40300 naming the right), the row stays pending, nothing is parked', async () => {
  const topic = topicName('other');
  await t.db.transaction().execute((trx) => outbox.send(trx, { topic, body: 'forbidden' }));
  const errors: PublishError[] = [];
  const r = relay({ credentials: RIGHT, maxAttempts: 2, onError: (error) => error instanceof PublishError && errors.push(error) });
  await r.start();
  await eventually('refused publishes', () => errors.length >= 3, { timeoutMs: 10_000 });
  const refusal = errors.find((e) => e.status === 40300);
  assert.ok(refusal, errors.map((e) => e.message).join('\n'));
  assert.match(refusal.message, new RegExp(`publishing outbox message .* to topic ${topic} failed: .*40300 FORBIDDEN: permission denied: user "relay-app" has no pub or sub right on topic ${topic}`));
  assert.equal(refusal.unavailable, true);
  assert.equal(r.stats().parked, 0, 'more refusals than maxAttempts, none counted: the row is not parked');
  assert.equal((await r.metrics()).outage, true);
  await r.stop();
  assert.equal(await pendingOf(topic), 1);
  await sql`delete from ${sql.table(`${t.schema}.outbox`)} where topic = ${topic}`.execute(t.db);
});

test('the transactional sender: right credentials send and commit over TLS; a wrong secret fails start() with the reason', async () => {
  const topic = topicName('sec-tx');
  const sender = createTransactionalSender({ db: t.db, schema: t.schema, endpoints: broker.endpoint, tlsRootCertFile: certFile, credentials: RIGHT, topics: [topic], logger: QUIET });
  const read = reader(topic);
  try {
    await sender.start();
    const sent = await sender.send({ topic, body: { order: 7 } }, async () => 'done');
    assert.equal(sent.settledBy, 'committed');
    const [message] = await read.drain((all) => all.length >= 1);
    assert.deepEqual(decodeBody(message!), { order: 7 });
  } finally {
    await Promise.all([sender.close(), read.close()]);
  }

  const refused = createTransactionalSender({ db: t.db, schema: t.schema, endpoints: broker.endpoint, tlsRootCertFile: certFile, credentials: WRONG, topics: [topic], logger: QUIET });
  const error = await refused.start().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof PublishError, String(error));
  assert.equal(error.status, 40100);
  assert.match(error.message, /connecting the transactional sender failed: .*wrong secret/);
});

test('bad credentials or TLS options are an InvalidOptionsError naming the option, before any I/O', () => {
  const bad = (option: string, make: () => unknown) =>
    assert.throws(make, (error: unknown) => error instanceof InvalidOptionsError && error.option === option, option);
  const endpoints = '127.0.0.1:1';
  bad('credentials.accessKey', () => createRelay({ outbox, endpoints, credentials: { accessKey: 'has space', accessSecret: 'x' } }));
  bad('credentials.accessSecret', () => createRelay({ outbox, endpoints, credentials: { accessKey: 'k', accessSecret: '' } }));
  bad('credentials', () => createRelay({ outbox, endpoints, credentials: 'k:s' as unknown as ClientCredentials }));
  bad('sslEnabled', () => createRelay({ outbox, endpoints, sslEnabled: 'yes' as unknown as boolean }));
  bad('tlsRootCertFile', () => createRelay({ outbox, endpoints, tlsRootCertFile: join(dir, 'missing.pem') }));
  bad('tlsRootCertFile', () => createTransactionalSender({ db: t.db, endpoints, sslEnabled: false, tlsRootCertFile: certFile }));
  bad('credentials.accessKey', () => createTransactionalSender({ db: t.db, endpoints, credentials: { accessKey: '', accessSecret: 'x' } }));
  bad('credentials', () => createRelay({ outbox, publisher: new RecordingPublisher(), credentials: RIGHT } as unknown as Parameters<typeof createRelay>[0]));
  assert.throws(
    () => createRelay({ outbox, endpoints, tlsRootCertFile: join(dir, 'missing.pem') }),
    /invalid option tlsRootCertFile: cannot be read from .*missing\.pem: ENOENT/,
  );
});
