import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { after, test } from 'node:test';
import {
  BrokerUnreachableError,
  ClientClosedError,
  ConfigError,
  createProducer,
  createPushConsumer,
  createSimpleConsumer,
  createTransactionAdmin,
} from '@txmq/broker/client';
import { eventually } from '@txmq/test-support';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

const brokers: BrokerProcess[] = [];
after(async () => {
  await Promise.all(brokers.map((b) => b.dispose()));
});

/** A port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('create* functions are synchronous, validate their options and connect to nothing', async () => {
  const seen: number[] = []; // remote ports of the connections the server accepted
  const server: Server = createServer((socket) => {
    seen.push(socket.remotePort!);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const endpoints = `127.0.0.1:${port}`;
  try {
    const producer = createProducer({ endpoints, logger: quietLogger, startupTimeoutMs: 1000 });
    const consumer = createSimpleConsumer({ endpoints, group: 'g', subscriptions: { t: '*' }, logger: quietLogger });
    const push = createPushConsumer({ endpoints, group: 'g', subscriptions: { t: '*' }, handler: async () => undefined, logger: quietLogger });
    const admin = createTransactionAdmin({ endpoints });
    for (const client of [producer, consumer, push, admin]) assert.equal((client as { then?: unknown }).then, undefined);

    // Had a factory connected, its connection would reach the server before this one.
    const sentinel = await new Promise<number>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket.localPort!));
      socket.on('error', () => undefined);
    });
    await eventually('the sentinel connection', () => seen.includes(sentinel), { timeoutMs: 5000 });
    assert.deepEqual(seen, [sentinel]);

    const before = Date.now();
    // start() connects (something listens, but it is not a gRPC server): unreachable.
    await assert.rejects(producer.start(), BrokerUnreachableError);
    assert.ok(seen.length > 1, 'start() connected to the endpoint');
    assert.ok(Date.now() - before >= 900);
    await Promise.all([producer.close(), consumer.close(), push.close(), admin.close()]);
  } finally {
    server.close();
  }

  assert.throws(() => createProducer({ endpoints: '' }), (e: unknown) => e instanceof ConfigError && /producer option endpoints/.test(e.message));
  assert.throws(() => createProducer({ endpoints, requestTimeoutMs: 10 }), /option requestTimeoutMs/);
  assert.throws(() => createSimpleConsumer({ endpoints, group: 'bad group', subscriptions: { t: '*' } }), /simple consumer option group/);
  assert.throws(() => createPushConsumer({ endpoints, group: 'g', subscriptions: {}, handler: async () => undefined }), /push consumer option subscriptions/);
  assert.throws(() => createPushConsumer({ endpoints, group: 'g', subscriptions: { t: '*' }, handler: 'no' as never }), /push consumer option handler/);
});

test('against a wrong port, start() keeps trying for startupTimeoutMs, then rejects once with BrokerUnreachableError naming the endpoint', async () => {
  const endpoints = `127.0.0.1:${await freePort()}`;
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['producer.start', () => createProducer({ endpoints, startupTimeoutMs: 1500, logger: quietLogger }).start()],
    ['lazy producer.send', () => createProducer({ endpoints, startupTimeoutMs: 1500, logger: quietLogger }).send({ topic: 't', body: 'x' })],
    ['simple consumer.receive', () => createSimpleConsumer({ endpoints, group: 'g', subscriptions: { t: '*' }, startupTimeoutMs: 1500, logger: quietLogger }).receive()],
    ['push consumer.start', () => createPushConsumer({ endpoints, group: 'g', subscriptions: { t: '*' }, handler: async () => undefined, startupTimeoutMs: 1500, logger: quietLogger }).start()],
    ['admin.list', () => createTransactionAdmin({ endpoints, startupTimeoutMs: 1500 }).list()],
  ];
  await Promise.all(cases.map(async ([what, run]) => {
    const started = Date.now();
    const error = await run().then(() => assert.fail(`${what} resolved`), (e: unknown) => e);
    const elapsed = Date.now() - started;
    assert.ok(error instanceof BrokerUnreachableError, `${what}: ${String(error)}`);
    assert.equal(error.endpoint, endpoints);
    assert.match(error.message, new RegExp(`cannot reach the broker at ${endpoints.replace('.', '\\.')}`));
    assert.ok(elapsed >= 1400, `${what} gave up after ${elapsed} ms, before startupTimeoutMs`);
    assert.ok(elapsed < 4000, `${what} took ${elapsed} ms`);
  }));
});

test('start succeeds when the broker comes up within startupTimeoutMs, and a failed start is not remembered', async () => {
  const port = await freePort();
  const endpoints = `127.0.0.1:${port}`;
  const topic = uniqueName('late');

  const early = createProducer({ endpoints, startupTimeoutMs: 300, logger: quietLogger });
  await assert.rejects(early.send({ topic, body: 'x' }), BrokerUnreachableError);

  const producer = createProducer({ endpoints, startupTimeoutMs: 15_000, logger: quietLogger });
  const waiting = producer.send({ topic, body: 'sent while the broker was starting' });
  const broker = await startBrokerProcess({ port });
  brokers.push(broker);
  assert.ok((await waiting).messageId);

  // The same producer whose first start failed connects on the next call.
  assert.ok((await early.send({ topic, body: 'x' })).messageId);
  await early.start();

  // Concurrent first calls share one start.
  const fresh = createProducer({ endpoints, logger: quietLogger });
  const results = await Promise.all([fresh.send({ topic, body: '1' }), fresh.send({ topic, body: '2' }), fresh.start()]);
  assert.equal(results.length, 3);

  await Promise.all([early.close(), producer.close(), fresh.close()]);
  await producer.close();
  await assert.rejects(producer.send({ topic, body: 'x' }), ClientClosedError);
  await assert.rejects(producer.start(), ClientClosedError);
  assert.throws(() => producer.sendOneWay({ topic, body: 'x' }), ClientClosedError);
});

test('close() during a start in progress stops it at once', async () => {
  const endpoints = `127.0.0.1:${await freePort()}`;
  const producer = createProducer({ endpoints, startupTimeoutMs: 30_000, logger: quietLogger });
  const starting = producer.start();
  const started = Date.now();
  await producer.close();
  await assert.rejects(starting, ClientClosedError);
  assert.ok(Date.now() - started < 2000);
});
