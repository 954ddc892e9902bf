// The typed client's own producer and consumers under load while the broker (durable LMDB data
// dir) is SIGKILLed and restarted on the same port, twice: the clients reconnect by themselves,
// every send that resolved is read back at least once, no handler runs once close() resolved,
// and every close() is bounded, also with the broker down. A receive in progress when the broker
// dies ends with a BrokerError; a send and a receive made as soon as it is back succeed; a half
// message is settled by a check-back after the restart; FIFO groups stay in order across a kill.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  BrokerError, createProducer, createPushConsumer, createSimpleConsumer, type CheckResult, type ReceivedMessage, type TxmqProducer,
} from '@txmq/broker/client';
import { eventually } from '@txmq/test-support';
import { quietLogger, sleep, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

/** Sends kept in flight by the load (the producer batches what queues while a request is out). */
const IN_FLIGHT = 256;
/** Sends started per second at most: the run keeps its size however fast the broker is. */
const SEND_RATE = 800;
/** Load between two kills, and after the last restart. */
const PHASE_MS = 1500;
/** A send is in flight at most this long (3 attempts within the 3 s request timeout each, plus back-off). */
const REQUEST_TIMEOUT_MS = 3000;
/** close() of a client: the running handlers (none is slow here), the last acks and the leaving notice, each within a request timeout. */
const CLOSE_BOUND_MS = 3 * REQUEST_TIMEOUT_MS + 2000;

const FIFO_GROUP = uniqueName('chaos-fifo-g');

let broker: BrokerProcess;
before(async () => {
  // A short grace: leases of a push consumer cut off by the crash come back soon after the restart.
  // Prompt check-backs of half messages, with room for the producer to reconnect after a restart.
  broker = await startBrokerProcess({
    config: {
      minInvisibleMs: 500, pushLongPollingMs: 1000, reconnectGraceMs: 1000,
      transaction: { checkImmunityMs: 1000, checkIntervalMs: 700, maxChecks: 20 },
      groups: { [FIFO_GROUP]: { fifo: true, retryBackoff: { initialMs: 100, maxMs: 200 } } },
    },
  });
});
after(() => broker.dispose());

const bodyOf = (message: ReceivedMessage) => message.body.toString();

/** Runs `work` `width` times in parallel, each again and again until `running()` is false. */
function loop(width: number, running: () => boolean, work: () => Promise<unknown>): Promise<void> {
  return Promise.all(Array.from({ length: width }, async () => {
    while (running()) await work();
  })).then(() => undefined);
}

/** Resolves with `promise`'s value and how long it took; rejects when it took longer than `boundMs`. */
async function bounded<T>(what: string, boundMs: number, promise: Promise<T>): Promise<number> {
  const startedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${boundMs} ms`)), boundMs);
  });
  try {
    await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
  return Date.now() - startedAt;
}

test('SIGKILL twice under load from the batching producer, a push consumer and a simple consumer: every acked send is read back', { timeout: 90_000 }, async (t) => {
  const pushTopic = uniqueName('chaos-push');
  const simpleTopic = uniqueName('chaos-simple');
  const producer = createProducer({ endpoints: broker.endpoint, topics: [pushTopic, simpleTopic], requestTimeoutMs: REQUEST_TIMEOUT_MS, logger: quietLogger });
  await producer.start();

  const acked = { [pushTopic]: new Set<string>(), [simpleTopic]: new Set<string>() };
  const seen = { [pushTopic]: new Set<string>(), [simpleTopic]: new Set<string>() };
  const failures = { send: 0, receive: 0, ack: 0 };
  const notBrokerErrors: unknown[] = [];
  const expectBrokerError = (error: unknown) => {
    if (!(error instanceof BrokerError)) notBrokerErrors.push(error);
  };

  let pushClosed = false;
  let handlersRunning = 0;
  const lateHandlers: string[] = [];
  const push = createPushConsumer({
    endpoints: broker.endpoint,
    group: uniqueName('chaos-push-g'),
    subscriptions: { [pushTopic]: '*' },
    concurrency: 8,
    invisibleMs: 10_000,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    logger: quietLogger,
    handler: async (message) => {
      if (pushClosed) lateHandlers.push(bodyOf(message));
      handlersRunning++;
      try {
        seen[pushTopic]!.add(bodyOf(message));
        await new Promise(setImmediate);
      } finally {
        handlersRunning--;
      }
    },
  });
  await push.start();
  const simple = createSimpleConsumer({
    endpoints: broker.endpoint, group: uniqueName('chaos-simple-g'), subscriptions: { [simpleTopic]: '*' }, awaitMs: 1000, requestTimeoutMs: REQUEST_TIMEOUT_MS, logger: quietLogger,
  });
  await simple.start();

  let sequence = 0;
  let producing = true;
  const startedAt = Date.now();
  const sending = loop(IN_FLIGHT, () => producing, async () => {
    if (sequence >= ((Date.now() - startedAt) * SEND_RATE) / 1000) {
      await sleep(10);
      return;
    }
    const n = sequence++;
    const topic = n % 2 === 0 ? pushTopic : simpleTopic;
    const body = `m${n}`;
    try {
      await producer.send({ topic, body });
      acked[topic]!.add(body);
    } catch (error) {
      expectBrokerError(error);
      failures.send++;
      await sleep(50); // the broker is down: do not spin
    }
  });
  let consuming = true;
  const receiving = loop(1, () => consuming, async () => {
    let batch: ReceivedMessage[];
    try {
      batch = await simple.receive(32, 2000);
    } catch (error) {
      expectBrokerError(error);
      failures.receive++;
      await sleep(50);
      return;
    }
    for (const message of batch) seen[simpleTopic]!.add(bodyOf(message));
    await Promise.all(batch.map((message) => simple.ack(message).catch((error: unknown) => {
      expectBrokerError(error);
      failures.ack++;
    })));
  });

  const progress = () => `at ${Date.now() - startedAt} ms: acked ${acked[pushTopic]!.size}+${acked[simpleTopic]!.size}, seen ${seen[pushTopic]!.size}+${seen[simpleTopic]!.size}, failed ${JSON.stringify(failures)}`;
  for (let kill = 1; kill <= 2; kill++) {
    const before = acked[pushTopic]!.size + acked[simpleTopic]!.size;
    await eventually(`sends acknowledged before kill ${kill}`, () => acked[pushTopic]!.size + acked[simpleTopic]!.size > before + 500, { timeoutMs: 20_000 });
    await sleep(PHASE_MS);
    await broker.kill();
    t.diagnostic(`kill ${kill}: ${progress()}`);
    await sleep(300);
    await broker.restart();
  }
  const afterRestart = acked[pushTopic]!.size + acked[simpleTopic]!.size;
  await eventually('sends acknowledged after the last restart (the producer reconnected)', () => acked[pushTopic]!.size + acked[simpleTopic]!.size > afterRestart + 500, { timeoutMs: 20_000 });
  await sleep(PHASE_MS);
  producing = false;
  await sending;
  t.diagnostic(`load stopped: ${progress()}`);

  const missing = (topic: string) => [...acked[topic]!].filter((body) => !seen[topic]!.has(body));
  await eventually('every acknowledged send read back', () => missing(pushTopic).length + missing(simpleTopic).length === 0, { timeoutMs: 30_000, intervalMs: 200 })
    .catch((error: Error) => {
      throw new Error(`${error.message}; missing ${missing(pushTopic).length} of the push topic (${missing(pushTopic).slice(0, 5).join()}), ${missing(simpleTopic).length} of the simple topic (${missing(simpleTopic).slice(0, 5).join()}); ${progress()}`);
    });
  t.diagnostic(`all read back: ${progress()}`);
  assert.ok(failures.send < sequence, 'not every send failed');
  assert.deepEqual(notBrokerErrors, [], 'every failure is a BrokerError');

  // The store kept them through both kills: a new group reads every acknowledged send from the log.
  const stored = new Set<string>();
  const reader = createSimpleConsumer({
    endpoints: broker.endpoint, group: uniqueName('chaos-reader'), subscriptions: { [pushTopic]: '*', [simpleTopic]: '*' }, awaitMs: 1000, logger: quietLogger,
  });
  const unstored = () => [...acked[pushTopic]!, ...acked[simpleTopic]!].filter((body) => !stored.has(body));
  await eventually('every acknowledged send in the log', async () => {
    const batch = await reader.receive(32, 30_000);
    for (const message of batch) stored.add(bodyOf(message));
    void Promise.all(batch.map((message) => reader.ack(message)));
    return unstored().length === 0;
  }, { timeoutMs: 40_000, intervalMs: 0 }).catch((error: Error) => {
    throw new Error(`${error.message}; ${unstored().length} not in the log (${unstored().slice(0, 5).join()})`);
  });
  await reader.close();
  t.diagnostic(`a new group read all ${stored.size} from the log ${Date.now() - startedAt} ms into the test`);

  // Close the push consumer while messages keep arriving for it: no handler runs once close() resolved.
  const burst = Array.from({ length: 2000 }, (_, i) => producer.send({ topic: pushTopic, body: `late${i}` }).catch(expectBrokerError));
  const seenBefore = seen[pushTopic]!.size;
  await eventually('the push consumer handling the burst', () => seen[pushTopic]!.size > seenBefore, { timeoutMs: 10_000 });
  const pushCloseMs = await bounded('push consumer close()', CLOSE_BOUND_MS, push.close());
  pushClosed = true;
  assert.equal(handlersRunning, 0, 'no handler still running once close() resolved');
  await Promise.all(burst);
  consuming = false;
  const simpleCloseMs = await bounded('simple consumer close()', CLOSE_BOUND_MS, simple.close());
  await receiving;
  const producerCloseMs = await bounded('producer close()', CLOSE_BOUND_MS, producer.close());
  await sleep(500);
  assert.deepEqual(lateHandlers, [], 'no handler ran after close()');
  t.diagnostic(`close(): push ${pushCloseMs} ms, simple ${simpleCloseMs} ms, producer ${producerCloseMs} ms`);
});

test('a receive in a long poll when the broker is SIGKILLed ends with a BrokerError (or empty) soon; a send and a receive made as soon as it is back succeed', { timeout: 60_000 }, async () => {
  const topic = uniqueName('chaos-poll');
  const producer: TxmqProducer = createProducer({ endpoints: broker.endpoint, topics: [topic], logger: quietLogger });
  const consumer = createSimpleConsumer({ endpoints: broker.endpoint, group: uniqueName('chaos-poll-g'), subscriptions: { [topic]: '*' }, awaitMs: 15_000, logger: quietLogger });
  try {
    await consumer.start();
    await producer.start();
    const polling = consumer.receive(1, 5000).then((messages) => ({ messages }), (error: unknown) => ({ error }));
    await sleep(300); // let the receive reach the broker and park in its long poll
    const killedAt = Date.now();
    await broker.kill();
    const outcome = await polling;
    const endedMs = Date.now() - killedAt;
    assert.ok(endedMs < 5000, `the receive ended ${endedMs} ms after the kill, well before its 15 s long poll`);
    if ('error' in outcome) assert.ok(outcome.error instanceof BrokerError, `a BrokerError, got ${String(outcome.error)}`);
    else assert.deepEqual(outcome.messages, []);

    await broker.restart();
    // At once: the clients' channels may still be in their reconnect back-off.
    const receiving = consumer.receive(1, 5000);
    const sent = await producer.send({ topic, body: 'after the restart' });
    const [message] = await receiving;
    assert.equal(message?.messageId, sent.messageId, 'the first receive after the restart returns the message');
    await consumer.ack(message);
  } finally {
    await consumer.close();
    await producer.close();
  }
});

test('closing a push consumer, a simple consumer in a long poll and a producer with sends in flight while the broker is down is bounded, and every send in flight settles', { timeout: 60_000 }, async (t) => {
  const topic = uniqueName('chaos-down');
  let pushClosed = false;
  const late: string[] = [];
  const producer = createProducer({ endpoints: broker.endpoint, topics: [topic], requestTimeoutMs: REQUEST_TIMEOUT_MS, logger: quietLogger });
  const push = createPushConsumer({
    endpoints: broker.endpoint, group: uniqueName('chaos-down-push'), subscriptions: { [topic]: '*' }, concurrency: 4, requestTimeoutMs: REQUEST_TIMEOUT_MS, logger: quietLogger,
    handler: async (message) => {
      if (pushClosed) late.push(message.messageId);
    },
  });
  const simple = createSimpleConsumer({ endpoints: broker.endpoint, group: uniqueName('chaos-down-simple'), subscriptions: { [topic]: '*' }, awaitMs: 15_000, requestTimeoutMs: REQUEST_TIMEOUT_MS, logger: quietLogger });
  await Promise.all([producer.start(), push.start(), simple.start()]);
  await producer.send({ topic, body: 'before' });

  await broker.kill();
  const polling = simple.receive(32, 5000).then(() => 'returned', (error: unknown) => (error instanceof BrokerError ? error.code : String(error)));
  const inFlight = Array.from({ length: 64 }, (_, i) => producer.send({ topic, body: `during${i}` }).then(() => 'sent', (error: unknown) => (error instanceof BrokerError ? error.code : String(error))));
  await sleep(200);
  const pushMs = await bounded('push consumer close() with the broker down', CLOSE_BOUND_MS, push.close());
  pushClosed = true;
  const simpleMs = await bounded('simple consumer close() with the broker down', CLOSE_BOUND_MS, simple.close());
  const producerMs = await bounded('producer close() with the broker down', CLOSE_BOUND_MS, producer.close());
  const outcomes = await Promise.all(inFlight);
  assert.ok(outcomes.every((o) => o !== 'sent'), 'no send succeeded with the broker down');
  assert.ok(outcomes.every((o) => /^BROKER_|^CLIENT_CLOSED$/.test(o)), outcomes.join());
  const poll = await polling;
  assert.ok(poll === 'returned' || /^BROKER_|^CLIENT_CLOSED$/.test(poll), poll);
  t.diagnostic(`close() with the broker down: push ${pushMs} ms, simple ${simpleMs} ms, producer ${producerMs} ms; sends ${[...new Set(outcomes)].join()}; receive ${poll}`);
  await broker.restart();
  assert.deepEqual(late, [], 'no handler ran after close()');
});

test('a half message whose checker said UNKNOWN before a SIGKILL is committed by a check-back the producer answers over its re-opened Telemetry stream', { timeout: 60_000 }, async () => {
  const topic = uniqueName('chaos-half');
  let answer: CheckResult = 'UNKNOWN';
  const checked: Array<{ messageId: string; answer: CheckResult }> = [];
  const producer = createProducer({
    endpoints: broker.endpoint, topics: [topic], logger: quietLogger,
    checker: async (message) => {
      checked.push({ messageId: message.messageId, answer });
      return answer;
    },
  });
  const consumer = createSimpleConsumer({ endpoints: broker.endpoint, group: uniqueName('chaos-half-g'), subscriptions: { [topic]: '*' }, awaitMs: 1000, logger: quietLogger });
  try {
    await producer.start();
    const half = await producer.sendHalf({ topic, body: 'settled by a check-back after the restart' });
    await eventually('a check-back before the kill', () => checked.length > 0, { timeoutMs: 10_000 });
    assert.equal(checked[0]!.messageId, half.messageId);
    await broker.kill();
    await broker.restart();
    answer = 'COMMIT';
    const committedAt = checked.length;
    const message = await eventually('the committed message', async () => (await consumer.receive(1, 5000))[0], { timeoutMs: 30_000 });
    assert.equal(message.messageId, half.messageId);
    assert.equal(message.body.toString(), 'settled by a check-back after the restart');
    assert.ok(checked.slice(committedAt).some((c) => c.answer === 'COMMIT'), 'committed by a check-back after the restart');
    await consumer.ack(message);
  } finally {
    await consumer.close();
    await producer.close();
  }
});

test('a FIFO push consumer keeps each message group in order across a SIGKILL: first deliveries come without gaps, every acked send arrives', { timeout: 60_000 }, async () => {
  const topic = uniqueName('chaos-fifo');
  const handled = new Map<string, number[]>();
  const outOfOrder: string[] = [];
  const producer = createProducer({ endpoints: broker.endpoint, topics: [topic], logger: quietLogger });
  const consumer = createPushConsumer({
    endpoints: broker.endpoint, group: FIFO_GROUP, subscriptions: { [topic]: '*' }, concurrency: 8, logger: quietLogger,
    handler: async (message) => {
      const group = message.messageGroup!;
      const n = Number(message.body.toString());
      const seen = handled.get(group) ?? [];
      // A redelivery repeats a number already handled; a first delivery is the next one.
      if (n > Math.max(-1, ...seen) + 1) outOfOrder.push(`${group}: ${n} after ${seen.join()}`);
      seen.push(n);
      handled.set(group, seen);
      await new Promise(setImmediate);
    },
  });
  const acked = new Map<string, number[]>();
  try {
    await consumer.start();
    let producing = true;
    // Each group sends in order, one at a time; a send that failed is sent again with its number.
    const groups = Array.from({ length: 8 }, async (_, g) => {
      const group = `g${g}`;
      acked.set(group, []);
      for (let n = 0; producing;) {
        try {
          await producer.send({ topic, body: String(n), messageGroup: group });
          acked.get(group)!.push(n++);
        } catch (error) {
          assert.ok(error instanceof BrokerError, String(error));
          await sleep(100);
        }
      }
    });
    await eventually('FIFO sends before the kill', () => [...acked.values()].every((list) => list.length >= 20), { timeoutMs: 20_000 });
    await broker.kill();
    await sleep(300);
    await broker.restart();
    const afterRestart = new Map([...acked].map(([group, list]) => [group, list.length]));
    await eventually('FIFO sends after the restart', () => [...acked].every(([group, list]) => list.length >= afterRestart.get(group)! + 20), { timeoutMs: 20_000 });
    producing = false;
    await Promise.all(groups);
    await eventually('every acknowledged FIFO send handled', () => [...acked].every(([group, list]) => {
      const seen = new Set(handled.get(group));
      return list.every((n) => seen.has(n));
    }), { timeoutMs: 30_000, intervalMs: 100 });
    assert.deepEqual(outOfOrder, [], 'no message group skipped ahead');
  } finally {
    await consumer.close();
    await producer.close();
  }
});
