import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BrokerRefusedError, createProducer, type TxmqProducer } from '../src/client/index.js';
import { FakeProxy, idsOf, perMessageAnswer, proxyAnswer } from './fake-proxy.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const ID = /^01[0-9A-F]{32}$/;

let fake: FakeProxy;
before(async () => {
  fake = new FakeProxy(proxyAnswer);
  await fake.start();
});
after(() => fake.stop());

function producer(options: Partial<Parameters<typeof createProducer>[0]> = {}): TxmqProducer {
  return createProducer({ endpoints: fake.endpoint, logger: quiet, startupTimeoutMs: 10_000, ...options });
}

/** Sends `first` and waits until the fake holds its request; then the rest queue behind it. */
async function holdFirst(p: TxmqProducer, topic: string): Promise<{ first: Promise<unknown>; release: () => void }> {
  let release!: () => void;
  fake.hold = new Promise<void>((resolve) => (release = resolve));
  const before = fake.sends.length;
  const first = p.send({ topic, body: 'first' });
  await fake.until(() => fake.sends.length > before);
  return { first, release: () => ((fake.hold = undefined), release()) };
}

test('a proxy answering ONE entry for N: concurrent sends share a request, each keeps its own id, offsets follow the entry', async () => {
  fake.answer = proxyAnswer;
  const p = producer({ topics: ['orders', 'payments'] });
  await p.start();
  const settings = fake.settings.at(-1)!;
  assert.equal(settings.clientType, 1);
  assert.deepEqual(settings.publishing?.topics?.map((t) => t.name), ['orders', 'payments'], 'every `topics` option is announced');

  const { first, release } = await holdFirst(p, 'orders');
  const sent = fake.sends.length;
  const rest = Array.from({ length: 5 }, (_, i) => p.send({ topic: 'orders', body: `m${i}`, keys: [`k${i}`] }));
  await new Promise(setImmediate);
  release();
  await first;
  const results = await Promise.all(rest);
  assert.equal(fake.sends.length, sent + 1, 'the five queued sends went in one request');
  const batch = fake.sends.at(-1)!;
  assert.deepEqual(idsOf(batch.messages), results.map((r) => r.messageId));
  assert.ok(results.every((r) => ID.test(r.messageId)), results.map((r) => r.messageId).join());
  assert.equal(new Set(results.map((r) => r.messageId)).size, 5);
  assert.deepEqual(results.map((r) => r.offset), [100, 101, 102, 103, 104]);
  assert.deepEqual(batch.messages!.map((m) => m.systemProperties?.keys), [['k0'], ['k1'], ['k2'], ['k3'], ['k4']]);

  const headers = fake.headers.at(-1)!;
  for (const name of ['x-mq-client-id', 'x-mq-language', 'x-mq-protocol', 'x-mq-client-version', 'x-mq-date-time', 'x-mq-request-id']) {
    assert.ok(headers.get(name)[0], `header ${name}`);
  }
  assert.match(String(headers.get('x-mq-date-time')[0]), /^\d{8}T\d{6}Z$/);
  await p.close();
  assert.ok(fake.calls.includes('NotifyClientTermination'));
});

test('one entry per message (txmq): each message gets its own status, id and offset', async () => {
  fake.answer = perMessageAnswer;
  const p = producer();
  const { first, release } = await holdFirst(p, 'orders');
  const sends = [
    p.send({ topic: 'orders', body: 'a' }),
    p.send({ topic: 'orders', body: 'b', properties: { refuse: '40004' } }),
    p.send({ topic: 'orders', body: 'c' }),
  ];
  await new Promise(setImmediate);
  release();
  await first;
  const [a, b, c] = (await Promise.allSettled(sends)) as [PromiseSettledResult<{ offset: number }>, PromiseSettledResult<unknown>, PromiseSettledResult<{ offset: number }>];
  assert.equal(a.status, 'fulfilled');
  assert.equal(c.status, 'fulfilled');
  assert.equal(b.status, 'rejected');
  const error = (b as PromiseRejectedResult).reason as BrokerRefusedError;
  assert.ok(error instanceof BrokerRefusedError);
  assert.equal(error.code, 'ILLEGAL_MESSAGE_TAG');
  assert.deepEqual([a.status === 'fulfilled' && a.value.offset, c.status === 'fulfilled' && c.value.offset], [200, 202]);
  await p.close();
});

test('maxBatchMessages and maxBatchBytes cap a request; maxBatchMessages 1 sends each message alone', async () => {
  fake.answer = proxyAnswer;
  const p = producer({ maxBatchMessages: 2, maxBatchBytes: 10 });
  const { first, release } = await holdFirst(p, 'caps');
  const start = fake.sends.length;
  const rest = [p.send({ topic: 'caps', body: '1234' }), p.send({ topic: 'caps', body: '5678' }), p.send({ topic: 'caps', body: '12345678901' }), p.send({ topic: 'caps', body: 'x' })];
  await new Promise(setImmediate);
  release();
  await Promise.all([first, ...rest]);
  const sizes = fake.sends.slice(start).map((s) => s.messages!.length);
  assert.ok(sizes.every((n) => n <= 2), `request sizes ${sizes.join()}`);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 4);
  await p.close();

  const single = producer({ maxBatchMessages: 1 });
  const held = await holdFirst(single, 'single');
  const before = fake.sends.length;
  const more = [single.send({ topic: 'single', body: 'a' }), single.send({ topic: 'single', body: 'b' })];
  await fake.until(() => fake.sends.length === before + 2);
  held.release();
  await Promise.all([held.first, ...more]);
  await single.close();
});

test('FIFO, DELAY and transactional messages go one per request', async () => {
  fake.answer = perMessageAnswer;
  const p = producer({ checker: async () => 'COMMIT' });
  const before = fake.sends.length;
  await Promise.all([
    p.send({ topic: 'fifo', body: 'a', messageGroup: 'g' }),
    p.send({ topic: 'fifo', body: 'b', messageGroup: 'g' }),
    p.send({ topic: 'later', body: 'c', deliverAt: new Date(Date.now() + 60_000) }),
    p.sendHalf({ topic: 'tx', body: 'd' }),
  ]);
  const requests = fake.sends.slice(before);
  assert.equal(requests.length, 4);
  assert.ok(requests.every((r) => r.messages!.length === 1));
  assert.deepEqual(requests.map((r) => r.messages![0]!.systemProperties!.messageType).sort(), [2, 2, 3, 4]);
  await p.close();
});

test('a retryable refusal is retried with the same ids; a refusal of the message is not', async () => {
  let refusals = 1;
  fake.answer = (request, call) => {
    if (refusals-- > 0) return { status: { code: 42900, message: 'slow down' }, entries: [{ status: { code: 42900, message: 'slow down' } }] };
    return proxyAnswer(request, call);
  };
  const p = producer({ maxAttempts: 3 });
  await p.start();
  const before = fake.sends.length;
  const result = await p.send({ topic: 'retry', body: 'x' });
  const attempts = fake.sends.slice(before);
  assert.equal(attempts.length, 2);
  assert.deepEqual(idsOf(attempts[0]!.messages), idsOf(attempts[1]!.messages));
  assert.equal(result.messageId, idsOf(attempts[0]!.messages)[0]);

  fake.answer = perMessageAnswer;
  const count = fake.sends.length;
  await assert.rejects(p.send({ topic: 'retry', body: 'x', properties: { refuse: '40004' } }), BrokerRefusedError);
  assert.equal(fake.sends.length, count + 1, 'not retried');
  await p.close();
});

test('half messages: commit and rollback end the transaction; a check-back asks the checker and answers with SERVER_CHECK', async () => {
  fake.answer = perMessageAnswer;
  const asked: string[] = [];
  const p = producer({ topics: ['tx'], checker: async (message) => (asked.push(message.body.toString()), 'ROLLBACK') });
  const half = await p.sendHalf({ topic: 'tx', body: 'pending' });
  await half.commit();
  const end = fake.endTransactions.at(-1)!;
  assert.deepEqual([end.transactionId, end.messageId, end.resolution, end.source], [half.transactionId, half.messageId, 1, 1]);

  const before = fake.endTransactions.length;
  fake.push({
    recoverOrphanedTransactionCommand: {
      transactionId: 'tx-1',
      message: { topic: { name: 'tx' }, body: Buffer.from('orphan'), systemProperties: { messageId: 'M1', bodyDigest: { type: 2, checksum: 'X' } } },
    },
  });
  await fake.until(() => fake.endTransactions.length > before);
  const check = fake.endTransactions.at(-1)!;
  assert.deepEqual([check.transactionId, check.messageId, check.resolution, check.source], ['tx-1', 'M1', 2, 2]);
  assert.deepEqual(asked, ['orphan']);

  const replies = fake.telemetryReplies.length;
  fake.push({ printThreadStackTraceCommand: { nonce: 'n1' } });
  fake.push({ verifyMessageCommand: { nonce: 'n2' } });
  await fake.until(() => fake.telemetryReplies.length >= replies + 2);
  const answered = fake.telemetryReplies.slice(replies);
  assert.equal(answered[0]!.threadStackTrace?.nonce, 'n1');
  assert.equal(answered[1]!.verifyMessageResult?.nonce, 'n2');
  assert.equal(answered[1]!.status?.code, 50100);
  await p.close();
});

test('recall goes to the access point and resolves to the message id', async () => {
  const p = producer();
  assert.equal(await p.recall('later', 'handle'), 'recalled-id');
  await p.close();
});

test('close() lets the sends in flight finish, then tells the broker it leaves; later sends are refused', async () => {
  fake.answer = proxyAnswer;
  const p = producer();
  const { first, release } = await holdFirst(p, 'closing');
  const queued = p.send({ topic: 'closing', body: 'queued' });
  await new Promise(setImmediate);
  const terminations = fake.calls.filter((c) => c === 'NotifyClientTermination').length;
  const closing = p.close();
  await assert.rejects(p.send({ topic: 'closing', body: 'late' }), /producer\.send\(\) was called after close\(\)/);
  release();
  await Promise.all([first, queued, closing]);
  assert.equal(fake.calls.filter((c) => c === 'NotifyClientTermination').length, terminations + 1);
});
