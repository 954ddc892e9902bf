import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { credentials, Metadata, status as GrpcStatus, type Client, type ServiceError } from '@grpc/grpc-js';
import { createBrokerAdmin } from '../src/client/broker-admin.js';
import { loadBrokerAdmin } from '../src/client/admin-proto.js';
import { InvalidRequestError, NotFoundError } from '../src/errors.js';
import { FakeAdminBackend, message, startFakeAdminServer } from './fake-admin-backend.js';

let backend: FakeAdminBackend;
let server: Awaited<ReturnType<typeof startFakeAdminServer>>;
let admin: ReturnType<typeof createBrokerAdmin>;
before(async () => {
  backend = new FakeAdminBackend();
  server = await startFakeAdminServer(backend, { maxResponseBytes: 64 * 1024 + 3000 });
  admin = createBrokerAdmin({ endpoints: server.endpoint, timeoutMs: 5000 });
});
after(async () => {
  await admin.close();
  await server.close();
});

/** Calls BrokerAdmin `rpc` with a raw request, for what the typed client never sends. */
function raw(rpc: string, request: object): Promise<{ error: ServiceError | null; response: unknown }> {
  const client = new (loadBrokerAdmin())(server.endpoint, credentials.createInsecure()) as Client & Record<string, Function>;
  return new Promise((resolve) =>
    client[rpc]!.call(client, request, new Metadata(), (error: ServiceError | null, response: unknown) => {
      client.close();
      resolve({ error, response });
    }),
  );
}

test('topics: listed in pages, described, created and updated with their settings; times are Dates', async () => {
  const first = await admin.listTopics({ pageSize: 1 });
  assert.deepEqual(first.items.map((t) => t.name), ['orders']);
  assert.equal(first.nextPageToken, '1');
  const second = await admin.listTopics({ pageSize: 1, pageToken: first.nextPageToken! });
  assert.deepEqual(second, { items: [{ name: 'payments', queues: 1, messageType: 'TRANSACTION', origin: 'auto', firstOffset: 0, nextOffset: 0 }] });
  const orders = await admin.describeTopic('orders');
  assert.deepEqual(orders.lastStoredAt, new Date(1_700_000_000_100));
  assert.equal(orders.origin, 'config');

  const created = await admin.createTopic('audit', { queues: 8, messageType: 'FIFO' });
  assert.deepEqual([created.name, created.queues, created.messageType, created.origin], ['audit', 8, 'FIFO', 'admin']);
  assert.deepEqual(backend.calls.at(-1), ['createTopic', 'audit', { queues: 8, messageType: 'FIFO' }]);
  await admin.createTopic('plain');
  assert.deepEqual(backend.calls.at(-1), ['createTopic', 'plain', {}], 'unset settings reach the backend as absent');
  const updated = await admin.updateTopic('audit', { queues: 16 });
  assert.deepEqual(backend.calls.at(-1), ['updateTopic', 'audit', { queues: 16 }]);
  assert.deepEqual([updated.queues, updated.messageType], [16, 'FIFO']);
});

test('errors keep the backend code and message: not found, conflict (FAILED_PRECONDITION), bad argument (INVALID_ARGUMENT)', async () => {
  await assert.rejects(admin.describeTopic('nope'), (e: unknown) => e instanceof NotFoundError && e.code === 'TOPIC_NOT_FOUND' && e.message === 'topic nope does not exist');
  await assert.rejects(admin.describeGroup('nope'), (e: unknown) => e instanceof NotFoundError && e.code === 'CONSUMER_GROUP_NOT_FOUND');
  await assert.rejects(admin.createTopic('orders'), (e: unknown) => e instanceof InvalidRequestError && e.code === 'PRECONDITION_FAILED' && /already exists/.test(e.message));
  await assert.rejects(admin.createTopic('big', { queues: 100 }), (e: unknown) => e instanceof InvalidRequestError && e.code === 'ILLEGAL_TOPIC');
  await assert.rejects(admin.describeTopic(' '), (e: unknown) => e instanceof InvalidRequestError && e.code === 'BAD_REQUEST' && e.message === 'name is required');
  const tooBig = await raw('ListTopics', { pageSize: 5000 });
  assert.deepEqual([tooBig.error?.code, tooBig.error?.details], [GrpcStatus.INVALID_ARGUMENT, 'page_size must be 0 (the default) to 1000, got 5000']);

  const conflict = await raw('CreateTopic', { name: 'orders' });
  assert.equal(conflict.error?.code, GrpcStatus.FAILED_PRECONDITION);
  assert.deepEqual(conflict.error?.metadata.get('txmq-error-code'), ['PRECONDITION_FAILED']);
  assert.equal((await raw('DescribeTopic', { name: 'nope' })).error?.code, GrpcStatus.NOT_FOUND);
  assert.equal((await raw('CreateTopic', { name: 'big', queues: 100 })).error?.code, GrpcStatus.INVALID_ARGUMENT);
  assert.equal((await raw('QueryMessages', {})).error?.details, 'exactly one of message_id, by_key and by_time is required');
  assert.equal((await raw('ResetGroup', { group: 'billing' })).error?.details, 'exactly one of time_ms and end is required');
  assert.equal((await raw('ResetGroup', { group: 'billing', timeMs: 5, end: true })).error?.code, GrpcStatus.INVALID_ARGUMENT);
  assert.equal((await raw('CreateTopic', { name: 'x', messageType: 9 })).error?.code, GrpcStatus.INVALID_ARGUMENT);
  const backwards = await raw('QueryMessages', { byTime: { topic: 'orders', fromMs: 2000, toMs: 1000 } });
  assert.match(backwards.error?.details ?? '', /to_ms \(1970-01-01T00:00:01\.000Z\) is before by_time\.from_ms/);
});

test('groups: lag, in-flight, online and DLQ counts; create and update pass only the settings given', async () => {
  const { items } = await admin.listGroups();
  assert.equal(items.length, 1);
  assert.deepEqual(items[0], {
    name: 'billing',
    fifo: false,
    broadcast: false,
    maxDeliveryAttempts: 16,
    retryBackoff: { initialMs: 1000, maxMs: 60_000, multiplier: 2 },
    origin: 'config',
    consumersOnline: 1,
    subscriptions: [{ topic: 'orders', consumer: 'billing', nextOffset: 3, endOffset: 10, lag: 7, inFlight: 2 }],
    lag: 7,
    inFlight: 2,
    deadLetters: 1,
  });
  const created = await admin.createGroup('audit', { fifo: true, maxDeliveryAttempts: 3, retryBackoff: { multiplier: 1.5 } });
  assert.deepEqual(backend.calls.at(-1), ['createGroup', 'audit', { fifo: true, maxDeliveryAttempts: 3, retryBackoff: { multiplier: 1.5 } }]);
  assert.deepEqual([created.fifo, created.maxDeliveryAttempts, created.retryBackoff.multiplier, created.origin], [true, 3, 1.5, 'admin']);
  const updated = await admin.updateGroup('audit', { fifo: false });
  assert.deepEqual(backend.calls.at(-1), ['updateGroup', 'audit', { fifo: false }], 'false is a value, not "unchanged"');
  assert.equal(updated.fifo, false);
  await assert.rejects(admin.createGroup('billing'), (e: unknown) => e instanceof InvalidRequestError && e.code === 'PRECONDITION_FAILED');
  await assert.rejects(admin.updateGroup('nope', {}), (e: unknown) => e instanceof NotFoundError);
});

test('message query by id, key and time: previews of 256 bytes by default, the body size, full bodies on request', async () => {
  const byId = await admin.queryMessages({ messageId: 'M2' });
  assert.equal(byId.items.length, 1);
  const [m2] = byId.items;
  assert.deepEqual([m2!.bodySize, m2!.body.length, m2!.bodyTruncated], [1000, 256, true]);
  assert.deepEqual(m2!.storedAt, new Date(1_700_000_060_000));
  const full = await admin.queryMessages({ messageId: 'M2' }, { fullBody: true });
  assert.deepEqual([full.items[0]!.body.length, full.items[0]!.bodyTruncated], [1000, false]);
  const short = await admin.queryMessages({ messageId: 'M2' }, { previewBytes: 10 });
  assert.equal(short.items[0]!.body.toString(), 'aaaaaaaaaa');

  const [m1] = (await admin.queryMessages({ messageId: 'M1' })).items;
  assert.deepEqual(m1, {
    messageId: 'M1',
    topic: 'orders',
    offset: 0,
    queueId: 0,
    kind: 'NORMAL',
    tag: 'created',
    keys: ['order-1'],
    properties: { p: 'v' },
    bornAt: new Date(1_700_000_000_000),
    bornHost: 'host-a',
    producerClientId: 'producer-1',
    storedAt: new Date(1_700_000_000_100),
    body: Buffer.from('{"order":1}'),
    bodySize: 11,
    bodyTruncated: false,
  });
  assert.deepEqual((await admin.queryMessages({ messageId: 'none' })).items, [], 'an empty answer is not an error');

  const byKey = await admin.queryMessages({ topic: 'orders', key: 'order-1' }, { pageSize: 1 });
  assert.deepEqual([byKey.items.map((m) => m.messageId), byKey.nextPageToken], [['M1'], '1']);
  const rest = await admin.queryMessages({ topic: 'orders', key: 'order-1' }, { pageSize: 1, pageToken: byKey.nextPageToken! });
  assert.deepEqual([rest.items.map((m) => m.messageId), rest.nextPageToken, rest.items[0]!.tag], [['M3'], undefined, undefined]);

  const byTime = await admin.queryMessages({ topic: 'orders', from: new Date(1_700_000_000_100), to: new Date(1_700_000_120_000) });
  assert.deepEqual(byTime.items.map((m) => m.messageId), ['M1', 'M2'], '[from, to)');
  assert.deepEqual(backend.calls.at(-1), ['findMessagesByTime', 'orders', 1_700_000_000_100, 1_700_000_120_000, {}]);
  await assert.rejects(admin.queryMessages({ topic: 'nope', key: 'k' }), (e: unknown) => e instanceof NotFoundError && e.code === 'TOPIC_NOT_FOUND');
});

test('full bodies stop at the frame limit: what does not fit comes cut and marked, nothing is dropped', async () => {
  const big = Buffer.alloc(2000, 0x62);
  const saved = backend.messages;
  backend.messages = [message({ messageId: 'BIG', body: big }), message({ messageId: 'BIG', offset: 1, body: big })];
  try {
    // 64 KiB framing reserve + 3000 bytes: the first body fits whole, the second does not.
    const { items } = await admin.queryMessages({ messageId: 'BIG' }, { fullBody: true });
    assert.equal(items.length, 2);
    assert.deepEqual([items[0]!.body.length, items[0]!.bodyTruncated], [2000, false]);
    assert.ok(items[1]!.bodyTruncated && items[1]!.body.length < 2000 && items[1]!.bodySize === 2000);
  } finally {
    backend.messages = saved;
  }
});

test('trace: events in order with their optional fields; an unknown id is MESSAGE_NOT_FOUND', async () => {
  const trace = await admin.traceMessage('M1');
  assert.deepEqual(trace, {
    messageId: 'M1',
    events: [
      { type: 'sent', at: new Date(1_700_000_000_000), clientId: 'producer-1' },
      { type: 'stored', at: new Date(1_700_000_000_100), topic: 'orders' },
      { type: 'delivered', at: new Date(1_700_000_000_200), topic: 'orders', group: 'billing', clientId: 'consumer-1', attempt: 1 },
      { type: 'dead-lettered', at: new Date(1_700_000_000_300), topic: '%DLQ%billing', group: 'billing', attempt: 1, note: 'max attempts' },
    ],
  });
  await assert.rejects(admin.traceMessage('nope'), (e: unknown) => e instanceof NotFoundError && e.code === 'MESSAGE_NOT_FOUND' && /no trace of message nope/.test(e.message));
});

test('dead letters: listed with their origin, resent once, a second resend refused', async () => {
  const { items } = await admin.listDeadLetters('billing');
  assert.equal(items.length, 1);
  assert.deepEqual([items[0]!.group, items[0]!.message.topic, items[0]!.message.deadLetter, items[0]!.resentAt], ['billing', '%DLQ%billing', { originTopic: 'orders', originMessageId: 'M1' }, undefined]);
  assert.deepEqual(await admin.resendDeadLetter('billing', 'M1'), { messageId: 'M1', topic: 'orders', offset: 10 });
  assert.deepEqual((await admin.listDeadLetters('billing')).items[0]!.resentAt, new Date(1_700_000_500_000));
  await assert.rejects(admin.resendDeadLetter('billing', 'M1'), (e: unknown) => e instanceof InvalidRequestError && e.code === 'PRECONDITION_FAILED');
  await assert.rejects(admin.resendDeadLetter('billing', 'M9'), (e: unknown) => e instanceof NotFoundError && e.code === 'MESSAGE_NOT_FOUND');
  await assert.rejects(admin.listDeadLetters('nope'), (e: unknown) => e instanceof NotFoundError && e.code === 'CONSUMER_GROUP_NOT_FOUND');
});

test('reset: to a time (0 included) or to the end, on every topic or one', async () => {
  const toEnd = await admin.resetGroup('billing', 'end');
  assert.deepEqual(toEnd, { group: 'billing', subscriptions: [{ topic: 'orders', consumer: 'billing', from: 3, to: 10 }] });
  assert.deepEqual(backend.calls.at(-1), ['resetGroup', 'billing', 'end', undefined]);
  await admin.resetGroup('billing', new Date(0), { topic: 'orders' });
  assert.deepEqual(backend.calls.at(-1), ['resetGroup', 'billing', { time: 0 }, 'orders']);
  await assert.rejects(admin.resetGroup('billing', 'end', { topic: 'nope' }), (e: unknown) => e instanceof NotFoundError && e.code === 'TOPIC_NOT_FOUND');
});

test('a broker that is shutting down refuses admin calls with UNAVAILABLE', async () => {
  const other = await startFakeAdminServer(new FakeAdminBackend());
  const client = createBrokerAdmin({ endpoints: other.endpoint, timeoutMs: 5000 });
  try {
    await client.listTopics();
    other.shutdown.abort();
    await assert.rejects(client.listTopics(), (e: unknown) => (e as { code?: string }).code === 'BROKER_UNREACHABLE' && /shutting down/.test((e as Error).message));
  } finally {
    await client.close();
    await other.close();
  }
});
