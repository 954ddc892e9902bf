import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClientClosedError, createProducer, createPushConsumer, type ReceivedMessage, type TxmqProducer } from '@txmq/broker/client';
import { eventually } from '@txmq/test-support';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

const PUSH_LONG_POLLING_MS = 1000;
const REQUEST_TIMEOUT_MS = 1000;
/**
 * close()'s documented bound (TxmqPushConsumer.close) for these consumers, without the handlers'
 * own time: three times requestTimeoutMs and one second (an acknowledgement behind the one in
 * flight, the leaving notice, the end of the Telemetry stream). The open long poll
 * (PUSH_LONG_POLLING_MS) is cancelled, not waited for.
 */
const CLOSE_BOUND_MS = 3 * REQUEST_TIMEOUT_MS + 1000;
/** Room for a loaded machine. */
const MARGIN_MS = 2000;
let broker: BrokerProcess;
let producer: TxmqProducer;
before(async () => {
  broker = await startBrokerProcess({ memory: true, config: { pushLongPollingMs: PUSH_LONG_POLLING_MS } });
  producer = createProducer({ endpoints: broker.endpoint, logger: quietLogger });
});
after(async () => {
  await producer.close();
  await broker.dispose();
});

interface Call {
  readonly body: string;
  readonly attempt: number;
  readonly at: number;
}

test('createPushConsumer does nothing until start(), then delivers, and redelivers a message whose handler threw', async (t) => {
  const topic = uniqueName('push');
  const calls: Call[] = [];
  const failures: Array<{ error: unknown; message: ReceivedMessage }> = [];
  const consumer = createPushConsumer({
    endpoints: broker.endpoint,
    group: uniqueName('g'),
    subscriptions: { [topic]: '*' },
    logger: quietLogger,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    handler: async (message) => {
      calls.push({ body: message.body.toString(), attempt: message.deliveryAttempt, at: Date.now() });
      if (message.body.toString() === 'fail once' && message.deliveryAttempt === 1) throw new Error('not yet');
    },
    onHandlerError: (error, message) => failures.push({ error, message }),
  });
  await consumer.start();
  await consumer.start(); // already started: resolves at once
  await producer.send({ topic, body: 'fine' });
  await producer.send({ topic, body: 'fail once' });

  await eventually('the redelivery', () => calls.some((c) => c.body === 'fail once' && c.attempt === 2), { timeoutMs: 15_000 });
  assert.deepEqual(calls.filter((c) => c.body === 'fine').map((c) => c.attempt), [1]);
  assert.deepEqual(calls.filter((c) => c.body === 'fail once').map((c) => c.attempt), [1, 2]);
  assert.equal(failures.length, 1);
  assert.equal((failures[0]!.error as Error).message, 'not yet');
  assert.equal(failures[0]!.message.body.toString(), 'fail once');

  const closing = Date.now();
  await consumer.close();
  const closeMs = Date.now() - closing;
  t.diagnostic(`close took ${closeMs} ms`);
  assert.ok(closeMs < CLOSE_BOUND_MS + MARGIN_MS, `close took ${closeMs} ms`);
  await consumer.close(); // idempotent
  await assert.rejects(consumer.start(), ClientClosedError);
});

test('close() waits for a running handler, returns within its documented bound, and no handler runs after it', async (t) => {
  const SLOW_HANDLER_MS = 500;
  const topic = uniqueName('close');
  const group = uniqueName('g');
  const calls: Call[] = [];
  let markSlowStarted!: () => void;
  const slowStarted = new Promise<void>((resolve) => {
    markSlowStarted = resolve;
  });
  let slowFinished = false;
  const consumer = createPushConsumer({
    endpoints: broker.endpoint,
    group,
    subscriptions: { [topic]: '*' },
    logger: quietLogger,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    handler: async (message) => {
      calls.push({ body: message.body.toString(), attempt: message.deliveryAttempt, at: Date.now() });
      if (message.body.toString() === 'slow') {
        markSlowStarted();
        await new Promise((resolve) => setTimeout(resolve, SLOW_HANDLER_MS));
        slowFinished = true;
      }
    },
  });
  await consumer.start();
  await producer.send({ topic, body: 'slow' });
  await slowStarted;

  const closing = Date.now();
  await consumer.close();
  const closedAt = Date.now();
  t.diagnostic(`close took ${closedAt - closing} ms`);
  assert.ok(slowFinished, 'close() resolved while a handler was still running');
  assert.ok(closedAt - closing < CLOSE_BOUND_MS + SLOW_HANDLER_MS + MARGIN_MS, `close took ${closedAt - closing} ms`);

  // Messages sent now go to another member of the group; a receive loop the closed consumer had
  // left running would take some of them.
  const later = ['a', 'b', 'c', 'd'];
  for (const body of later) await producer.send({ topic, body });
  const other: string[] = [];
  const successor = createPushConsumer({
    endpoints: broker.endpoint,
    group,
    subscriptions: { [topic]: '*' },
    logger: quietLogger,
    handler: async (message) => {
      other.push(message.body.toString());
    },
  });
  await successor.start();
  await eventually('the successor to receive every later message', () => later.every((b) => other.includes(b)), { timeoutMs: 15_000 });
  await successor.close();
  assert.deepEqual(calls.filter((c) => c.at >= closedAt), [], 'a handler ran after close() resolved');
});

test('a push consumer that was never started closes at once', async () => {
  const consumer = createPushConsumer({ endpoints: broker.endpoint, group: uniqueName('g'), subscriptions: { t: '*' }, handler: async () => undefined, logger: quietLogger });
  const closing = Date.now();
  await consumer.close();
  assert.ok(Date.now() - closing < 100);
  await assert.rejects(consumer.start(), ClientClosedError);
});
