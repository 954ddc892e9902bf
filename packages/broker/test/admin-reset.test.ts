import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from '../src/store/memory-store.js';
import { brokerError, lmdbFactory } from './admin-helpers.js';
import { CountingStore } from './counting-store.js';
import { FailingStore } from './failing-store.js';
import { until } from './trace-stores.js';
import { incoming, memoryCore, receiveRequest, testClock } from './helpers.js';

const ids = (deliveries: readonly { message: { messageId: string } }[]) => deliveries.map((d) => d.message.messageId);

test('a reset to an earlier time replays messages already acknowledged, from the first stored at or after it', async () => {
  const clock = testClock();
  const core = memoryCore({}, { now: clock.now });
  const sent: string[] = [];
  for (let i = 0; i < 4; i++) {
    const m = incoming('t');
    await core.send(m, 'p');
    sent.push(m.messageId);
    clock.advance(1000);
  }
  const all = await core.receive(receiveRequest('G', 't'));
  for (const d of all) await core.ack('G', 't', d.receiptHandle);
  assert.deepEqual(await core.receive(receiveRequest('G', 't')), []);

  const result = await core.resetGroup('G', { time: 1_700_000_001_500 }); // between the 2nd and 3rd message
  assert.deepEqual(result, { group: 'G', subscriptions: [{ topic: 't', consumer: 'G', from: 4, to: 2 }] });
  const replayed = await core.receive(receiveRequest('G', 't'));
  assert.deepEqual(ids(replayed), sent.slice(2));
  assert.deepEqual(replayed.map((d) => d.attempt), [1, 1]);
  assert.deepEqual(core.describeGroup('G').subscriptions.map((s) => [s.nextOffset, s.lag, s.inFlight]), [[4, 0, 2]]);
  assert.deepEqual(
    core.traceMessage(sent[2]!)?.events.map((e) => [e.type, e.group, e.attempt, e.at - 1_700_000_000_000]),
    [['sent', undefined, undefined, 2000], ['stored', undefined, undefined, 2000], ['delivered', 'G', 1, 4000], ['acked', 'G', 1, 4000], ['delivered', 'G', 1, 4000]],
    'the replay is a new delivery in its trace, at attempt 1 again',
  );
  assert.deepEqual(core.traceMessage(sent[0]!)?.events.map((e) => e.type), ['sent', 'stored', 'delivered', 'acked'], 'not replayed: before the reset time');

  await core.resetGroup('G', { time: 0 });
  assert.deepEqual(ids(await core.receive(receiveRequest('G', 't'))), sent, 'a time before everything starts at the oldest retained');
  await core.close();
});

test('a reset drops what the group held in flight: old receipt handles are stale, nothing is delivered twice', async () => {
  const clock = testClock();
  const core = memoryCore({}, { now: clock.now });
  for (let i = 0; i < 3; i++) await core.send(incoming('t'), 'p');
  const held = await core.receive(receiveRequest('G', 't', { batchSize: 2, invisibleMs: 60_000 }));
  const retried = await core.changeInvisibleDuration('G', 't', held[1]!.receiptHandle, 1000); // a pending retry
  assert.equal(core.describeGroup('G').inFlight, 2);

  await core.resetGroup('G', 'end');
  const g = core.describeGroup('G');
  assert.deepEqual([g.lag, g.inFlight, g.subscriptions[0]!.nextOffset], [0, 0, 3]);
  await assert.rejects(core.ack('G', 't', held[0]!.receiptHandle), brokerError('InvalidRequestError', 'INVALID_RECEIPT_HANDLE', /stale/));
  await assert.rejects(core.ack('G', 't', retried), /stale/);
  clock.advance(120_000);
  assert.deepEqual(await core.receive(receiveRequest('G', 't')), [], 'the dropped leases never come back');

  await core.resetGroup('G', { time: 0 });
  const again = await core.receive(receiveRequest('G', 't', { invisibleMs: 60_000 }));
  assert.deepEqual(again.map((d) => [d.message.offset, d.attempt]), [[0, 1], [1, 1], [2, 1]], 'each once, afresh');
  await assert.rejects(core.ack('G', 't', held[0]!.receiptHandle), /stale/, 'a pre-reset handle does not ack the new delivery');
  await core.ack('G', 't', again[0]!.receiptHandle);
  assert.equal(core.describeGroup('G').inFlight, 2);
  await core.close();
});

test('a reset wakes a receive that is long-polling, which then gets the messages from the new position', async () => {
  const core = memoryCore();
  const m = incoming('t');
  await core.send(m, 'p');
  const [d] = await core.receive(receiveRequest('G', 't'));
  await core.ack('G', 't', d!.receiptHandle);
  const waiting = core.receive(receiveRequest('G', 't', { waitMs: 10_000 }));
  await core.resetGroup('G', { time: 0 });
  assert.deepEqual(ids(await waiting), [m.messageId]);
  await core.close();
});

test('a FIFO group reset unblocks its message groups and redelivers them in order', async () => {
  const core = memoryCore({ topics: { f: { messageType: 'FIFO' } }, groups: { G: { fifo: true } } });
  const sent: string[] = [];
  for (let i = 0; i < 3; i++) {
    const m = incoming('f', { kind: 'FIFO', messageGroup: 'order-1' });
    await core.send(m, 'p');
    sent.push(m.messageId);
  }
  const first = await core.receive(receiveRequest('G', 'f', { batchSize: 1, invisibleMs: 60_000 }));
  assert.deepEqual(ids(first), sent.slice(0, 1));
  assert.deepEqual(await core.receive(receiveRequest('G', 'f')), [], 'order-1 is blocked behind its first message');
  await core.resetGroup('G', { time: 0 });
  assert.deepEqual(ids(await core.receive(receiveRequest('G', 'f', { batchSize: 1 }))), sent.slice(0, 1), 'in order, from the start');
  await core.close();
});

test('reset per topic, per broadcast client, and on a topic the group has not consumed yet', async () => {
  const core = memoryCore({ groups: { B: { broadcast: true } } });
  core.configureClient('c1', { role: 'push-consumer', subscription: { group: 'B', topics: ['a'] } });
  core.configureClient('c2', { role: 'push-consumer', subscription: { group: 'B', topics: ['a'] } });
  for (let i = 0; i < 2; i++) await core.send(incoming('a'), 'p');
  await core.send(incoming('b'), 'p');
  assert.equal((await core.receive(receiveRequest('B', 'a', { clientId: 'c1' }))).length, 2);
  for (const d of await core.receive(receiveRequest('B', 'a', { clientId: 'c2' }))) await core.ack('B', 'a', d.receiptHandle);
  await core.receive(receiveRequest('G', 'a'));
  await core.receive(receiveRequest('G', 'b'));

  const broadcast = await core.resetGroup('B', { time: 0 });
  assert.deepEqual(broadcast.subscriptions.map((s) => [s.consumer, s.topic, s.from, s.to]).sort(), [['c1', 'a', 2, 0], ['c2', 'a', 2, 0]]);
  assert.equal((await core.receive(receiveRequest('B', 'a', { clientId: 'c2' }))).length, 2, 'c2 gets its acknowledged messages again');
  assert.equal(core.describeGroup('B').inFlight, 2, "c1's leases were dropped, c2 holds its replay");

  const only = await core.resetGroup('G', 'end', 'a');
  assert.deepEqual(only.subscriptions, [{ topic: 'a', consumer: 'G', from: 2, to: 2 }]);
  assert.equal(core.describeGroup('G').subscriptions.find((s) => s.topic === 'b')!.inFlight, 1, 'topic b is untouched');

  await core.send(incoming('c'), 'p');
  await core.send(incoming('c'), 'p');
  assert.deepEqual((await core.resetGroup('G', 'end', 'c')).subscriptions, [{ topic: 'c', consumer: 'G', from: 0, to: 2 }]);
  assert.deepEqual(await core.receive(receiveRequest('G', 'c')), [], 'the group starts on c at the end');

  await assert.rejects(core.resetGroup('nobody', 'end'), brokerError('NotFoundError', 'CONSUMER_GROUP_NOT_FOUND', /"nobody"/));
  await assert.rejects(core.resetGroup('G', 'end', 'missing'), brokerError('NotFoundError', 'TOPIC_NOT_FOUND', /"missing"/));
  await assert.rejects(core.resetGroup('G', { time: Number.NaN }), brokerError('InvalidRequestError', 'BAD_REQUEST', /reset target/));
  await core.close();
});

test('a reset is durable: after a restart the group consumes from the new position, with nothing held', async () => {
  const factory = await lmdbFactory();
  try {
    const first = factory.open();
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = incoming('t');
      await first.send(m, 'p');
      sent.push(m.messageId);
    }
    const [a, b] = await first.receive(receiveRequest('G', 't', { batchSize: 2 }));
    await first.ack('G', 't', a!.receiptHandle); // b stays leased (durably, in its range)
    assert.ok(b);
    await first.resetGroup('G', { time: 0 });
    await first.close();

    const second = factory.open();
    assert.deepEqual(second.describeGroup('G').subscriptions.map((s) => [s.nextOffset, s.inFlight]), [[0, 0]]);
    const replay = await second.receive(receiveRequest('G', 't'));
    assert.deepEqual(ids(replay), sent);
    assert.deepEqual(replay.map((d) => d.attempt), [1, 1, 1]);
    await second.close();
  } finally {
    await factory.cleanup();
  }
});

test('a settling whose commit fails during a reset does not bring its lease back behind the new position', async () => {
  const store = new FailingStore(new MemoryStore());
  const core = memoryCore({}, { store });
  const m = incoming('t');
  await core.send(m, 'p');
  const [d] = await core.receive(receiveRequest('G', 't'));
  store.failNext = 1;
  const forwarding = core.forwardToDeadLetter('G', 't', d!.receiptHandle);
  const reset = core.resetGroup('G', { time: 0 });
  await assert.rejects(forwarding, /ENOSPC/);
  await reset;
  const again = await core.receive(receiveRequest('G', 't'));
  assert.deepEqual(again.map((x) => [x.message.messageId, x.attempt]), [[m.messageId, 1]], 'once, from the reset position');
  await core.close();
});

test('a reset whose commit fails is not applied (it answered failure)', async () => {
  const store = new FailingStore(new MemoryStore());
  const core = memoryCore({}, { store });
  try {
    const m = incoming('t');
    await core.send(m, 'p');
    const [d] = await core.receive(receiveRequest('G', 't'));
    await core.ack('G', 't', d!.receiptHandle);
    store.failNext = 1;
    await assert.rejects(core.resetGroup('G', { time: 0 }));
    await new Promise((resolve) => setImmediate(resolve)); // the retry of what failed, if any
    const again = await core.receive(receiveRequest('G', 't'));
    assert.deepEqual(again.map((x) => x.message.messageId), [], 'the failed reset replayed the acked message anyway');
    assert.deepEqual(store.loadEntities('cursor').map((c) => c.nextOffset), [1], 'nor wrote it later');
  } finally {
    await core.close();
  }
});

test('what a receive hands out while the reset is being written is dropped too, in memory and durably', async () => {
  const store = new CountingStore();
  store.hold = false;
  const core = memoryCore({}, { store });
  try {
    const [m1, m2] = [incoming('t'), incoming('t')];
    await core.sendBatch([m1, m2], 'p');
    const [d1] = await core.receive(receiveRequest('G', 't', { batchSize: 1 }));
    await core.ack('G', 't', d1!.receiptHandle);

    store.hold = true;
    const reset = core.resetGroup('G', { time: 0 });
    await until(() => store.pending === 1);
    // Taken from the cursor at 1 while the reset's commit is written: its commit (cursor 2, m2 leased) lands after the reset's.
    const receiving = core.receive(receiveRequest('G', 't', { batchSize: 1 }));
    store.hold = false;
    store.release();
    await reset;
    const [meanwhile] = await receiving;
    assert.equal(meanwhile!.message.messageId, m2.messageId);

    assert.deepEqual(store.loadEntities('cursor').map((c) => c.nextOffset), [0], 'the durable cursor is the reset position');
    assert.deepEqual([...store.loadEntities('leased'), ...store.loadEntities('pending')], [], 'nothing durably held');
    await assert.rejects(core.ack('G', 't', meanwhile!.receiptHandle), (e: Error) => /stale.*reset/.test(e.message));
    const replay = await core.receive(receiveRequest('G', 't'));
    assert.deepEqual(ids(replay), [m1.messageId, m2.messageId]);
  } finally {
    await core.close();
  }
});
