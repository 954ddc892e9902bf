// SQL92 property filters through the official rocketmq-client-nodejs against a broker process:
// SimpleConsumer and PushConsumer subscribing with `new FilterExpression(expr, FilterType.SQL)`.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { ConsumeResult, FilterExpression, type Producer } from 'rocketmq-client-nodejs';
import { eventually } from '@txmq/test-support';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { ClientPool, errorOf, receiveN, receiveNothing, text } from './support/official-clients.js';
import { RawClient } from './support/raw-grpc.js';

// The client's index does not re-export the protobuf enums; its generated module is CommonJS.
const { FilterType } = createRequire(import.meta.url)('rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js') as typeof import('rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js');
const ILLEGAL_FILTER_EXPRESSION = 40010;

let broker: BrokerProcess;
const clients = new ClientPool(() => broker.endpoint);

before(async () => {
  broker = await startBrokerProcess();
});
after(async () => {
  await clients.shutdownAll();
  await broker?.stop();
  await broker?.dispose();
});

const sql = (expression: string) => new FilterExpression(expression, FilterType.SQL);

interface Draft {
  readonly body: string;
  readonly tag?: string;
  readonly properties?: Record<string, string>;
}

/** Messages of every shape the filters below tell apart: missing, numeric, non-numeric values, tags. */
const DRAFTS: readonly Draft[] = [
  { body: 'a1-eu', properties: { a: '1', region: 'eu' } },
  { body: 'a3-eu', properties: { a: '3', region: 'eu' } },
  { body: 'a3-us', properties: { a: '3', region: 'us' } },
  { body: 'a7-eu', tag: 'B', properties: { a: '7', region: 'eu' } },
  { body: 'a2.5-apac', properties: { a: '2.5', region: 'apac' } },
  { body: 'ax-eu', properties: { a: 'x', region: 'eu' } },
  { body: 'no-a-eu', properties: { region: 'eu' } },
  { body: 'bare' },
  { body: 'bare-B', tag: 'B' },
];

async function sendAll(producer: Producer, topic: string, drafts: readonly Draft[] = DRAFTS): Promise<void> {
  for (const draft of drafts) {
    await producer.send({
      topic,
      body: Buffer.from(draft.body),
      ...(draft.tag !== undefined && { tag: draft.tag }),
      ...(draft.properties && { properties: new Map(Object.entries(draft.properties)) }),
    });
  }
}

/** The bodies of DRAFTS a filter must select. */
const bodies = (select: (d: Draft) => boolean) => DRAFTS.filter(select).map((d) => d.body).sort();
const num = (d: Draft) => (d.properties?.a !== undefined && /^[\d.]+$/.test(d.properties.a) ? Number(d.properties.a) : undefined);

test('SimpleConsumer: exactly the messages matching the SQL filter arrive; a message without the property does not', async () => {
  const topic = uniqueName('sql-simple');
  const producer = await clients.producer(topic);
  await sendAll(producer, topic);
  const consumer = await clients.simple(uniqueName('sql-simple'), topic, sql("a BETWEEN 2 AND 5 AND region IN ('eu', 'apac')"));
  const expected = bodies((d) => num(d) !== undefined && num(d)! >= 2 && num(d)! <= 5 && ['eu', 'apac'].includes(d.properties!.region!));
  assert.deepEqual(expected, ['a2.5-apac', 'a3-eu']);
  const received = await receiveN(consumer, expected.length);
  assert.deepEqual(received.map(text).sort(), expected);
  assert.deepEqual(await receiveNothing(consumer), [], 'nothing else matches');
});

test('two groups with different SQL filters on one topic each get their own subset', async () => {
  const topic = uniqueName('sql-groups');
  const producer = await clients.producer(topic);
  const above = await clients.simple(uniqueName('sql-above'), topic, sql('a > 2'));
  const rest = await clients.simple(uniqueName('sql-rest'), topic, sql("a <= 2 OR TAGS = 'B'"));
  await sendAll(producer, topic);

  const wantAbove = bodies((d) => num(d) !== undefined && num(d)! > 2);
  const wantRest = bodies((d) => (num(d) !== undefined && num(d)! <= 2) || d.tag === 'B');
  assert.deepEqual(wantAbove, ['a2.5-apac', 'a3-eu', 'a3-us', 'a7-eu']);
  assert.deepEqual(wantRest, ['a1-eu', 'a7-eu', 'bare-B']);
  const [gotAbove, gotRest] = await Promise.all([receiveN(above, wantAbove.length), receiveN(rest, wantRest.length)]);
  assert.deepEqual(gotAbove.map(text).sort(), wantAbove);
  assert.deepEqual(gotRest.map(text).sort(), wantRest, "a7-eu reaches both groups; 'ax-eu', 'no-a-eu' and 'bare' reach neither");
  assert.deepEqual(await receiveNothing(above), []);
  assert.deepEqual(await receiveNothing(rest), []);
});

test('PushConsumer: the handler sees exactly the matching messages', async () => {
  const topic = uniqueName('sql-push');
  const producer = await clients.producer(topic);
  const seen: string[] = [];
  const consumer = await clients.push(
    uniqueName('sql-push'),
    topic,
    (message) => {
      seen.push(text(message));
      return ConsumeResult.SUCCESS;
    },
    { expression: sql("region = 'eu' AND NOT (a = 3) AND a IS NOT NULL") },
  );
  await sendAll(producer, topic);
  // Sent last, so once it arrived every earlier matching message was handed out too (one queue, in order).
  await producer.send({ topic, body: Buffer.from('last'), properties: new Map([['a', '9'], ['region', 'eu']]) });
  await eventually('the matching messages to arrive', () => seen.includes('last') && seen.length >= 3, { timeoutMs: 15_000 });
  assert.deepEqual([...seen].sort(), ['a1-eu', 'a7-eu', 'last'], "a=3 is excluded, 'x' = 3 is unknown so NOT of it is too, and no-a-eu has no a");
  clients.retire(consumer);
});

test('a bad SQL expression is refused with ILLEGAL_FILTER_EXPRESSION naming the position, at start and on receive', async () => {
  const topic = uniqueName('sql-bad');
  const producer = await clients.producer(topic);
  // The client's start fails with the broker's refusal of its Telemetry settings as the cause.
  const simple = (await errorOf(() => clients.simple(uniqueName('sql-bad'), topic, sql("a > 'x'")))).cause as { code?: number; message: string };
  assert.equal(simple.code, ILLEGAL_FILTER_EXPRESSION, simple.message);
  assert.match(simple.message, /at position 5/);
  const push = (await errorOf(() => clients.push(uniqueName('sql-bad-push'), topic, () => ConsumeResult.SUCCESS, { expression: sql('(a = 1') }))).cause as { code?: number; message: string };
  assert.equal(push.code, ILLEGAL_FILTER_EXPRESSION, push.message);
  assert.match(push.message, /at position 7/);

  await producer.send({ topic, body: Buffer.from('m'), properties: new Map([['a', '1']]) });
  const raw = new RawClient(broker.endpoint);
  try {
    const frames = await raw.receive(uniqueName('sql-bad-raw'), topic, { invisibleMs: 10_000, longPollMs: 1_000, filter: { type: FilterType.SQL, expression: 'a = 1 AND' } });
    assert.equal(frames[0]?.status?.code, ILLEGAL_FILTER_EXPRESSION);
    assert.match(frames[0]?.status?.message ?? '', /at position 10/);
    const good = await raw.receive(uniqueName('sql-good-raw'), topic, { invisibleMs: 10_000, longPollMs: 1_000, filter: { type: FilterType.SQL, expression: 'a = 1' } });
    assert.deepEqual(good.flatMap((f) => (f.message?.body ? [f.message.body.toString()] : [])), ['m'], 'the broker still serves');
  } finally {
    raw.close();
  }
});
