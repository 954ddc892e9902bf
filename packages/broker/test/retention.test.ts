import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from '../src/store/memory-store.js';
import { incoming, memoryCore, receiveRequest, testClock } from './helpers.js';

const HOUR = 3_600_000;

test('retention trims messages older than retentionHours; cursors and unacknowledged deliveries move past them', async () => {
  const clock = testClock();
  const store = new MemoryStore();
  const core = memoryCore({ retentionHours: 1 }, { store, now: clock.now });
  assert.deepEqual(await core.receive(receiveRequest('idle', 't')), [], 'group idle subscribes before anything is sent');
  await core.send(incoming('t'), 'p');
  await core.send(incoming('t'), 'p');
  const [leased] = await core.receive(receiveRequest('busy', 't', { batchSize: 1 }));
  assert.equal(leased?.message.offset, 0);
  clock.advance(HOUR / 2);
  const fresh = await core.send(incoming('t'), 'p');

  clock.advance(HOUR / 2);
  await core.applyRetention();
  assert.deepEqual(store.topicBounds('t'), { first: 0, next: 3 }, 'nothing is older than an hour yet');

  clock.advance(1);
  await core.applyRetention();
  assert.deepEqual(store.topicBounds('t'), { first: 2, next: 3 }, 'the two messages older than an hour are gone');
  const positions = Object.fromEntries(core.subscriptions().map((s) => [s.consumer, { nextOffset: s.nextOffset, unacked: s.unacked }]));
  assert.deepEqual(positions, { idle: { nextOffset: 2, unacked: 0 }, busy: { nextOffset: 2, unacked: 0 } });

  for (const group of ['idle', 'busy', 'new']) {
    const delivered = await core.receive(receiveRequest(group, 't'));
    assert.deepEqual(delivered.map((d) => [d.message.offset, d.message.messageId, d.attempt]), [[2, fresh.messageId, 1]], group);
  }
  await assert.rejects(core.ack('busy', 't', leased.receiptHandle), (e: { code?: string }) => e.code === 'INVALID_RECEIPT_HANDLE');
  await core.applyRetention();
  assert.deepEqual(store.topicBounds('t'), { first: 2, next: 3 }, 'a second pass changes nothing');
  await core.close();
});

test('retentionHours 0 keeps every message', async () => {
  const clock = testClock();
  const store = new MemoryStore();
  const core = memoryCore({ retentionHours: 0 }, { store, now: clock.now });
  await core.send(incoming('t'), 'p');
  clock.advance(1000 * HOUR);
  await core.applyRetention();
  assert.deepEqual(store.topicBounds('t'), { first: 0, next: 1 });
  await core.close();
});
