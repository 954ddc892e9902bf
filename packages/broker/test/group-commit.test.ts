import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { GroupCommit } from '../src/store/group-commit.js';
import type { EntityWrite } from '../src/store/store.js';
import { CountingStore } from './counting-store.js';
import { incoming, memoryCore, receiveRequest } from './helpers.js';

const cursor = (key: string, nextOffset: number): EntityWrite => ({ kind: 'cursor', key, value: { consumer: key, topic: 't', nextOffset } });

test('a commit made while none is in flight reaches the store at once', async () => {
  const inner = new CountingStore();
  const store = new GroupCommit(inner);
  const done = store.commit({ entities: [cursor('a', 1)] });
  assert.equal(inner.commits.length, 1, 'not delayed to a later turn');
  inner.release();
  await done;
  assert.deepEqual(store.loadEntities('cursor'), [{ consumer: 'a', topic: 't', nextOffset: 1 }]);
});

test('commits made while one is in flight are written together, in call order, as one commit', async () => {
  const inner = new CountingStore();
  const store = new GroupCommit(inner);
  const first = store.commit({ entities: [cursor('a', 1)] });
  const rest = [store.commit({ entities: [cursor('b', 1)] }), store.commit({ entities: [cursor('a', 2)] }), store.commit({ entities: [cursor('c', 1)] })];
  assert.equal(inner.commits.length, 1, 'the others wait for the one in flight');
  inner.release();
  await first;
  await nextTurn();
  assert.equal(inner.commits.length, 2, 'the three waiting ones share one commit');
  assert.deepEqual(inner.commits[1]!.entities?.map((w) => w.key), ['b', 'a', 'c']);
  inner.release();
  await Promise.all(rest);
  assert.deepEqual(
    store.loadEntities('cursor').map((c) => [c.consumer, c.nextOffset]),
    [['a', 2], ['b', 1], ['c', 1]],
    'the later write of a key wins',
  );
});

test('a failed merged commit is written again one batch at a time: only a batch that fails alone fails its caller', async () => {
  const inner = new CountingStore();
  const store = new GroupCommit(inner);
  const first = store.commit({ entities: [cursor('a', 1)] });
  const b = store.commit({ entities: [cursor('b', 1)] });
  const c = store.commit({ entities: [cursor('c', 1)] });
  inner.release();
  await first;
  await nextTurn();
  const later = store.commit({ entities: [cursor('d', 1)] });
  inner.fail(new Error('disk full'));
  await nextTurn();
  assert.deepEqual(inner.commits.at(-1)?.entities?.map((w) => w.key), ['b'], 'b alone');
  inner.fail(new Error('bad batch'));
  await assert.rejects(b, /bad batch/);
  await nextTurn();
  assert.deepEqual(inner.commits.at(-1)?.entities?.map((w) => w.key), ['c'], 'then c alone');
  inner.release();
  await c;
  await nextTurn();
  inner.release();
  await later;
  assert.deepEqual(store.loadEntities('cursor').map((cur) => cur.consumer), ['a', 'c', 'd']);
});

test('a merged commit is capped: what does not fit waits for the next one', async () => {
  const inner = new CountingStore();
  const store = new GroupCommit(inner);
  const first = store.commit({ entities: [cursor('a', 1)] });
  const big: EntityWrite[] = [];
  for (let i = 0; i < 5000; i++) big.push(cursor(`k${i}`, i));
  const rest = [store.commit({ entities: big }), store.commit({ entities: big }), store.commit({ entities: [cursor('z', 1)] })];
  inner.release();
  await first;
  await nextTurn();
  assert.equal(inner.commits.at(-1)?.entities?.length, 5000, 'the second 5,000 would pass the cap');
  inner.release();
  await nextTurn();
  assert.equal(inner.commits.at(-1)?.entities?.length, 5001);
  inner.release();
  await Promise.all(rest);
});

test('one batched send is one store commit, with one outcome per message in order and consecutive offsets', async () => {
  const inner = new CountingStore();
  inner.hold = false;
  const core = memoryCore({}, { store: inner });
  const results = await core.sendBatch(Array.from({ length: 64 }, () => incoming('t')), 'p');
  assert.equal(inner.commits.length, 1);
  assert.equal(inner.commits[0]!.append?.length, 64);
  assert.deepEqual(results.map((r) => (r.ok ? r.outcome.offset : -1)), Array.from({ length: 64 }, (_, i) => i));
  await core.close();
});

test('concurrent batched sends share commits', async () => {
  const inner = new CountingStore();
  const core = memoryCore({}, { store: inner });
  const sends = Array.from({ length: 8 }, () => core.sendBatch(Array.from({ length: 16 }, () => incoming('t')), 'p'));
  await nextTurn();
  assert.equal(inner.commits.length, 1, 'the first send is written at once, the other seven wait');
  inner.release();
  await nextTurn();
  assert.equal(inner.commits.length, 2);
  assert.equal(inner.commits[1]!.append?.length, 7 * 16, 'the seven waiting sends travel in one commit');
  inner.hold = false;
  inner.release();
  const results = (await Promise.all(sends)).flat();
  assert.equal(results.length, 128);
  assert.deepEqual(new Set(results.map((r) => (r.ok ? r.outcome.offset : -1))).size, 128, 'every message has its own offset');
  assert.equal((await core.receive(receiveRequest('G', 't', { batchSize: 32 }))).length, 32, 'and all are readable');
  await core.close();
});

test('a message that fails validation is refused alone; the rest of its batch is stored', async () => {
  const inner = new CountingStore();
  inner.hold = false;
  const core = memoryCore({}, { store: inner });
  const results = await core.sendBatch([incoming('t'), incoming('t', { messageId: ' ' }), incoming('t')], 'p');
  assert.deepEqual(results.map((r) => r.ok), [true, false, true]);
  assert.match(String((results[1] as { error: Error }).error.message), /message_id/);
  assert.equal(inner.commits.length, 1);
  assert.equal(inner.commits[0]!.append?.length, 2);
  await core.close();
});

test('a failed commit fails every message of the batch that was in it', async () => {
  const inner = new CountingStore();
  const core = memoryCore({}, { store: inner });
  const sending = core.sendBatch([incoming('t'), incoming('t')], 'p');
  await nextTurn();
  inner.fail(new Error('disk full'));
  const results = await sending;
  assert.deepEqual(results.map((r) => r.ok), [false, false]);
  inner.hold = false;
  const [after] = await core.sendBatch([incoming('t')], 'p');
  assert.ok(after!.ok, 'later sends still go through');
  assert.equal((await core.receive(receiveRequest('G', 't'))).length, 1, 'the failed ones are not readable');
  await core.close();
});

test('a queued commit of 200,000 entity writes goes through (no argument-list spread)', async () => {
  const inner = new CountingStore();
  const store = new GroupCommit(inner);
  const first = store.commit({ entities: [cursor('a', 1)] });
  const many: EntityWrite[] = [];
  for (let i = 0; i < 200_000; i++) many.push(cursor(`k${i}`, i));
  const big = store.commit({ entities: many });
  const small = store.commit({ entities: [cursor('b', 1)] });
  inner.release();
  await first;
  await nextTurn();
  inner.release();
  await big;
  await nextTurn();
  inner.release();
  await small;
  assert.equal(store.loadEntities('cursor').length, 200_002);
});
