import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrokerCore } from '../src/core/broker-core.js';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { brokerError, lmdbFactory } from './admin-helpers.js';
import { incoming, memoryCore, receiveRequest, testClock } from './helpers.js';

/** Sends a message to `topic` and has `group` give up on it at once (forward to its DLQ). */
async function deadLetter(core: BrokerCore, group: string, topic: string, overrides: Parameters<typeof incoming>[1] = {}): Promise<string> {
  const sent = incoming(topic, overrides);
  await core.send(sent, 'p');
  const delivered = await core.receive(receiveRequest(group, topic));
  const mine = delivered.find((d) => d.message.messageId === sent.messageId)!;
  await core.forwardToDeadLetter(group, topic, mine.receiptHandle);
  return sent.messageId;
}

test('listDeadLetters pages through %DLQ%<group> oldest first, with the origin of each', async () => {
  const core = memoryCore();
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push(await deadLetter(core, 'G', 't'));
  const first = core.listDeadLetters('G', { pageSize: 2 });
  assert.deepEqual(first.items.map((d) => d.message.messageId), ids.slice(0, 2));
  assert.deepEqual(first.items[0]!.message.deadLetter, { originTopic: 't', originMessageId: ids[0] });
  assert.equal(first.items[0]!.message.topic, '%DLQ%G');
  assert.equal(first.items[0]!.group, 'G');
  assert.equal(first.items[0]!.resentAt, undefined);
  const dlq = core.describeTopic('%DLQ%G');
  assert.deepEqual([dlq.origin, dlq.firstOffset, dlq.nextOffset], ['auto', 0, 5], 'the dead-letter topic is a known topic at once');
  assert.deepEqual(core.listTopics().items.map((t) => t.name), ['%DLQ%G', 't']);
  const second = core.listDeadLetters('G', { pageSize: 2, pageToken: first.nextPageToken! });
  const third = core.listDeadLetters('G', { pageSize: 2, pageToken: second.nextPageToken! });
  assert.deepEqual([...second.items, ...third.items].map((d) => d.message.messageId), ids.slice(2));
  assert.equal(third.nextPageToken, undefined);
  assert.throws(() => core.listDeadLetters('G', { pageToken: 'garbage' }), brokerError('InvalidRequestError', 'BAD_REQUEST', /pageToken/));
  assert.throws(() => core.listDeadLetters('nobody'), brokerError('NotFoundError', 'CONSUMER_GROUP_NOT_FOUND', /"nobody"/));
  await core.receive(receiveRequest('clean', 't'));
  assert.deepEqual(core.listDeadLetters('clean').items, [], 'a group without dead letters has an empty list');
  await core.close();
});

test('a resend appends the dead letter to its origin with the same id, afresh for every group of the topic', async () => {
  const clock = testClock();
  const core = memoryCore({}, { now: clock.now });
  await core.receive(receiveRequest('other', 't')); // a second group on the topic
  const id = await deadLetter(core, 'G', 't', { tag: 'red', keys: ['k1'], properties: { color: 'red' } });
  const other = await core.receive(receiveRequest('other', 't'));
  await core.ack('other', 't', other[0]!.receiptHandle);
  clock.advance(5000);

  const result = await core.resendDeadLetter('G', id);
  assert.deepEqual(result, { messageId: id, topic: 't', offset: 1 });
  for (const group of ['G', 'other']) {
    const [again] = await core.receive(receiveRequest(group, 't'));
    assert.equal(again!.message.messageId, id, group);
    assert.equal(again!.attempt, 1, `${group}: a fresh delivery`);
    assert.deepEqual([again!.message.tag, again!.message.keys, again!.message.properties], ['red', ['k1'], { color: 'red' }], 'no DLQ_ORIGIN_* properties');
    assert.equal(again!.message.deadLetter, undefined);
    assert.equal(again!.message.storedAt, clock.now());
  }
  const [listed] = core.listDeadLetters('G').items;
  assert.equal(listed!.resentAt, clock.now());
  await core.close();
});

test('a dead letter is resent once: a second resend is refused naming when; a new dead-lettering of it may be resent', async () => {
  const clock = testClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  const core = memoryCore({}, { now: clock.now });
  const id = await deadLetter(core, 'G', 't');
  const at = clock.now();
  await core.resendDeadLetter('G', id);
  clock.advance(1000);
  await assert.rejects(
    core.resendDeadLetter('G', id),
    brokerError('InvalidRequestError', 'PRECONDITION_FAILED', new RegExp(`dead letter ${id} of group G .* was already resent to t at 2026-01-02T03:04:05.000Z`)),
  );
  const [again] = await core.receive(receiveRequest('G', 't'));
  await core.forwardToDeadLetter('G', 't', again!.receiptHandle);
  const second = await core.resendDeadLetter('G', id);
  assert.equal(second.offset, 2);
  assert.deepEqual(core.listDeadLetters('G').items.map((d) => [d.message.offset, d.resentAt]), [[0, at], [1, clock.now()]]);
  await assert.rejects(core.resendDeadLetter('G', 'NO-SUCH-ID'), brokerError('NotFoundError', 'MESSAGE_NOT_FOUND', /no dead letter with message id NO-SUCH-ID is retained in %DLQ%G/));
  await core.close();
});

test('concurrent resends of one dead letter: one succeeds, the other is refused', async () => {
  const core = memoryCore();
  const id = await deadLetter(core, 'G', 't');
  const results = await Promise.allSettled([core.resendDeadLetter('G', id), core.resendDeadLetter('G', id)]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected']);
  assert.equal(core.describeTopic('t').nextOffset, 2, 'one copy appended');
  await core.close();
});

test('resent markers are durable, and go when retention removes their dead letter', async () => {
  const factory = await lmdbFactory();
  const clock = testClock();
  try {
    const first = factory.open({ retentionHours: 1 }, clock.now);
    const id = await deadLetter(first, 'G', 't');
    await first.resendDeadLetter('G', id);
    await first.close();
    const second = factory.open({ retentionHours: 1 }, clock.now);
    assert.equal(second.listDeadLetters('G').items[0]!.resentAt, clock.now());
    await assert.rejects(second.resendDeadLetter('G', id), /already resent/);
    clock.advance(3_600_001);
    await second.applyRetention();
    assert.deepEqual(second.listDeadLetters('G').items, []);
    await second.close();
    const store = LmdbStore.open(factory.dir);
    assert.deepEqual(store.loadEntities('resent'), [], 'the marker is deleted durably');
    await store.close();
  } finally {
    await factory.cleanup();
  }
});
