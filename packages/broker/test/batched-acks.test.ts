import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidRequestError } from '../src/errors.js';
import { CountingStore } from './counting-store.js';
import { incoming, memoryCore, receiveRequest, testClock } from './helpers.js';

test('the acks of one batch are one store commit, with one result per handle in order', async () => {
  const inner = new CountingStore();
  inner.hold = false;
  const clock = testClock();
  const core = memoryCore({}, { store: inner, now: clock.now });
  await core.sendBatch(Array.from({ length: 5 }, () => incoming('t')), 'p');
  const delivered = await core.receive(receiveRequest('G', 't', { invisibleMs: 10_000 }));
  assert.equal(delivered.length, 5);
  await core.ack('G', 't', delivered[4]!.receiptHandle);
  const before = inner.commits.length;

  const handles = [delivered[0]!.receiptHandle, 'not-a-handle', delivered[1]!.receiptHandle, delivered[4]!.receiptHandle, delivered[2]!.receiptHandle, delivered[0]!.receiptHandle];
  const results = await core.ackBatch('G', 't', handles);
  assert.equal(inner.commits.length, before + 1, 'one commit for the whole batch');
  assert.deepEqual(
    inner.commits.at(-1)!.entities?.map((w) => [w.kind, w.value && 'offsets' in w.value ? w.value.offsets : undefined]),
    [['leased', [delivered[3]!.message.offset]]],
    'one write: the receive\'s range keeps only the unacknowledged offset',
  );
  assert.deepEqual(results.map((r) => r.ok), [true, false, true, false, true, false]);
  for (const failed of [results[1], results[3], results[5]]) {
    assert.ok(!failed!.ok && failed!.error instanceof InvalidRequestError);
    assert.equal((failed as { error: InvalidRequestError }).error.code, 'INVALID_RECEIPT_HANDLE');
  }

  clock.advance(10_000);
  const again = await core.receive(receiveRequest('G', 't'));
  assert.deepEqual(again.map((d) => d.message.messageId), [delivered[3]!.message.messageId], 'only the unacknowledged message comes back');
  await core.close();
});

test('handles of another group or topic fail their entries alone', async () => {
  const core = memoryCore();
  await core.sendBatch([incoming('t'), incoming('u')], 'p');
  const [onT] = await core.receive(receiveRequest('G', 't'));
  const [onU] = await core.receive(receiveRequest('G', 'u'));
  const [other] = await core.receive(receiveRequest('H', 't'));
  const results = await core.ackBatch('G', 't', [onU!.receiptHandle, other!.receiptHandle, onT!.receiptHandle]);
  assert.deepEqual(results.map((r) => r.ok), [false, false, true]);
  assert.deepEqual(core.subscriptions().map((s) => [s.consumer, s.topic, s.unacked]).sort(), [['G', 't', 0], ['G', 'u', 1], ['H', 't', 1]]);
  await core.close();
});

test('a failed commit fails the entries it carried; their messages stay unacknowledged in the store', async () => {
  const inner = new CountingStore();
  inner.hold = false;
  // No trace: its background writes would be held too, and the test fails the oldest held commit.
  const core = memoryCore({ trace: { enabled: false } }, { store: inner });
  await core.sendBatch([incoming('t'), incoming('t')], 'p');
  const delivered = await core.receive(receiveRequest('G', 't'));
  inner.hold = true;
  const acking = core.ackBatch('G', 't', delivered.map((d) => d.receiptHandle));
  inner.fail(new Error('disk full'));
  const results = await acking;
  assert.deepEqual(results.map((r) => r.ok), [false, false]);
  assert.deepEqual(inner.loadEntities('leased').map((l) => l.offsets), [[0, 1]], 'a restart delivers them again');
  await core.close();
});
