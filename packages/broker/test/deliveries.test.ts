import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incoming, memoryCore, receiveRequest } from './helpers.js';

test('every group gets every message; within a group each message is handed out once', async () => {
  const core = memoryCore();
  await core.send(incoming('t'), 'p');
  await core.send(incoming('t'), 'p');
  const a1 = await core.deliveries.receive(receiveRequest(core, 'A', 't', { batchSize: 1 }));
  const a2 = await core.deliveries.receive(receiveRequest(core, 'A', 't', { batchSize: 1 }));
  const a3 = await core.deliveries.receive(receiveRequest(core, 'A', 't'));
  const b = await core.deliveries.receive(receiveRequest(core, 'B', 't'));
  assert.equal(a1.length, 1);
  assert.equal(a2.length, 1);
  assert.notEqual(a1[0]!.message.offset, a2[0]!.message.offset);
  assert.equal(a3.length, 0);
  assert.equal(b.length, 2);
  await core.close();
});

test('an unacknowledged message comes back after its invisible time with the next attempt number', async () => {
  const core = memoryCore();
  await core.send(incoming('t'), 'p');
  const [first] = await core.deliveries.receive(receiveRequest(core, 'G', 't', { invisibleMs: 30 }));
  assert.equal(first!.attempt, 1);
  assert.equal((await core.deliveries.receive(receiveRequest(core, 'G', 't'))).length, 0);
  await new Promise((r) => setTimeout(r, 40));
  const [second] = await core.deliveries.receive(receiveRequest(core, 'G', 't'));
  assert.equal(second!.attempt, 2);
  assert.equal(second!.message.messageId, first!.message.messageId);
  await assert.rejects(core.deliveries.ack('G', 't', first!.receiptHandle), /stale/);
  await core.deliveries.ack('G', 't', second!.receiptHandle);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal((await core.deliveries.receive(receiveRequest(core, 'G', 't'))).length, 0);
  await core.close();
});

test('after max delivery attempts a message moves to %DLQ%<group>, keeping id, body and origin', async () => {
  const core = memoryCore({ groups: { G: { maxDeliveryAttempts: 2 } } });
  const sent = incoming('t', { tag: 'x' });
  await core.send(sent, 'p');
  for (let attempt = 1; attempt <= 2; attempt++) {
    const [d] = await core.deliveries.receive(receiveRequest(core, 'G', 't', { invisibleMs: 10 }));
    assert.equal(d!.attempt, attempt);
    await new Promise((r) => setTimeout(r, 15));
  }
  assert.equal((await core.deliveries.receive(receiveRequest(core, 'G', 't'))).length, 0);
  const [dead] = await core.deliveries.receive(receiveRequest(core, 'reader', '%DLQ%G'));
  assert.equal(dead!.message.messageId, sent.messageId);
  assert.deepEqual(dead!.message.body, sent.body);
  assert.deepEqual(dead!.message.deadLetter, { originTopic: 't', originMessageId: sent.messageId });
  assert.equal(dead!.message.properties.DLQ_ORIGIN_TOPIC, 't');
  await core.close();
});

test('a nack shorter than the group backoff is raised to it', async () => {
  const core = memoryCore({ groups: { G: { retryBackoff: { initialMs: 200, maxMs: 1000, multiplier: 2 } } } });
  await core.send(incoming('t'), 'p');
  const [d] = await core.deliveries.receive(receiveRequest(core, 'G', 't'));
  await core.deliveries.changeInvisibleDuration('G', 't', d!.receiptHandle, 0);
  assert.equal((await core.deliveries.receive(receiveRequest(core, 'G', 't'))).length, 0);
  await new Promise((r) => setTimeout(r, 220));
  assert.equal((await core.deliveries.receive(receiveRequest(core, 'G', 't'))).length, 1);
  await core.close();
});

test('tag filters skip non-matching messages for good', async () => {
  const core = memoryCore();
  await core.send(incoming('t', { tag: 'A' }), 'p');
  await core.send(incoming('t', { tag: 'B' }), 'p');
  await core.send(incoming('t'), 'p');
  const onlyA = await core.deliveries.receive(receiveRequest(core, 'G', 't', { tags: 'A || C' }));
  assert.deepEqual(onlyA.map((d) => d.message.tag), ['A']);
  const all = await core.deliveries.receive(receiveRequest(core, 'G', 't', { tags: '*' }));
  assert.equal(all.length, 0, 'skipped messages do not come back when the filter widens');
  await core.close();
});

test('FIFO groups never hand out two messages of one message group at once, and keep send order', async () => {
  const core = memoryCore({ groups: { F: { fifo: true } } });
  for (const [group, n] of [['g1', 1], ['g2', 1], ['g1', 2], ['g2', 2]] as const) {
    await core.send(incoming('t', { kind: 'FIFO', messageGroup: group, body: Buffer.from(`${group}-${n}`) }), 'p');
  }
  const batch1 = await core.deliveries.receive(receiveRequest(core, 'F', 't', { batchSize: 1 }));
  const batch2 = await core.deliveries.receive(receiveRequest(core, 'F', 't', { batchSize: 1 }));
  assert.deepEqual([...batch1, ...batch2].map((d) => d.message.body.toString()), ['g1-1', 'g2-1']);
  assert.equal((await core.deliveries.receive(receiveRequest(core, 'F', 't'))).length, 0, 'both groups are in flight');
  await core.deliveries.ack('F', 't', batch2[0]!.receiptHandle);
  const next = await core.deliveries.receive(receiveRequest(core, 'F', 't'));
  assert.deepEqual(next.map((d) => d.message.body.toString()), ['g2-2']);
  await core.close();
});

test('a long-polling receive returns as soon as a message is sent', async () => {
  const core = memoryCore();
  const started = Date.now();
  const pending = core.deliveries.receive(receiveRequest(core, 'G', 't', { waitMs: 5000 }));
  setTimeout(() => void core.send(incoming('t'), 'p'), 50);
  const got = await pending;
  assert.equal(got.length, 1);
  assert.ok(Date.now() - started < 2000);
  await core.close();
});

test('broadcast instances each start at the end of the topic and each get every later message', async () => {
  const core = memoryCore({ groups: { B: { broadcast: true } } });
  await core.send(incoming('t'), 'p');
  core.deliveries.subscription('B@c1', 't', true);
  core.deliveries.subscription('B@c2', 't', true);
  await core.send(incoming('t'), 'p');
  const one = await core.deliveries.receive(receiveRequest(core, 'B', 't', { consumer: 'B@c1' }));
  const two = await core.deliveries.receive(receiveRequest(core, 'B', 't', { consumer: 'B@c2' }));
  assert.equal(one.length, 1);
  assert.equal(two.length, 1);
  assert.equal(one[0]!.message.offset, two[0]!.message.offset);
  await core.close();
});

test('delay messages wait for their time and can be recalled before it', async () => {
  const core = memoryCore();
  const kept = await core.send(incoming('t', { kind: 'DELAY', deliverAt: Date.now() + 150 }), 'p');
  const recalled = await core.send(incoming('t', { kind: 'DELAY', deliverAt: Date.now() + 150 }), 'p');
  assert.ok(kept.recallHandle && recalled.recallHandle);
  assert.equal(await core.scheduler.recall('t', recalled.recallHandle), recalled.messageId);
  await assert.rejects(core.scheduler.recall('t', recalled.recallHandle), /already delivered or recalled/);
  assert.equal((await core.deliveries.receive(receiveRequest(core, 'G', 't'))).length, 0);
  const got = await core.deliveries.receive(receiveRequest(core, 'G', 't', { waitMs: 2000 }));
  assert.deepEqual(got.map((d) => d.message.messageId), [kept.messageId]);
  await core.close();
});

test('a receive repeated with the same attempt id gets the messages its failed attempt leased, without counting an attempt', async () => {
  const core = memoryCore({ groups: { F: { fifo: true } } });
  await core.send(incoming('t', { kind: 'FIFO', messageGroup: 'g' }), 'p');
  await core.send(incoming('t', { kind: 'FIFO', messageGroup: 'g' }), 'p');
  const lost = await core.deliveries.receive(receiveRequest(core, 'F', 't', { attemptId: 'a1', autoRenew: true, invisibleMs: 60_000 }));
  assert.equal(lost.length, 2);
  assert.equal((await core.deliveries.receive(receiveRequest(core, 'F', 't', { attemptId: 'a2' }))).length, 0, 'the group is in flight');
  const again = await core.deliveries.receive(receiveRequest(core, 'F', 't', { attemptId: 'a1', autoRenew: true, invisibleMs: 60_000 }));
  assert.deepEqual(again.map((d) => d.message.offset), lost.map((d) => d.message.offset));
  assert.deepEqual(again.map((d) => d.attempt), [1, 1]);
  await assert.rejects(core.deliveries.ack('F', 't', lost[0]!.receiptHandle), /stale/);
  await core.deliveries.ack('F', 't', again[0]!.receiptHandle);
  await core.close();
});

test('released deliveries (the receive call was cancelled) are visible again at once and keep their attempt count', async () => {
  const core = memoryCore();
  await core.send(incoming('t'), 'p');
  const [d] = await core.deliveries.receive(receiveRequest(core, 'G', 't', { invisibleMs: 60_000 }));
  await core.deliveries.release([d!.receiptHandle]);
  const [again] = await core.deliveries.receive(receiveRequest(core, 'G', 't'));
  assert.equal(again!.message.offset, d!.message.offset);
  assert.equal(again!.attempt, 1);
  await core.close();
});

test('a message out of attempts moves to the DLQ even if its group never receives again', async () => {
  const core = memoryCore({ groups: { G: { maxDeliveryAttempts: 1 } } });
  const sent = await core.send(incoming('t'), 'p');
  await core.deliveries.receive(receiveRequest(core, 'G', 't', { invisibleMs: 10 }));
  await new Promise((r) => setTimeout(r, 20));
  await core.deliveries.sweepExhausted();
  const [dead] = await core.deliveries.receive(receiveRequest(core, 'reader', '%DLQ%G'));
  assert.equal(dead?.message.messageId, sent.messageId);
  assert.equal((await core.deliveries.receive(receiveRequest(core, 'G', 't'))).length, 0);
  await core.close();
});
