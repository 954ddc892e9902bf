import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BrokerRefusedError, ConfigError, createProducer, type TxmqProducer } from '../src/client/index.js';
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
  const bodies = fake.sends.slice(start).map((s) => s.messages!.map((m) => Buffer.from(m.body!).toString()));
  assert.deepEqual(bodies, [['1234', '5678'], ['12345678901'], ['x']], '2 by count, the oversized one alone, then the rest');
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

test('FIFO, DELAY and transactional messages go one per request, even while a NORMAL request of their topic is in flight', async () => {
  fake.answer = perMessageAnswer;
  const p = producer({ checker: async () => 'COMMIT' });
  const { first, release } = await holdFirst(p, 'mixed');
  const before = fake.sends.length;
  const later = new Date(Date.now() + 60_000);
  const sends = [
    p.send({ topic: 'mixed', body: 'f1', messageGroup: 'g' }),
    p.send({ topic: 'mixed', body: 'f2', messageGroup: 'g' }),
    p.send({ topic: 'mixed', body: 'd1', deliverAt: later }),
    p.send({ topic: 'mixed', body: 'd2', deliverAt: later }),
    p.sendHalf({ topic: 'mixed', body: 't1' }),
  ];
  await fake.until(() => fake.sends.length === before + 5);
  release();
  await Promise.all([first, ...sends]);
  const requests = fake.sends.slice(before);
  assert.deepEqual(requests.map((r) => r.messages!.length), [1, 1, 1, 1, 1]);
  assert.deepEqual(requests.map((r) => r.messages![0]!.systemProperties!.messageType).sort(), [2, 2, 3, 3, 4]);
  await p.close();
});

test('a transactional send is never retried', async () => {
  fake.answer = () => ({ status: { code: 42900, message: 'slow down' }, entries: [{ status: { code: 42900, message: 'slow down' } }] });
  const p = producer({ checker: async () => 'COMMIT', maxAttempts: 5 });
  await p.start();
  const before = fake.sends.length;
  await assert.rejects(p.sendHalf({ topic: 'tx', body: 'once' }), (e: unknown) => e instanceof BrokerRefusedError && e.code === 'TOO_MANY_REQUESTS');
  assert.equal(fake.sends.length, before + 1);
  await p.close();
});

test('a batch refused whole as too large (in-band or RESOURCE_EXHAUSTED) is sent again in halves: nothing lost, nothing twice', async () => {
  for (const refuse of ['in-band', 'grpc'] as const) {
    fake.answer = (request, call) => {
      if ((request.messages ?? []).length <= 2) return proxyAnswer(request, call);
      if (refuse === 'grpc') throw Object.assign(new Error('Received message larger than max (5000000 vs. 4194304)'), { code: 8, details: 'Received message larger than max (5000000 vs. 4194304)' });
      return { status: { code: 41300, message: 'too large' }, entries: [{ status: { code: 41300, message: 'too large' } }] };
    };
    const p = producer();
    const { first, release } = await holdFirst(p, `split-${refuse}`);
    const start = fake.sends.length;
    const rest = ['a', 'b', 'c', 'd'].map((body) => p.send({ topic: `split-${refuse}`, body }));
    await new Promise(setImmediate);
    release();
    await first;
    const results = await Promise.all(rest);
    const requests = fake.sends.slice(start).map((r) => idsOf(r.messages));
    assert.deepEqual(requests.map((ids) => ids.length), [4, 2, 2], refuse);
    assert.deepEqual([...requests[1]!, ...requests[2]!], requests[0], 'the halves carry the same ids');
    assert.deepEqual(results.map((r) => r.messageId), requests[0]);
    await p.close();
  }
});

test('batches are capped by the body limit the broker announced, below maxBatchBytes', async () => {
  fake.answer = proxyAnswer;
  fake.settingsAnswer = (settings) => ({ status: { code: 20000, message: 'OK' }, settings: { ...settings, publishing: { ...settings.publishing, maxBodySize: 10 } } });
  try {
    const p = producer();
    const { first, release } = await holdFirst(p, 'announced');
    const start = fake.sends.length;
    const rest = ['1111', '2222', '3333', '4444', '5555'].map((body) => p.send({ topic: 'announced', body }));
    await new Promise(setImmediate);
    release();
    await Promise.all([first, ...rest]);
    const bodies = fake.sends.slice(start).map((s) => s.messages!.map((m) => Buffer.from(m.body!).toString()));
    assert.deepEqual(bodies, [['1111', '2222'], ['3333', '4444'], ['5555']]);
    await p.close();
  } finally {
    fake.settingsAnswer = undefined;
  }
});

test('against a proxy answering one entry for N, a batch refused for one bad message is sent again one message per request', async () => {
  fake.answer = (request, call) => {
    const bad = (request.messages ?? []).find((m) => m.userProperties?.refuse);
    if (!bad) return proxyAnswer(request, call);
    const status = { code: Number(bad.userProperties!.refuse), message: 'refused by the fake' };
    return { status, entries: [{ status }] };
  };
  const p = producer();
  const { first, release } = await holdFirst(p, 'one-bad');
  const start = fake.sends.length;
  const rest = [
    p.send({ topic: 'one-bad', body: 'good 1' }),
    p.send({ topic: 'one-bad', body: 'bad', properties: { refuse: '40004' } }),
    p.send({ topic: 'one-bad', body: 'good 2' }),
  ];
  await new Promise(setImmediate);
  release();
  await first;
  const [good1, bad, good2] = await Promise.allSettled(rest);
  assert.equal(good1!.status, 'fulfilled');
  assert.equal(good2!.status, 'fulfilled');
  assert.ok(bad!.status === 'rejected' && bad!.reason instanceof BrokerRefusedError && bad!.reason.code === 'ILLEGAL_MESSAGE_TAG');
  assert.deepEqual(fake.sends.slice(start).map((r) => r.messages!.length), [3, 1, 1, 1]);
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
      message: { topic: { name: 'tx' }, body: Buffer.from('orphan'), systemProperties: { messageId: 'M1', bodyDigest: { type: 2, checksum: createHash('md5').update('orphan').digest('hex').toUpperCase() } } },
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

test('a check-back whose body cannot be read, a checker that throws, answers UNKNOWN or something else send no EndTransaction', async () => {
  fake.answer = perMessageAnswer;
  const warnings: string[] = [];
  const answers: Array<() => Promise<'COMMIT' | 'ROLLBACK' | 'UNKNOWN'>> = [
    async () => { throw new Error('checker failed'); },
    async () => 'UNKNOWN',
    async () => 'MAYBE' as 'UNKNOWN',
    async () => 'COMMIT',
  ];
  let asked = 0;
  const p = producer({
    topics: ['tx'],
    logger: { ...quiet, warn: (...args: unknown[]) => warnings.push(args.map(String).join(' ')) },
    checker: async () => answers[asked++]!(),
  });
  await p.start();
  const before = fake.endTransactions.length;
  const check = (transactionId: string, body: Buffer, encoding = 1) => fake.push({
    recoverOrphanedTransactionCommand: { transactionId, message: { topic: { name: 'tx' }, body, systemProperties: { messageId: `M-${transactionId}`, bodyEncoding: encoding } } },
  });
  check('corrupt', Buffer.from('not gzip'), 2);
  for (const id of ['throws', 'unknown', 'other', 'commits']) check(id, Buffer.from(id));
  await fake.until(() => fake.endTransactions.length > before);
  assert.deepEqual(fake.endTransactions.slice(before).map((e) => e.transactionId), ['commits']);
  assert.equal(asked, 4, 'the corrupt one never reached the checker');
  assert.ok(warnings.some((w) => /MAYBE/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /corrupt/.test(w)), warnings.join('\n'));
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
  assert.ok(fake.calls.lastIndexOf('SendMessage') < fake.calls.lastIndexOf('NotifyClientTermination'), fake.calls.join());
});

test('close() right after send() and sendOneWay(): both reach the broker before the termination notice', async () => {
  fake.answer = proxyAnswer;
  const p = producer();
  const before = fake.sends.length;
  const errors: unknown[] = [];
  const sent = p.send({ topic: 'close-now', body: 'send' });
  p.sendOneWay({ topic: 'close-now', body: 'one-way' }, (error) => errors.push(error));
  await p.close();
  await sent;
  assert.deepEqual(errors, []);
  const bodies = fake.sends.slice(before).flatMap((r) => r.messages!.map((m) => Buffer.from(m.body!).toString()));
  assert.deepEqual(bodies.sort(), ['one-way', 'send']);
  assert.ok(fake.calls.lastIndexOf('SendMessage') < fake.calls.lastIndexOf('NotifyClientTermination'), fake.calls.join());
});

test('a producer refused on the Telemetry stream (UNAUTHENTICATED) fails its start at once with the refusal', async () => {
  fake.telemetryRefusal = { code: 16, details: 'bad credentials' };
  try {
    const p = producer({ startupTimeoutMs: 60_000 });
    await assert.rejects(p.start(), (e: unknown) => e instanceof BrokerRefusedError && e.code === 'UNAUTHORIZED');
    await p.close();
  } finally {
    fake.telemetryRefusal = undefined;
  }
});

test('maxBatchMessages above 1024 and maxBatchBytes above 3.5 MiB are refused', () => {
  assert.throws(() => producer({ maxBatchMessages: 1025 }), (e: unknown) => e instanceof ConfigError && /maxBatchMessages/.test(e.message));
  assert.throws(() => producer({ maxBatchBytes: 3.5 * 1024 * 1024 + 1 }), (e: unknown) => e instanceof ConfigError && /maxBatchBytes/.test(e.message));
  producer({ maxBatchMessages: 1024, maxBatchBytes: 3.5 * 1024 * 1024 });
});

test('a topic is announced in the Settings only once its route resolved', async () => {
  fake.answer = proxyAnswer;
  fake.unknownTopics.add('missing');
  try {
    const p = producer();
    await p.start();
    await assert.rejects(p.send({ topic: 'missing', body: 'x' }), BrokerRefusedError);
    await p.send({ topic: 'present', body: 'y' });
    await fake.until(() => fake.settings.some((s) => s.publishing?.topics?.some((t) => t.name === 'present')));
    assert.ok(!fake.settings.some((s) => s.publishing?.topics?.some((t) => t.name === 'missing')), 'the missing topic was never announced');
    await p.close();
  } finally {
    fake.unknownTopics.delete('missing');
  }
});
