// Users and permissions (`acl`) against a broker process, with the official client's
// `sessionCredentials` and with the typed client's `credentials`: who may publish and consume,
// each refusal with its precise status and reason, anonymous callers, and no secret in the log.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConsumeResult, Producer, PushConsumer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { createProducer, createSimpleConsumer, isBrokerError } from '@txmq/broker/client';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { errorOf, receiveN, text } from './support/official-clients.js';
import { RawClient } from './support/raw-grpc.js';

const ORDERS_SECRET = `orders-${Math.random().toString(36).slice(2)}-secret`;
const WRITER_SECRET = `writer-${Math.random().toString(36).slice(2)}-secret`;
const TYPED_SECRET = `typed-${Math.random().toString(36).slice(2)}-secret`;
const WRONG_SECRET = 'not-the-right-secret';
const SECRETS = [ORDERS_SECRET, WRITER_SECRET, TYPED_SECRET, WRONG_SECRET];

let secrets: string;
let broker: BrokerProcess;
let open: BrokerProcess;
const clients: { shutdown(): Promise<void> }[] = [];
/** Signatures this file computed itself: none may reach the logs. */
const signatures: string[] = [];

before(async () => {
  secrets = await mkdtemp(join(tmpdir(), 'txmq-auth-secrets-'));
  await writeFile(join(secrets, 'writer.secret'), `${WRITER_SECRET}\n`);
  const [secured, anonymous] = await Promise.all([
    startBrokerProcess({
      memory: true,
      env: { ORDERS_APP_SECRET: ORDERS_SECRET },
      config: {
        pushLongPollingMs: 1000,
        acl: {
          users: [
            { accessKey: 'orders-app', secretEnv: 'ORDERS_APP_SECRET', topics: { orders: ['pub', 'sub'], 'audit-*': ['pub'] }, groups: { billing: ['sub'] } },
            { accessKey: 'writer', secretFile: join(secrets, 'writer.secret'), topics: { events: ['pub'] }, groups: { readers: ['sub'] } },
            { accessKey: 'typed-app', secret: TYPED_SECRET, topics: { 'typed-*': ['pub', 'sub'] }, groups: { 'typed-*': ['sub'] } },
          ],
        },
      },
    }),
    startBrokerProcess({
      memory: true,
      config: {
        acl: {
          required: false,
          users: [
            { accessKey: 'anonymous', topics: { public: ['pub', 'sub'] }, groups: { '*': ['sub'] } },
            { accessKey: 'orders-app', secret: ORDERS_SECRET, topics: { orders: ['pub'] } },
          ],
        },
      },
    }),
  ]);
  broker = secured;
  open = anonymous;
});

after(async () => {
  await Promise.allSettled(clients.map((c) => c.shutdown()));
  await broker?.stop();
  await open?.stop();
  await broker?.dispose();
  await open?.dispose();
  await rm(secrets, { recursive: true, force: true });
});

type Credentials = { accessKey: string; accessSecret: string };

/** A started official Producer (no topics at start: the first send queries the route and is refused, at once). */
async function producer(endpoint: string, sessionCredentials?: Credentials, topic?: string): Promise<Producer> {
  const p = new Producer({ endpoints: endpoint, namespace: '', logger: quietLogger, ...(topic && { topic }), ...(sessionCredentials && { sessionCredentials }) });
  clients.push(p);
  await p.startup();
  return p;
}

async function simple(endpoint: string, group: string, topic: string, sessionCredentials?: Credentials): Promise<SimpleConsumer> {
  const c = new SimpleConsumer({
    endpoints: endpoint, namespace: '', consumerGroup: group, subscriptions: new Map([[topic, '*']]), awaitDuration: 1000, logger: quietLogger,
    ...(sessionCredentials && { sessionCredentials }),
  });
  clients.push(c);
  await c.startup();
  return c;
}

/** The innermost cause: the official client wraps a refusal at startup twice. */
function rootCause(error: Error): Error & { code?: number } {
  let e: Error = error;
  while (e.cause instanceof Error) e = e.cause;
  return e as Error & { code?: number };
}

const ordersApp = { accessKey: 'orders-app', accessSecret: ORDERS_SECRET };

test('right credentials: the official client publishes (to a topic and a pattern it may) and consumes', async () => {
  const p = await producer(broker.endpoint, ordersApp, 'orders');
  const sent = await p.send({ topic: 'orders', body: Buffer.from('order 1'), tag: 'created' });
  await p.send({ topic: 'audit-2026', body: Buffer.from('audit 1') });
  const consumer = await simple(broker.endpoint, 'billing', 'orders', ordersApp);
  const [message] = await receiveN(consumer, 1);
  assert.equal(message!.messageId, sent.messageId);
  assert.equal(text(message!), 'order 1');
});

test('right credentials: the official PushConsumer (assignment, heartbeats with its group, receive, ack) consumes', async () => {
  const p = await producer(broker.endpoint, ordersApp, 'orders');
  let arrived!: (body: string) => void;
  const received = new Promise<string>((resolve) => (arrived = resolve));
  const push = new PushConsumer({
    endpoints: broker.endpoint, namespace: '', consumerGroup: 'billing', subscriptions: new Map([['orders', '*']]), logger: quietLogger, sessionCredentials: ordersApp,
    messageListener: {
      consume: async (message) => {
        if (text(message) === 'pushed') arrived(text(message));
        return ConsumeResult.SUCCESS;
      },
    },
  });
  clients.push(push);
  await push.startup();
  await p.send({ topic: 'orders', body: Buffer.from('pushed') });
  assert.equal(await received, 'pushed');
});

test('a wrong secret, an unknown access key and no credentials are each refused with UNAUTHORIZED (40100) saying why', async () => {
  const cases: [Credentials | undefined, RegExp][] = [
    [{ accessKey: 'orders-app', accessSecret: WRONG_SECRET }, /the signature for access key "orders-app" does not match: wrong secret/],
    [{ accessKey: 'nobody', accessSecret: WRONG_SECRET }, /unknown access key "nobody"/],
    [undefined, /no credentials: the request has no authorization header/],
  ];
  await Promise.all(cases.map(async ([credentials, reason]) => {
    const p = await producer(broker.endpoint, credentials);
    const error = await errorOf(() => p.send({ topic: 'orders', body: Buffer.from('x') }));
    assert.equal(error.name, 'UnauthorizedException', error.message);
    assert.equal(error.code, 40100);
    assert.match(error.message, reason);
  }));
  // At startup (a topic given), the refusal is the cause of the client's startup failure.
  const error = rootCause(await errorOf(() => producer(broker.endpoint, { accessKey: 'nobody', accessSecret: WRONG_SECRET }, 'orders')));
  assert.equal(error.code, 40100);
  assert.match(error.message, /unknown access key "nobody"/);
});

/** The headers a RocketMQ 5 client sends when it signs at `at` (computed here, independently of the broker). */
function signedAt(at: Date, credentials: Credentials): Record<string, string> {
  const dateTime = `${at.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
  const signature = createHmac('sha1', credentials.accessSecret).update(dateTime).digest('hex').toUpperCase();
  signatures.push(signature);
  return { 'x-mq-date-time': dateTime, authorization: `MQv2-HMAC-SHA1 Credential=${credentials.accessKey}, SignedHeaders=x-mq-date-time, Signature=${signature}` };
}

test('a correctly signed request with a stale timestamp is refused for clock skew', async () => {
  const stale = new RawClient(broker.endpoint, undefined, () => signedAt(new Date(Date.now() - 60 * 60_000), ordersApp));
  const fresh = new RawClient(broker.endpoint, undefined, () => signedAt(new Date(), ordersApp));
  try {
    const status = await stale.queryRoute('orders');
    assert.equal(status?.code, 40100);
    assert.match(status!.message, /signed at \d{8}T\d{6}Z, 360\d s ago of the broker's clock .*check the client's clock/);
    assert.equal((await fresh.queryRoute('orders'))?.code, 20000, 'the same request signed now is accepted');
  } finally {
    stale.close();
    fresh.close();
  }
});

test('a user with pub but not sub on a topic publishes and cannot receive; a topic it has no right on is refused naming it', async () => {
  const writer = { accessKey: 'writer', accessSecret: WRITER_SECRET };
  const p = await producer(broker.endpoint, writer, 'events');
  await p.send({ topic: 'events', body: Buffer.from('event 1') });
  const error = rootCause(await errorOf(() => simple(broker.endpoint, 'readers', 'events', writer)));
  assert.equal(error.code, 40300, error.message);
  assert.match(error.message, /permission denied: user "writer" has no sub right on topic events/);

  const other = await errorOf(() => p.send({ topic: 'orders', body: Buffer.from('x') }));
  assert.equal(other.name, 'ForbiddenException');
  assert.match(other.message, /user "writer" has no pub or sub right on topic orders/);
  // A raw receive on the topic: refused before anything is delivered, naming the missing right.
  const raw = new RawClient(broker.endpoint, undefined, () => signedAt(new Date(), writer));
  try {
    const frames = await raw.receive('readers', 'events', { invisibleMs: 10_000, longPollMs: 1000 });
    assert.equal(frames[0]?.status?.code, 40300);
    assert.match(frames[0]!.status!.message, /no sub right on topic events/);
    assert.ok(!frames.some((f) => f.message), 'no message delivered');
  } finally {
    raw.close();
  }
});

test('a client id stays with the first user that used it', async () => {
  const clientId = uniqueName('shared-client');
  const first = new RawClient(broker.endpoint, undefined, () => ({ ...signedAt(new Date(), ordersApp), 'x-mq-client-id': clientId }));
  const second = new RawClient(broker.endpoint, undefined, () => ({ ...signedAt(new Date(), { accessKey: 'writer', accessSecret: WRITER_SECRET }), 'x-mq-client-id': clientId }));
  try {
    assert.equal((await first.queryRoute('orders'))?.code, 20000);
    const status = await second.queryRoute('events');
    assert.equal(status?.code, 40300);
    assert.match(status!.message, /client id "shared-client-.*" is already used by another user/);
    assert.equal((await first.queryRoute('orders'))?.code, 20000, 'its first user keeps it');
  } finally {
    first.close();
    second.close();
  }
});

test('the typed client signs with credentials: a round trip, and a wrong secret fails at once with UNAUTHORIZED', async () => {
  const topic = uniqueName('typed-orders');
  const credentials = { accessKey: 'typed-app', accessSecret: TYPED_SECRET };
  const p = createProducer({ endpoints: broker.endpoint, credentials });
  const consumer = createSimpleConsumer({ endpoints: broker.endpoint, credentials, group: uniqueName('typed-group'), subscriptions: { [topic]: '*' }, awaitMs: 1000 });
  clients.push({ shutdown: () => p.close() }, { shutdown: () => consumer.close() });
  const sent = await p.send({ topic, body: 'typed 1' });
  let received;
  for (let i = 0; i < 20 && !received; i++) received = (await consumer.receive(1))[0];
  assert.equal(received?.messageId, sent.messageId);
  await consumer.ack(received!);

  const wrong = createProducer({ endpoints: broker.endpoint, credentials: { accessKey: 'typed-app', accessSecret: WRONG_SECRET }, startupTimeoutMs: 20_000 });
  clients.push({ shutdown: () => wrong.close() });
  const started = Date.now();
  const error = await errorOf(() => wrong.send({ topic, body: 'x' }));
  assert.ok(isBrokerError(error, 'UNAUTHORIZED'), String(error));
  assert.match(error.message, /40100 UNAUTHORIZED: the signature for access key "typed-app" does not match: wrong secret/);
  assert.ok(Date.now() - started < 5000, `refused at once, not after retrying (${Date.now() - started} ms)`);

  const denied = createProducer({ endpoints: broker.endpoint, credentials });
  clients.push({ shutdown: () => denied.close() });
  const forbidden = await errorOf(() => denied.send({ topic: 'orders', body: 'x' }));
  assert.ok(isBrokerError(forbidden, 'FORBIDDEN'), String(forbidden));
  assert.match(forbidden.message, /user "typed-app" has no pub or sub right on topic orders/);
});

test('required: false lets unsigned callers do what the user "anonymous" may, and still refuses a bad signature', async () => {
  const p = await producer(open.endpoint, undefined, 'public');
  const sent = await p.send({ topic: 'public', body: Buffer.from('hello') });
  const consumer = await simple(open.endpoint, uniqueName('anyone'), 'public');
  const [message] = await receiveN(consumer, 1);
  assert.equal(message!.messageId, sent.messageId);

  const denied = await errorOf(() => p.send({ topic: 'orders', body: Buffer.from('x') }));
  assert.equal(denied.name, 'ForbiddenException');
  assert.match(denied.message, /user "anonymous" has no pub or sub right on topic orders/);

  const signed = await producer(open.endpoint, ordersApp);
  await signed.send({ topic: 'orders', body: Buffer.from('signed') });
  const bad = await producer(open.endpoint, { accessKey: 'orders-app', accessSecret: WRONG_SECRET });
  const refused = await errorOf(() => bad.send({ topic: 'public', body: Buffer.from('x') }));
  assert.equal(refused.code, 40100, 'a bad signature is refused, not treated as anonymous');
});

test('the logs name refused attempts and their reasons, but no secret and no signature', async () => {
  await Promise.all(clients.splice(0).map((c) => c.shutdown().catch(() => undefined)));
  const logs = broker.stderr() + open.stderr();
  const refusals = logs.split('\n').filter((line) => line.includes('"authentication refused"')).map((line) => JSON.parse(line) as { reason: string; accessKey?: string; level: number });
  const reasons = new Set(refusals.map((r) => r.reason));
  for (const reason of ['bad-signature', 'unknown-access-key', 'no-credentials', 'clock-skew']) assert.ok(reasons.has(reason), `a ${reason} refusal is logged`);
  assert.ok(refusals.every((r) => r.level === 40), 'at warn');
  assert.ok(refusals.some((r) => r.accessKey === 'nobody'));
  for (const secret of SECRETS) assert.ok(!logs.includes(secret), 'a secret is in the log');
  for (const signature of signatures) assert.ok(!logs.toUpperCase().includes(signature), 'a signature is in the log');
  assert.doesNotMatch(logs, /Signature=/i);
  assert.doesNotMatch(logs, /MQv2-HMAC-SHA1/);
});
