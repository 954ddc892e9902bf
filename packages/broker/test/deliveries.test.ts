import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { incoming, memoryCore, receiveRequest, testClock } from './helpers.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { FailingStore } from './failing-store.js';
import { CountingStore } from './counting-store.js';
import { StoreError } from '../src/errors.js';
import type { EntityWrite } from '../src/store/store.js';

test('every group gets every message; within a group each message is handed out once', async () => {
  const core = memoryCore();
  await core.send(incoming('t'), 'p');
  await core.send(incoming('t'), 'p');
  const a1 = await core.receive(receiveRequest('A', 't', { batchSize: 1 }));
  const a2 = await core.receive(receiveRequest('A', 't', { batchSize: 1 }));
  const a3 = await core.receive(receiveRequest('A', 't'));
  const b = await core.receive(receiveRequest('B', 't'));
  assert.equal(a1.length, 1);
  assert.equal(a2.length, 1);
  assert.notEqual(a1[0]!.message.offset, a2[0]!.message.offset);
  assert.equal(a3.length, 0);
  assert.equal(b.length, 2);
  await core.close();
});

test('an unacknowledged message comes back after its invisible time with the next attempt number', async () => {
  const clock = testClock();
  const core = memoryCore({}, { now: clock.now });
  await core.send(incoming('t'), 'p');
  const [first] = await core.receive(receiveRequest('G', 't', { invisibleMs: 30_000 }));
  assert.equal(first!.attempt, 1);
  clock.advance(29_999);
  assert.equal((await core.receive(receiveRequest('G', 't'))).length, 0, 'invisible until its time is up');
  clock.advance(1);
  const [second] = await core.receive(receiveRequest('G', 't', { invisibleMs: 30_000 }));
  assert.equal(second!.attempt, 2);
  assert.equal(second!.message.messageId, first!.message.messageId);
  await assert.rejects(core.ack('G', 't', first!.receiptHandle), /stale/);
  await core.ack('G', 't', second!.receiptHandle);
  clock.advance(60_000);
  assert.equal((await core.receive(receiveRequest('G', 't'))).length, 0, 'an acknowledged message never comes back');
  await core.close();
});

test('after max delivery attempts a message moves to %DLQ%<group>, keeping id, body and origin', async () => {
  const clock = testClock();
  const core = memoryCore({ groups: { G: { maxDeliveryAttempts: 2 } } }, { now: clock.now });
  const sent = incoming('t', { tag: 'x' });
  await core.send(sent, 'p');
  for (let attempt = 1; attempt <= 2; attempt++) {
    const [d] = await core.receive(receiveRequest('G', 't', { invisibleMs: 1000 }));
    assert.equal(d!.attempt, attempt);
    clock.advance(1000);
  }
  assert.equal((await core.receive(receiveRequest('G', 't'))).length, 0);
  const [dead] = await core.receive(receiveRequest('reader', '%DLQ%G'));
  assert.equal(dead!.message.messageId, sent.messageId);
  assert.deepEqual(dead!.message.body, sent.body);
  assert.deepEqual(dead!.message.deadLetter, { originTopic: 't', originMessageId: sent.messageId });
  assert.equal(dead!.message.properties.DLQ_ORIGIN_TOPIC, 't');
  await core.close();
});

test('a nack shorter than the group backoff is raised to it', async () => {
  const clock = testClock();
  const core = memoryCore({ groups: { G: { retryBackoff: { initialMs: 200, maxMs: 1000, multiplier: 2 } } } }, { now: clock.now });
  await core.send(incoming('t'), 'p');
  const [d] = await core.receive(receiveRequest('G', 't'));
  await core.changeInvisibleDuration('G', 't', d!.receiptHandle, 0);
  clock.advance(199);
  assert.equal((await core.receive(receiveRequest('G', 't'))).length, 0, 'held back for the first backoff step');
  clock.advance(1);
  const [again] = await core.receive(receiveRequest('G', 't'));
  assert.equal(again?.attempt, 2);
  await core.changeInvisibleDuration('G', 't', again!.receiptHandle, 0);
  clock.advance(399);
  assert.equal((await core.receive(receiveRequest('G', 't'))).length, 0, 'the second step is twice as long');
  clock.advance(1);
  assert.equal((await core.receive(receiveRequest('G', 't'))).length, 1);
  await core.close();
});

test('tag filters skip non-matching messages for good', async () => {
  const core = memoryCore();
  await core.send(incoming('t', { tag: 'A' }), 'p');
  await core.send(incoming('t', { tag: 'B' }), 'p');
  await core.send(incoming('t'), 'p');
  const onlyA = await core.receive(receiveRequest('G', 't', { tags: 'A || C' }));
  assert.deepEqual(onlyA.map((d) => d.message.tag), ['A']);
  const all = await core.receive(receiveRequest('G', 't', { tags: '*' }));
  assert.equal(all.length, 0, 'skipped messages do not come back when the filter widens');
  await core.close();
});

test('FIFO groups never hand out two messages of one message group at once, and keep send order', async () => {
  const core = memoryCore({ groups: { F: { fifo: true } } });
  for (const [group, n] of [['g1', 1], ['g2', 1], ['g1', 2], ['g2', 2]] as const) {
    await core.send(incoming('t', { kind: 'FIFO', messageGroup: group, body: Buffer.from(`${group}-${n}`) }), 'p');
  }
  const batch1 = await core.receive(receiveRequest('F', 't', { batchSize: 1 }));
  const batch2 = await core.receive(receiveRequest('F', 't', { batchSize: 1 }));
  assert.deepEqual([...batch1, ...batch2].map((d) => d.message.body.toString()), ['g1-1', 'g2-1']);
  assert.equal((await core.receive(receiveRequest('F', 't'))).length, 0, 'both groups are in flight');
  await core.ack('F', 't', batch2[0]!.receiptHandle);
  const next = await core.receive(receiveRequest('F', 't'));
  assert.deepEqual(next.map((d) => d.message.body.toString()), ['g2-2']);
  await core.close();
});

test('a long-polling receive returns as soon as a message is sent', async () => {
  const core = memoryCore();
  const started = Date.now();
  const pending = core.receive(receiveRequest('G', 't', { waitMs: 30_000 }));
  await nextTurn(); // the receive found nothing and is waiting now
  await core.send(incoming('t'), 'p');
  const got = await pending;
  assert.equal(got.length, 1);
  assert.ok(Date.now() - started < 5000, 'answered by the send, not by the end of the long poll');
  await core.close();
});

test('broadcast instances each start at the end of the topic and each get every later message', async () => {
  const core = memoryCore({ groups: { B: { broadcast: true } } });
  await core.send(incoming('t'), 'p');
  for (const client of ['c1', 'c2']) core.configureClient(client, { role: 'push-consumer', subscription: { group: 'B', topics: ['t'] } });
  await core.send(incoming('t'), 'p');
  const one = await core.receive(receiveRequest('B', 't', { clientId: 'c1' }));
  const two = await core.receive(receiveRequest('B', 't', { clientId: 'c2' }));
  assert.equal(one.length, 1);
  assert.equal(two.length, 1);
  assert.equal(one[0]!.message.offset, two[0]!.message.offset);
  assert.deepEqual(core.subscriptions().map((s) => s.consumer).sort(), ['B@c1', 'B@c2']);
  core.terminateClient('c1');
  assert.deepEqual(core.subscriptions().map((s) => s.consumer), ['B@c2'], 'a broadcast instance that leaves is dropped');
  await core.close();
});

test('delay messages wait for their time and can be recalled before it', async () => {
  const clock = testClock();
  const core = memoryCore({}, { now: clock.now });
  const deliverAt = clock.now() + 60_000;
  const kept = await core.send(incoming('t', { kind: 'DELAY', deliverAt }), 'p');
  const recalled = await core.send(incoming('t', { kind: 'DELAY', deliverAt }), 'p');
  assert.ok(kept.recallHandle && recalled.recallHandle);
  assert.equal(await core.recall('t', recalled.recallHandle), recalled.messageId);
  await assert.rejects(core.recall('t', recalled.recallHandle), /already delivered or recalled/);

  clock.advance(59_999);
  await core.deliverDueDelays();
  assert.equal((await core.receive(receiveRequest('G', 't'))).length, 0, 'not before its time');
  clock.advance(1);
  await core.deliverDueDelays();
  const got = await core.receive(receiveRequest('G', 't'));
  assert.deepEqual(got.map((d) => d.message.messageId), [kept.messageId]);
  await assert.rejects(core.recall('t', kept.recallHandle), /already delivered or recalled/);
  await core.close();
});

test('a receive repeated with the same attempt id gets the messages its failed attempt leased, without counting an attempt', async () => {
  const core = memoryCore({ groups: { F: { fifo: true } } });
  await core.send(incoming('t', { kind: 'FIFO', messageGroup: 'g' }), 'p');
  await core.send(incoming('t', { kind: 'FIFO', messageGroup: 'g' }), 'p');
  const lost = await core.receive(receiveRequest('F', 't', { attemptId: 'a1', autoRenew: true, invisibleMs: 60_000 }));
  assert.equal(lost.length, 2);
  assert.equal((await core.receive(receiveRequest('F', 't', { attemptId: 'a2' }))).length, 0, 'the group is in flight');
  const again = await core.receive(receiveRequest('F', 't', { attemptId: 'a1', autoRenew: true, invisibleMs: 60_000 }));
  assert.deepEqual(again.map((d) => d.message.offset), lost.map((d) => d.message.offset));
  assert.deepEqual(again.map((d) => d.attempt), [1, 1]);
  await assert.rejects(core.ack('F', 't', lost[0]!.receiptHandle), /stale/);
  await core.ack('F', 't', again[0]!.receiptHandle);
  await core.close();
});

test('released deliveries (the receive call was cancelled) are visible again at once and keep their attempt count', async () => {
  const core = memoryCore();
  await core.send(incoming('t'), 'p');
  const [d] = await core.receive(receiveRequest('G', 't', { invisibleMs: 60_000 }));
  await core.releaseUndelivered([d!.receiptHandle]);
  const [again] = await core.receive(receiveRequest('G', 't'));
  assert.equal(again!.message.offset, d!.message.offset);
  assert.equal(again!.attempt, 1);
  await core.close();
});

test('a message out of attempts moves to the DLQ even if its group never receives again', async () => {
  const clock = testClock();
  const core = memoryCore({ groups: { G: { maxDeliveryAttempts: 1 } } }, { now: clock.now });
  const sent = await core.send(incoming('t'), 'p');
  await core.receive(receiveRequest('G', 't', { invisibleMs: 1000 }));
  clock.advance(1000);
  await core.maintainDeliveries();
  const [dead] = await core.receive(receiveRequest('reader', '%DLQ%G'));
  assert.equal(dead?.message.messageId, sent.messageId);
  assert.equal((await core.receive(receiveRequest('G', 't'))).length, 0);
  await core.close();
});

test('a broker starts over 200,000 stored pending deliveries (no argument-list spread)', async () => {
  const store = new MemoryStore();
  const entities: EntityWrite[] = [];
  for (let i = 0; i < 200_000; i++) entities.push({ kind: 'pending', key: `G\u0000t\u0000${i}`, value: { consumer: 'G', topic: 't', offset: i, attempts: 2 } });
  await store.commit({ entities });
  const core = memoryCore({}, { store });
  assert.equal(core.subscriptions().find((s) => s.consumer === 'G')?.unacked, 200_000);
  await core.close();
});

test('a receive whose commit failed hands nothing out for good: a crash after a later receive loses no message', async () => {
  const clock = testClock();
  const store = new FailingStore(new MemoryStore());
  const core = memoryCore({}, { store, now: clock.now });
  await core.send(incoming('t'), 'p');
  await core.send(incoming('t'), 'p');
  store.failNext = 1;
  await assert.rejects(core.receive(receiveRequest('G', 't', { invisibleMs: 30_000 })), /ENOSPC/);
  await core.send(incoming('t'), 'p');
  const again = await core.receive(receiveRequest('G', 't', { invisibleMs: 30_000 }));
  assert.deepEqual(again.map((d) => [d.message.offset, d.attempt]), [[0, 1], [1, 1], [2, 1]], 'visible again at once, and the failed hand-out was no attempt');
  // a crash: a new broker on what was made durable
  const after = memoryCore({}, { store, now: clock.now });
  assert.deepEqual((await after.receive(receiveRequest('G', 't'))).map((d) => d.message.offset), [0, 1, 2]);
});

test('an acknowledgement whose commit failed leaves the delivery as it was', async () => {
  const store = new FailingStore(new MemoryStore());
  const core = memoryCore({}, { store });
  await core.send(incoming('t'), 'p');
  const [d] = await core.receive(receiveRequest('G', 't'));
  store.failNext = 1;
  await assert.rejects(core.ack('G', 't', d!.receiptHandle), /ENOSPC/);
  const after = memoryCore({}, { store });
  assert.equal((await after.receive(receiveRequest('G', 't'))).length, 1, 'still unacknowledged after a crash');
  await core.ack('G', 't', d!.receiptHandle);
  const later = memoryCore({}, { store });
  assert.equal((await later.receive(receiveRequest('G', 't'))).length, 0, 'the retried ack is durable');
});

test('a store read that fails while waking long polls fails that receive alone; the send and the other waiters go on', async () => {
  const store = new FailingStore(new MemoryStore());
  const core = memoryCore({}, { store });
  const a = core.receive(receiveRequest('A', 't', { waitMs: 60_000 }));
  const b = core.receive(receiveRequest('B', 't', { waitMs: 60_000 }));
  await nextTurn();
  store.failReads = 1;
  await core.send(incoming('t'), 'p');
  await assert.rejects(a, (error: unknown) => error instanceof StoreError && error.code === 'STORE_FAILURE');
  assert.equal((await b).length, 1);
  assert.equal((await core.receive(receiveRequest('A', 't'))).length, 1, 'the failed read skipped nothing');
  await core.close();
});

test('a receive whose commit failed while a later one succeeded is written again at once: a crash then loses nothing', async () => {
  const store = new CountingStore();
  store.hold = false;
  const core = memoryCore({}, { store });
  for (let i = 0; i < 3; i++) await core.send(incoming('t'), 'p');
  store.hold = true;
  const first = core.receive(receiveRequest('G', 't', { batchSize: 2 }));
  await nextTurn();
  const second = core.receive(receiveRequest('G', 't', { batchSize: 2 }));
  await nextTurn();
  store.fail(new Error('ENOSPC'));
  await assert.rejects(first, /ENOSPC/);
  await nextTurn();
  store.release();
  assert.deepEqual((await second).map((d) => d.message.offset), [2], 'its cursor is past the leases that failed');
  store.hold = false;
  await nextTurn();
  store.release();
  await nextTurn();
  const after = memoryCore({}, { store });
  assert.deepEqual((await after.receive(receiveRequest('G', 't'))).map((d) => d.message.offset), [0, 1, 2]);
});
