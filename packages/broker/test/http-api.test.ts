import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BrokerMetrics } from '../src/http/metrics.js';
import { startHttpServer, type RunningHttpServer } from '../src/http/http-server.js';
import { FakeAdminBackend, groupView, messageView } from './http-fake-backend.js';
import { silentLog, testClock } from './helpers.js';

const backend = new FakeAdminBackend();
const clock = testClock(1_700_000_100_000);
const metrics = new BrokerMetrics(backend);
let server: RunningHttpServer;
let base: string;
let consoleDir: string;

before(async () => {
  consoleDir = await mkdtemp(join(tmpdir(), 'txmq-console-files-'));
  await writeFile(join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(consoleDir, 'console.js'), 'export {};');
  await writeFile(join(consoleDir, 'notes.txt'), 'not a console file');
  server = await startHttpServer({ host: '127.0.0.1', port: 0, backend, metrics, log: silentLog, consoleDir, now: clock.now });
  base = `http://127.0.0.1:${server.port}`;
});
after(async () => {
  await server.close();
  metrics.close();
  await rm(consoleDir, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(base + path);
  const text = await response.text();
  return { status: response.status, body: response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text, headers: response.headers };
}

async function post(path: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; body: any }> {
  const response = await fetch(base + path, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

test('topics and groups: listings page with pageSize/pageToken, one by name, 404 with the core error code for what does not exist', async () => {
  backend.topics = [
    { name: 'orders', queues: 4, messageType: 'NORMAL', origin: 'config', firstOffset: 2, nextOffset: 12, lastStoredAt: 1_700_000_000_000 },
    { name: 'payments', queues: 1, messageType: 'TRANSACTION', origin: 'admin', firstOffset: 0, nextOffset: 0 },
  ];
  backend.groups = [groupView('billing', 'orders', { lag: 3, inFlight: 2 })];

  const first = await get('/api/topics?pageSize=1');
  assert.equal(first.status, 200);
  assert.deepEqual(first.body, {
    items: [{ name: 'orders', queues: 4, messageType: 'NORMAL', origin: 'config', firstOffset: 2, nextOffset: 12, messages: 10, lastStoredAt: '2023-11-14T22:13:20.000Z' }],
    nextPageToken: '1',
  });
  const second = await get('/api/topics?pageSize=1&pageToken=1');
  assert.deepEqual(second.body.items.map((t: { name: string }) => t.name), ['payments']);
  assert.equal(second.body.nextPageToken, undefined);
  assert.equal(second.body.items[0].lastStoredAt, null, 'an empty topic');
  assert.equal((await get('/api/topics/orders')).body.name, 'orders');

  const groups = await get('/api/groups');
  assert.equal(groups.body.items[0].lag, 3);
  const group = await get('/api/groups/billing');
  assert.deepEqual(group.body.subscriptions, [{ topic: 'orders', consumer: 'billing', nextOffset: 7, endOffset: 10, lag: 3, inFlight: 2 }]);
  assert.equal(group.body.inFlight, 2);

  const missing = await get('/api/groups/nobody');
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.body, { error: { code: 'CONSUMER_GROUP_NOT_FOUND', message: 'consumer group nobody does not exist' } });
  assert.equal((await get('/api/topics/%DLQ%25x')).status, 400, 'a path segment that is not percent-encoding');
  const badSize = await get('/api/topics?pageSize=0');
  assert.equal(badSize.status, 400);
  assert.match(badSize.body.error.message, /pageSize/);
});

test('messages: by id, by topic and key, by topic and time; bodies as UTF-8 or base64 previews with ISO times', async () => {
  backend.topics = [{ name: 'orders', queues: 1, messageType: 'NORMAL', origin: 'config', firstOffset: 0, nextOffset: 3 }];
  backend.messages = [
    messageView({ messageId: 'M1', topic: 'orders', keys: ['order-1'], tag: 'created', storedAt: Date.parse('2026-01-01T10:00:00Z'), producerClientId: 'producer-1' }),
    messageView({ messageId: 'M2', topic: 'orders', offset: 1, keys: ['order-2'], storedAt: Date.parse('2026-01-01T11:00:00Z'), body: Buffer.from([0, 1, 2, 255]) }),
    messageView({ messageId: 'M1', topic: '%DLQ%billing', storedAt: Date.parse('2026-01-01T12:00:00Z'), deadLetter: { originTopic: 'orders', originMessageId: 'M1' } }),
  ];
  const byId = await get('/api/messages?id=M1');
  assert.equal(byId.status, 200);
  assert.deepEqual(byId.body.items.map((m: { topic: string }) => m.topic), ['orders', '%DLQ%billing']);
  assert.deepEqual(byId.body.items[0], {
    messageId: 'M1', topic: 'orders', offset: 0, queueId: 0, kind: 'NORMAL', tag: 'created', keys: ['order-1'], properties: {}, messageGroup: null,
    bornAt: '2023-11-14T22:13:20.000Z', bornHost: '10.0.0.1', producerClientId: 'producer-1', storedAt: '2026-01-01T10:00:00.000Z', deliverAt: null, deadLetter: null,
    body: 'hello', bodyEncoding: 'utf8', bodySize: 5, bodyTruncated: false,
  });
  assert.deepEqual(byId.body.items[1].deadLetter, { originTopic: 'orders', originMessageId: 'M1' });
  assert.deepEqual((await get('/api/messages?id=nothing')).body, { items: [] });

  const byKey = await get('/api/messages?topic=orders&key=order-2');
  assert.deepEqual(byKey.body.items.map((m: { messageId: string }) => m.messageId), ['M2']);
  assert.equal(byKey.body.items[0].bodyEncoding, 'base64');
  assert.equal(byKey.body.items[0].body, Buffer.from([0, 1, 2, 255]).toString('base64'));

  const byTime = await get(`/api/messages?topic=orders&from=${encodeURIComponent('2026-01-01T09:30:00Z')}&to=${encodeURIComponent('2026-01-01T10:30:00+00:00')}`);
  assert.deepEqual(byTime.body.items.map((m: { messageId: string }) => m.messageId), ['M1']);

  for (const [query, pattern] of [
    ['', /\?id=MESSAGE_ID/],
    ['topic=orders', /key=KEY or from=ISO_TIME/],
    ['topic=orders&from=yesterday', /"from" must be an ISO-8601 time/],
    ['topic=orders&from=2026-02-30T00:00:00Z', /"from" must be an ISO-8601 time .*which has day 30 while 2026-02 has 28 days/],
    ['topic=orders&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', /"to" .* is before "from"/],
    ['topic=orders&from=2026-01-01T09:30:00', /"from" must be an ISO-8601 time with a zone/],
    ['topic=orders&from=2026-01-01T09:30:00Z&to=2026-01-01T10:30', /"to" must be an ISO-8601 time with a zone/],
    ['topic=orders&key=order-1&from=2026-01-01T09:30:00Z', /by key=KEY or by from=ISO_TIME .*not both/],
  ] as const) {
    const refused = await get(`/api/messages?${query}`);
    assert.equal(refused.status, 400, query);
    assert.equal(refused.body.error.code, 'BAD_REQUEST');
    assert.match(refused.body.error.message, pattern);
  }
  const unknownTopic = await get('/api/messages?topic=nope&key=k');
  assert.equal(unknownTopic.status, 404);
  assert.equal(unknownTopic.body.error.code, 'TOPIC_NOT_FOUND');
});

test('a body preview: text up to 4 KiB (truncation never splits a character into "binary"), control bytes as base64', async () => {
  const long = 'é'.repeat(3000);
  backend.topics = [{ name: 'big', queues: 1, messageType: 'NORMAL', origin: 'config', firstOffset: 0, nextOffset: 1 }];
  backend.messages = [messageView({ messageId: 'BIG', topic: 'big', body: Buffer.from(long) }), messageView({ messageId: 'CTL', topic: 'big', body: Buffer.from('a\u0007b') })];
  const [big] = (await get('/api/messages?id=BIG')).body.items;
  assert.equal(big.bodyEncoding, 'utf8');
  assert.equal(big.bodySize, 6000);
  assert.equal(big.bodyTruncated, true);
  assert.equal(big.body, 'é'.repeat(2048));
  const [ctl] = (await get('/api/messages?id=CTL')).body.items;
  assert.deepEqual([ctl.bodyEncoding, ctl.body], ['base64', Buffer.from('a\u0007b').toString('base64')]);
});

test('a trace: events in ISO time, 404 MESSAGE_NOT_FOUND when nothing is retained', async () => {
  backend.traces = [{
    messageId: 'M1',
    events: [
      { type: 'stored', at: 1_700_000_000_000, topic: 'orders', clientId: 'producer-1' },
      { type: 'delivered', at: 1_700_000_000_010, topic: 'orders', group: 'billing', clientId: 'consumer-1', attempt: 1 },
      { type: 'dead-lettered', at: 1_700_000_000_020, topic: '%DLQ%billing', group: 'billing', attempt: 1, note: 'max attempts' },
    ],
  }];
  const trace = await get('/api/trace/M1');
  assert.deepEqual(trace.body, {
    messageId: 'M1',
    events: [
      { type: 'stored', at: '2023-11-14T22:13:20.000Z', topic: 'orders', clientId: 'producer-1' },
      { type: 'delivered', at: '2023-11-14T22:13:20.010Z', topic: 'orders', group: 'billing', clientId: 'consumer-1', attempt: 1 },
      { type: 'dead-lettered', at: '2023-11-14T22:13:20.020Z', topic: '%DLQ%billing', group: 'billing', attempt: 1, note: 'max attempts' },
    ],
  });
  const missing = await get('/api/trace/NOPE');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'MESSAGE_NOT_FOUND');
});

test('the DLQ: listing with resentAt; resend needs a JSON body with messageId; a second resend is refused with 400', async () => {
  backend.groups = [groupView('billing', 'orders', { lag: 0, inFlight: 0 })];
  const copy = messageView({ messageId: 'D1', topic: '%DLQ%billing', deadLetter: { originTopic: 'orders', originMessageId: 'D1' } });
  backend.deadLetters = [{ group: 'billing', message: copy }];
  const list = await get('/api/dlq/billing');
  assert.deepEqual(list.body.items.map((d: { message: { messageId: string }; resentAt: string | null }) => [d.message.messageId, d.resentAt]), [['D1', null]]);

  const form = await post('/api/dlq/billing/resend', 'messageId=D1', 'application/x-www-form-urlencoded');
  assert.equal(form.status, 415, 'a form post (what another site can send) is refused');
  assert.equal(form.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
  const plain = await post('/api/dlq/billing/resend', JSON.stringify({ messageId: 'D1' }), 'text/plain');
  assert.equal(plain.status, 415, 'a "simple" cross-site fetch is refused');
  assert.deepEqual(backend.calls, [], 'nothing was resent by the refused requests');

  const noId = await post('/api/dlq/billing/resend', {});
  assert.equal(noId.status, 400);
  assert.match(noId.body.error.message, /"messageId"/);
  const notJson = await post('/api/dlq/billing/resend', '{messageId', 'application/json');
  assert.equal(notJson.status, 400);
  assert.match(notJson.body.error.message, /not valid JSON/);
  const huge = await post('/api/dlq/billing/resend', { messageId: 'D1', padding: 'x'.repeat(70_000) });
  assert.equal(huge.status, 413);
  assert.equal(huge.body.error.code, 'PAYLOAD_TOO_LARGE');

  const resent = await post('/api/dlq/billing/resend', { messageId: 'D1' }, 'application/json; charset=utf-8');
  assert.equal(resent.status, 200);
  assert.deepEqual(resent.body, { messageId: 'D1', topic: 'orders', offset: 7 });
  assert.deepEqual(backend.calls, ['resend billing D1']);
  assert.equal((await get('/api/dlq/billing')).body.items[0].resentAt, '2023-11-14T22:13:20.000Z');
  const again = await post('/api/dlq/billing/resend', { messageId: 'D1' });
  assert.equal(again.status, 400);
  assert.match(again.body.error.message, /resent already/);

  const wrongMethod = await get('/api/dlq/billing/resend');
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get('allow'), 'POST');
  assert.equal(wrongMethod.body.error.code, 'METHOD_NOT_ALLOWED');
  backend.calls.length = 0;
});

test('transactions: unsettled ones (parked filter), commit and rollback by id', async () => {
  const half = (transactionId: string, parked: boolean) => ({
    transactionId,
    message: { topic: 'orders', queueId: 0, messageId: `MSG-${transactionId}`, kind: 'TRANSACTION' as const, body: Buffer.from('{"order":1}'), keys: ['order-1'], properties: {}, bornAt: 1, bornHost: 'h' },
    producerClientId: 'producer-1',
    createdAt: 1_700_000_000_000,
    checks: parked ? 5 : 1,
    nextCheckAt: 1_700_000_060_000,
    parked,
  });
  backend.halves = [half('T1', false), half('T2', true)];
  const all = await get('/api/transactions');
  assert.deepEqual(all.body.items.map((t: { transactionId: string; nextCheckAt: string | null }) => [t.transactionId, t.nextCheckAt]), [['T1', '2023-11-14T22:14:20.000Z'], ['T2', null]]);
  assert.equal(all.body.items[0].body, '{"order":1}');
  assert.deepEqual((await get('/api/transactions?parked=true')).body.items.map((t: { transactionId: string }) => t.transactionId), ['T2']);
  assert.equal((await get('/api/transactions?parked=false')).body.items.length, 2, 'parked=false: all of them');
  const badParked = await get('/api/transactions?parked=yes');
  assert.equal(badParked.status, 400);
  assert.equal(badParked.body.error.message, '"parked" must be true or false, got "yes"');
  assert.equal((await get('/api/transactions/T2')).body.parked, true);
  assert.equal((await get('/api/transactions/T9')).status, 404);

  assert.deepEqual((await post('/api/transactions/T2/commit', {})).body, { transactionId: 'T2', resolution: 'COMMIT', changed: true });
  assert.deepEqual((await post('/api/transactions/T1/rollback', '')).body, { transactionId: 'T1', resolution: 'ROLLBACK', changed: true });
  assert.deepEqual((await post('/api/transactions/T1/rollback', '')).body.changed, false);
  assert.equal((await post('/api/transactions/T1/rollback', '', 'text/plain')).status, 415);
  assert.deepEqual(backend.calls, ['COMMIT T2', 'ROLLBACK T1', 'ROLLBACK T1']);
  backend.calls.length = 0;
});

test('throughput: stored (not dead-letter copies) and delivered events per second over the last five minutes', async () => {
  clock.advance(1000 - (clock.now() % 1000));
  const now = clock.now();
  backend.emit(
    { type: 'stored', at: now, messageId: 'a', topic: 'orders' },
    { type: 'stored', at: now, messageId: 'b', topic: 'orders' },
    { type: 'acked', at: now, messageId: 'a', topic: 'orders', group: 'g' },
    // A dead-letter copy came in once already, under its origin topic: not "in" again.
    { type: 'stored', at: now, messageId: 'c', topic: '%DLQ%g' },
  );
  clock.advance(1000);
  backend.emit({ type: 'delivered', at: clock.now(), messageId: 'a', topic: 'orders', group: 'g', attempt: 1 });
  const { body } = await get('/api/throughput');
  assert.equal(body.intervalSeconds, 1);
  assert.equal(body.points.length, 300);
  assert.deepEqual(body.points.slice(-3), [
    { at: new Date(now - 1000).toISOString(), in: 0, out: 0 },
    { at: new Date(now).toISOString(), in: 2, out: 0 },
    { at: new Date(now + 1000).toISOString(), in: 0, out: 1 },
  ]);
  clock.advance(300_000);
  const later = await get('/api/throughput');
  assert.ok(later.body.points.every((p: { in: number; out: number }) => p.in === 0 && p.out === 0), 'five minutes on, the old seconds are gone (not read back a lap later)');
});

test('files: the console directory by name and / as index.html, with a strict content security policy; nothing else', async () => {
  const index = await get('/');
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  assert.equal((await get('/console.js')).headers.get('content-type'), 'text/javascript; charset=utf-8');
  for (const path of ['/notes.txt', '/../package.json', '/%2e%2e/package.json', '/nothing.js', '/api/nothing', '/api']) {
    assert.equal((await get(path)).status, 404, path);
  }
  const put = await fetch(`${base}/`, { method: 'DELETE' });
  assert.equal(put.status, 405);
  const metrics = await get('/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.match(metrics.body, /^# HELP txmq_/m);
});

test('the real console files are served: index.html loads console.js as a module', async () => {
  const metrics = new BrokerMetrics(backend);
  const real = await startHttpServer({ host: '127.0.0.1', port: 0, backend, metrics, log: silentLog });
  try {
    const html = await (await fetch(`http://127.0.0.1:${real.port}/`)).text();
    assert.match(html, /<script type="module" src="console\.js"><\/script>/);
    for (const file of ['console.js', 'console.css']) assert.equal((await fetch(`http://127.0.0.1:${real.port}/${file}`)).status, 200, file);
  } finally {
    await real.close();
    metrics.close();
  }
});

test('the port: ADDRESS_IN_USE when taken; close() ends keep-alive connections and unsubscribes from the events', async () => {
  const other = new FakeAdminBackend();
  const metrics = [new BrokerMetrics(other), new BrokerMetrics(other)];
  const first = await startHttpServer({ host: '127.0.0.1', port: 0, backend: other, metrics: metrics[0]!, log: silentLog, consoleDir });
  await assert.rejects(
    startHttpServer({ host: '127.0.0.1', port: first.port, backend: other, metrics: metrics[1]!, log: silentLog, consoleDir }),
    (error: Error & { code?: string }) => error.code === 'ADDRESS_IN_USE' && error.message === `HTTP port ${first.port} on 127.0.0.1 is already in use`,
  );
  await (await fetch(`http://127.0.0.1:${first.port}/api/topics`, { headers: { connection: 'keep-alive' } })).text();
  assert.equal(other.subscribers, 3, 'two metrics and one throughput subscribe');
  await first.close();
  assert.equal(other.subscribers, 2, 'the server unsubscribed its throughput; the metrics are closed by their owner');
  for (const m of metrics) m.close();
  assert.equal(other.subscribers, 0);
});
