import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClientSettings } from '../src/core/broker-core.js';
import type { MessageEvent, TraceEvent } from '../src/core/views/index.js';
import type { HalfEntity } from '../src/store/store.js';
import { CountingStore } from './counting-store.js';
import { MessageEvents } from '../src/core/trace/message-events.js';
import { incoming, receiveRequest, silentLog, testClock } from './helpers.js';
import { coreOn, STORES, until } from './trace-stores.js';

const HOUR = 3_600_000;

function summary(events: readonly TraceEvent[] | undefined): string[] {
  return (events ?? []).map((e) => [e.type, e.topic, e.group, e.clientId, e.attempt, e.note].filter((x) => x !== undefined).join(' '));
}

for (const kind of STORES) {
  test(`${kind.name}: sent, stored, delivered, redelivered after the invisible time, delivered again, dead-lettered, in order${kind.durable ? '; the trace survives a reopen' : ''}`, async () => {
    const clock = testClock();
    const { store, reopen, dispose } = await kind.create();
    const config = { groups: { G: { maxDeliveryAttempts: 2 } } };
    let core = coreOn(store, clock, config);
    try {
      const sent = incoming('t', { bornAt: clock.now() - 5 });
      await core.send(sent, 'producer-1');
      clock.advance(10);
      const [first] = await core.receive(receiveRequest('G', 't', { invisibleMs: 1000 }));
      assert.equal(first?.attempt, 1);
      clock.advance(1000);
      const [second] = await core.receive(receiveRequest('G', 't', { invisibleMs: 1000, clientId: 'client-2' }));
      assert.equal(second?.attempt, 2);
      clock.advance(1000);
      assert.deepEqual(await core.receive(receiveRequest('G', 't')), [], 'the third receive moves it to the DLQ');
      const expected = [
        'sent t producer-1',
        'stored t',
        'delivered t G client-1 1',
        'redelivered t G 2',
        'delivered t G client-2 2',
        'dead-lettered %DLQ%G G 2',
        'stored %DLQ%G',
      ];
      const trace = core.traceMessage(sent.messageId);
      assert.deepEqual(summary(trace?.events), expected);
      const t0 = clock.now() - 2010;
      assert.deepEqual(trace!.events.map((e) => e.at - t0), [-5, 0, 10, 1010, 1010, 2010, 2010]);
      assert.deepEqual(core.findMessagesById(sent.messageId).map((m) => [m.topic, m.producerClientId]), [['t', 'producer-1'], ['%DLQ%G', 'producer-1']]);
      if (kind.durable) {
        await core.close();
        core = coreOn(reopen(), clock, config);
        assert.deepEqual(summary(core.traceMessage(sent.messageId)?.events), expected, 'read back from disk');
      }
    } finally {
      await core.close();
      await dispose();
    }
  });

  test(`${kind.name}: a dead letter resent by an operator: its stored at the origin, noted, once; then its fresh delivery and ack`, async () => {
    const clock = testClock();
    const { store, reopen, dispose } = await kind.create();
    const config = { groups: { G: { maxDeliveryAttempts: 1 } } };
    let core = coreOn(store, clock, config);
    const seen: MessageEvent[] = [];
    core.onMessageEvents((batch) => seen.push(...batch));
    try {
      const sent = incoming('t', { bornAt: clock.now() - 5 });
      await core.send(sent, 'producer-1');
      clock.advance(10);
      await core.receive(receiveRequest('G', 't', { invisibleMs: 1000 }));
      clock.advance(1000);
      assert.deepEqual(await core.receive(receiveRequest('G', 't')), [], 'out of attempts: moved to the DLQ');
      clock.advance(1000);
      assert.deepEqual(await core.resendDeadLetter('G', sent.messageId), { messageId: sent.messageId, topic: 't', offset: 1 });
      clock.advance(10);
      const [again] = await core.receive(receiveRequest('G', 't', { clientId: 'client-2' }));
      assert.equal(again?.attempt, 1);
      clock.advance(5);
      await core.ack('G', 't', again!.receiptHandle);
      const expected = [
        'sent t producer-1',
        'stored t',
        'delivered t G client-1 1',
        'dead-lettered %DLQ%G G 1',
        'stored %DLQ%G',
        'stored t resent by an operator',
        'delivered t G client-2 1',
        'acked t G client-2 1',
      ];
      const trace = core.traceMessage(sent.messageId)!;
      assert.deepEqual(summary(trace.events), expected);
      const t0 = clock.now() - 2025;
      assert.deepEqual(trace.events.map((e) => e.at - t0), [-5, 0, 10, 1010, 1010, 2010, 2020, 2025], 'in time order');
      await until(() => seen.some((e) => e.type === 'acked'));
      assert.deepEqual(seen.filter((e) => e.type === 'stored').map((e) => [e.topic, e.note]), [['t', undefined], ['%DLQ%G', undefined], ['t', 'resent by an operator']], 'listeners see one stored per copy');
      if (kind.durable) {
        await core.close();
        core = coreOn(reopen(), clock, config);
        assert.deepEqual(summary(core.traceMessage(sent.messageId)?.events), expected, 'read back from disk');
      }
    } finally {
      await core.close();
      await dispose();
    }
  });

  test(`${kind.name}: a half message's checks, its commit, delivery and ack; a parked one's rollback`, async () => {
    const clock = testClock();
    const { store, dispose } = await kind.create();
    const core = coreOn(store, clock, { transaction: { checkImmunityMs: 1000, checkIntervalMs: 1000, maxChecks: 1 } });
    try {
      const asked: string[] = [];
      const telemetry = { recoverOrphanedTransaction: (half: HalfEntity) => asked.push(half.transactionId) > 0 };
      core.configureClient('producer-1', { role: 'producer', telemetry, publishing: ['orders'] } as ClientSettings);
      const committed = incoming('orders', { kind: 'TRANSACTION', bornAt: clock.now() });
      const rolledBack = incoming('orders', { kind: 'TRANSACTION', bornAt: clock.now() });
      const tx = await core.send(committed, 'producer-1');
      const tx2 = await core.send(rolledBack, 'producer-1');
      clock.advance(1000);
      await core.checkTransactions();
      assert.equal(asked.length, 2);
      await core.endTransaction(tx.transactionId, 'COMMIT');
      clock.advance(1000);
      await core.checkTransactions(); // the second one is out of checks: parked
      assert.equal(core.transaction(tx2.transactionId)?.parked, true);
      await core.endTransaction(tx2.transactionId, 'ROLLBACK');
      clock.advance(5);
      const [delivery] = await core.receive(receiveRequest('G', 'orders'));
      await core.ack('G', 'orders', delivery!.receiptHandle);
      assert.deepEqual(summary(core.traceMessage(committed.messageId)?.events), [
        'sent orders producer-1',
        'checked orders producer-1 1',
        'committed orders',
        'stored orders',
        'delivered orders G client-1 1',
        'acked orders G client-1 1',
      ]);
      assert.deepEqual(summary(core.traceMessage(rolledBack.messageId)?.events), [
        'sent orders producer-1',
        'checked orders producer-1 1',
        'checked orders 1 parked',
        'rolled-back orders',
      ]);
    } finally {
      await core.close();
      await dispose();
    }
  });

  test(`${kind.name}: a delay message recalled, and one delivered at its time`, async () => {
    const clock = testClock();
    const { store, dispose } = await kind.create();
    const core = coreOn(store, clock);
    try {
      const recalled = incoming('t', { kind: 'DELAY', bornAt: clock.now(), deliverAt: clock.now() + 60_000 });
      const delayed = incoming('t', { kind: 'DELAY', bornAt: clock.now(), deliverAt: clock.now() + 60_000 });
      const outcome = await core.send(recalled, 'p');
      await core.send(delayed, 'p');
      clock.advance(1000);
      assert.equal(await core.recall('t', outcome.recallHandle!), recalled.messageId);
      clock.advance(59_000);
      await core.deliverDueDelays();
      assert.deepEqual(summary(core.traceMessage(recalled.messageId)?.events), ['sent t p', 'recalled t']);
      const trace = core.traceMessage(delayed.messageId);
      assert.deepEqual(summary(trace?.events), ['sent t p', 'stored t']);
      assert.equal(trace!.events[1]!.at - trace!.events[0]!.at, 60_000, 'stored at its delivery time');
      assert.equal(core.traceMessage('NO-SUCH-MESSAGE'), undefined);
    } finally {
      await core.close();
      await dispose();
    }
  });

  test(`${kind.name}: trace retention: a trace write drops twice its size of what is due, a pass the rest; the messages' own events stay`, async () => {
    const clock = testClock();
    const { store, dispose } = await kind.create();
    const core = coreOn(store, clock, { retentionHours: 0, trace: { retentionHours: 1 } });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const m = incoming('t', { bornAt: clock.now() });
        ids.push(m.messageId);
        await core.send(m, 'p');
        const before = store.lastTraceSeq();
        const [d] = await core.receive(receiveRequest('G', 't'));
        await core.ack('G', 't', d!.receiptHandle);
        await until(() => store.lastTraceSeq() >= before + 2); // delivered + acked, written
      }
      clock.advance(HOUR + 1);
      const fresh = incoming('t', { bornAt: clock.now() });
      await core.send(fresh, 'p');
      await core.receive(receiveRequest('G', 't'));
      await until(() => store.readTrace(fresh.messageId).length === 1);
      assert.deepEqual(summary(core.traceMessage(ids[0]!)?.events), ['sent t p', 'stored t'], 'the write of one event dropped the oldest two');
      assert.equal(summary(core.traceMessage(ids[1]!)?.events).length, 4);

      await core.applyTraceRetention();
      for (const id of ids) assert.deepEqual(summary(core.traceMessage(id)?.events), ['sent t p', 'stored t'], 'derived from the retained message');
      assert.deepEqual(summary(core.traceMessage(fresh.messageId)?.events), ['sent t p', 'stored t', 'delivered t G client-1 1']);
    } finally {
      await core.close();
      await dispose();
    }
  });
}

test('trace.topics: only the listed topics are traced durably; listeners still get every event, in batches', async () => {
  const clock = testClock();
  const { store, dispose } = await STORES[0]!.create();
  const core = coreOn(store, clock, { trace: { topics: ['traced'] } });
  const seen: MessageEvent[][] = [];
  const off = core.onMessageEvents((batch) => seen.push([...batch]));
  core.onMessageEvents(() => {
    throw new Error('a broken listener');
  });
  try {
    const a = incoming('traced', { bornAt: clock.now() });
    const b = incoming('other', { bornAt: clock.now() });
    await core.sendBatch([a, b], 'p');
    await core.receive(receiveRequest('G', 'traced'));
    await core.receive(receiveRequest('G', 'other'));
    await until(() => seen.flat().length === 6);
    assert.deepEqual(seen.flat().map((e) => `${e.type} ${e.topic} ${e.messageId === a.messageId ? 'a' : 'b'}`).sort(), [
      'delivered other b', 'delivered traced a', 'sent other b', 'sent traced a', 'stored other b', 'stored traced a',
    ]);
    assert.ok(seen.length < 6, 'delivered in batches');
    assert.deepEqual(summary(core.traceMessage(a.messageId)?.events), ['sent traced p', 'stored traced', 'delivered traced G client-1 1']);
    assert.deepEqual(summary(core.traceMessage(b.messageId)?.events), ['sent other p', 'stored other'], 'derived only');
    off();
    await core.send(incoming('traced'), 'p');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen.flat().length, 6, 'unsubscribed');
  } finally {
    await core.close();
    await dispose();
  }
});

test('trace.enabled false records nothing durably; sends write no trace at all', async () => {
  const clock = testClock();
  const { store, dispose } = await STORES[0]!.create();
  const core = coreOn(store, clock, { trace: { enabled: false } });
  try {
    const m = incoming('t', { bornAt: clock.now() });
    await core.send(m, 'p');
    await core.receive(receiveRequest('G', 't'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(store.lastTraceSeq(), 0);
    assert.deepEqual(summary(core.traceMessage(m.messageId)?.events), ['sent t p', 'stored t']);
  } finally {
    await core.close();
    await dispose();
  }
});

test('with tracing off, a resent copy still shows its stored once (derived from the copy, without the note)', async () => {
  const clock = testClock();
  const { store, dispose } = await STORES[0]!.create();
  const core = coreOn(store, clock, { trace: { enabled: false }, groups: { G: { maxDeliveryAttempts: 1 } } });
  try {
    const m = incoming('t', { bornAt: clock.now() });
    await core.send(m, 'p');
    const [d] = await core.receive(receiveRequest('G', 't'));
    await core.forwardToDeadLetter('G', 't', d!.receiptHandle);
    clock.advance(1000);
    await core.resendDeadLetter('G', m.messageId);
    assert.deepEqual(summary(core.traceMessage(m.messageId)?.events), ['sent t p', 'stored t', 'stored t']);
  } finally {
    await core.close();
    await dispose();
  }
});

test('with tracing on, a plain publish writes nothing for tracing: its sent and stored are read off the record', async () => {
  const clock = testClock();
  const store = new CountingStore();
  store.hold = false;
  const core = coreOn(store, clock);
  try {
    const m = incoming('t', { bornAt: clock.now() });
    await core.sendBatch([m, incoming('t'), incoming('t', { kind: 'FIFO', messageGroup: 'g' })], 'p');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(store.commits.map((c) => [c.append?.length ?? 0, c.trace?.length ?? 0]), [[3, 0]]);
    assert.deepEqual(summary(core.traceMessage(m.messageId)?.events), ['sent t p', 'stored t']);
  } finally {
    await core.close();
  }
});

test('a nack (changeInvisibleDuration) leads to a redelivery when the backoff ends', async () => {
  const clock = testClock();
  const { store, dispose } = await STORES[0]!.create();
  const core = coreOn(store, clock, { groups: { G: { retryBackoff: { initialMs: 500, maxMs: 500 } } } });
  try {
    const m = incoming('t', { bornAt: clock.now() });
    await core.send(m, 'p');
    const [first] = await core.receive(receiveRequest('G', 't'));
    await core.changeInvisibleDuration('G', 't', first!.receiptHandle, 0);
    clock.advance(500);
    const [second] = await core.receive(receiveRequest('G', 't'));
    await core.ack('G', 't', second!.receiptHandle);
    const trace = core.traceMessage(m.messageId)!;
    assert.deepEqual(summary(trace.events), ['sent t p', 'stored t', 'delivered t G client-1 1', 'redelivered t G 2', 'delivered t G client-1 2', 'acked t G client-1 2']);
    assert.equal(trace.events[3]!.at - trace.events[2]!.at, 500, 'redelivered when its backoff ended');
  } finally {
    await core.close();
    await dispose();
  }
});

test('a delivery taken back before it reached the client (releaseUndelivered) is traced as such, and the next delivery is attempt 1 again', async () => {
  const clock = testClock();
  const { store, dispose } = await STORES[0]!.create();
  const core = coreOn(store, clock);
  try {
    const m = incoming('t', { bornAt: clock.now() });
    await core.send(m, 'p');
    const [d] = await core.receive(receiveRequest('G', 't', { clientId: 'never-got-it' }));
    await core.releaseUndelivered([d!.receiptHandle]);
    const [again] = await core.receive(receiveRequest('G', 't', { clientId: 'client-2' }));
    await core.ack('G', 't', again!.receiptHandle);
    await until(() => store.readTrace(m.messageId).length >= 4);
    assert.deepEqual(summary(core.traceMessage(m.messageId)?.events), [
      'sent t p', 'stored t', 'delivered t G never-got-it 1',
      'redelivered t G 1 the receive ended before the message reached the client',
      'delivered t G client-2 1', 'acked t G client-2 1',
    ]);
  } finally {
    await core.close();
    await dispose();
  }
});

test('with trace.topics set, an event of another topic is wanted only by a listener (so the hot path builds none)', () => {
  const events = new MessageEvents(silentLog);
  events.record({ records: (topic) => topic === 'traced', add: () => undefined });
  assert.equal(events.wants(true, 'traced'), true);
  assert.equal(events.wants(true, 'other'), false);
  assert.equal(events.wants(false, 'traced'), false, 'derivable events are for listeners only');
  const off = events.subscribe(() => undefined);
  assert.equal(events.wants(false, 'other'), true);
  off();
  assert.equal(events.wants(true, 'other'), false);
});
