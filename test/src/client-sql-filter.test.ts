// SQL92 property filters through the typed client (`{ sql }` subscriptions) against a broker process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BrokerRefusedError,
  createProducer,
  createPushConsumer,
  createSimpleConsumer,
  STATUS_CODES,
  type OutgoingMessage,
  type ReceivedMessage,
  type TxmqProducer,
} from '@txmq/broker/client';
import { eventually } from '@txmq/test-support';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

let broker: BrokerProcess;
let producer: TxmqProducer;
before(async () => {
  broker = await startBrokerProcess({ memory: true });
  producer = createProducer({ endpoints: broker.endpoint, logger: quietLogger });
});
after(async () => {
  await producer.close();
  await broker.dispose();
});

/** Missing, numeric and non-numeric values of `a`, several regions, a tag. */
const DRAFTS: readonly Omit<OutgoingMessage, 'topic'>[] = [
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

async function sendAll(topic: string): Promise<void> {
  for (const draft of DRAFTS) await producer.send({ topic, ...draft });
}

const text = (m: ReceivedMessage) => m.body.toString();

test('a simple consumer subscribed with { sql } receives exactly the matching messages', async () => {
  const topic = uniqueName('csql-simple');
  await sendAll(topic);
  const consumer = createSimpleConsumer({
    endpoints: broker.endpoint,
    group: uniqueName('csql-simple'),
    subscriptions: { [topic]: { sql: "a BETWEEN 2 AND 5 AND region IN ('eu', 'apac')" } },
    awaitMs: 1000,
    logger: quietLogger,
  });
  try {
    const expected = ['a2.5-apac', 'a3-eu'];
    const received: string[] = [];
    await eventually('the matching messages', async () => {
      const batch = await consumer.receive(32, 10_000);
      received.push(...batch.map(text));
      await Promise.all(batch.map((m) => consumer.ack(m)));
      return received.length >= expected.length;
    }, { timeoutMs: 15_000 });
    assert.deepEqual(received.sort(), expected, "'ax-eu' is not a number, 'no-a-eu' and 'bare' have no a");
    assert.deepEqual(await consumer.receive(32, 10_000), [], 'nothing else matches');
  } finally {
    await consumer.close();
  }
});

test('a push consumer subscribed with { sql } hands exactly the matching messages to its handler', async () => {
  const topic = uniqueName('csql-push');
  const seen: string[] = [];
  const consumer = createPushConsumer({
    endpoints: broker.endpoint,
    group: uniqueName('csql-push'),
    subscriptions: { [topic]: { sql: "(region = 'eu' AND NOT (a = 3) AND a IS NOT NULL) OR TAGS = 'B'" } },
    logger: quietLogger,
    handler: async (message) => {
      seen.push(text(message));
    },
  });
  try {
    await consumer.start();
    await sendAll(topic);
    // Sent last, so once it arrived every earlier matching message was handed out too (one queue, in order).
    await producer.send({ topic, body: 'last', properties: { a: '9', region: 'eu' } });
    await eventually('the matching messages', () => seen.includes('last'), { timeoutMs: 15_000 });
    await eventually('the rest of the matching messages', () => seen.length >= 4, { timeoutMs: 5_000 });
    assert.deepEqual([...seen].sort(), ['a1-eu', 'a7-eu', 'bare-B', 'last'], "a=3 is excluded, 'x' = 3 is unknown so NOT of it is too");
  } finally {
    await consumer.close();
  }
});

/** The error `start()` rejects with. */
async function startError(start: () => Promise<void>): Promise<unknown> {
  return start().then(() => assert.fail('started'), (e: unknown) => e);
}

test('a bad SQL expression makes start() reject with ILLEGAL_FILTER_EXPRESSION naming the position', async () => {
  const topic = uniqueName('csql-bad');
  const simple = createSimpleConsumer({ endpoints: broker.endpoint, group: uniqueName('csql-bad'), subscriptions: { [topic]: { sql: "a > 'x'" } }, logger: quietLogger });
  const push = createPushConsumer({ endpoints: broker.endpoint, group: uniqueName('csql-bad-push'), subscriptions: { [topic]: { sql: '(a = 1' } }, logger: quietLogger, handler: async () => undefined });
  try {
    const refusals = [
      { error: await startError(() => simple.start()), expression: "a > 'x'", position: 5 },
      { error: await startError(() => push.start()), expression: '(a = 1', position: 7 },
    ];
    for (const { error, expression, position } of refusals) {
      assert.ok(error instanceof BrokerRefusedError, String(error));
      assert.equal(error.code, 'ILLEGAL_FILTER_EXPRESSION', error.message);
      assert.equal(error.status, STATUS_CODES.ILLEGAL_FILTER_EXPRESSION);
      assert.ok(error.message.includes(`SQL filter ${JSON.stringify(expression)} is invalid at position ${position}:`), error.message);
    }
    // Calls on a consumer whose start was refused report the same refusal.
    await assert.rejects(simple.receive(1), (e: unknown) => e instanceof BrokerRefusedError && e.code === 'ILLEGAL_FILTER_EXPRESSION' && /at position 5\b/.test(e.message));
  } finally {
    await simple.close();
    await push.close();
  }
});
