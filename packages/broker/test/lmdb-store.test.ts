import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { open as openLmdb } from 'lmdb';
import { pino } from 'pino';
import { ConfigError } from '../src/errors.js';
import { LOCK_FILE } from '../src/store/data-dir-lock.js';
import { LmdbStore } from '../src/store/lmdb-store.js';
import type { MessageRecord } from '../src/store/records.js';
import { FailingStore } from './failing-store.js';
import { incoming, memoryCore, receiveRequest, testClock } from './helpers.js';

test('the LMDB store keeps messages and delivery state across a reopen', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-lmdb-'));
  try {
    const first = memoryCore({}, { store: LmdbStore.open(dir) });
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await first.send(incoming('t', { tag: `T${i}` }), 'p'));
    await first.send(incoming('other'), 'p');
    const [d] = await first.receive(receiveRequest('G', 't', { batchSize: 1 }));
    await first.ack('G', 't', d!.receiptHandle);
    const [held] = await first.receive(receiveRequest('G', 't', { batchSize: 1 }));
    await first.close();

    const reopened = LmdbStore.open(dir);
    const second = memoryCore({}, { store: reopened });
    assert.deepEqual(reopened.topics().sort(), ['other', 't']);
    assert.deepEqual(reopened.topicBounds('t'), { first: 0, next: 5 });
    const rest = await second.receive(receiveRequest('G', 't'));
    assert.deepEqual(rest.map((r) => r.message.messageId), sent.slice(1).map((s) => s.messageId));
    const redelivered = rest.find((r) => r.message.messageId === held!.message.messageId);
    assert.equal(redelivered?.attempt, 2, 'the delivery count survived the restart');
    assert.deepEqual(rest[0]!.message.body, held!.message.body);
    await second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('first deliveries stored as one range per receive keep exact attempt counts across a reopen', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-lmdb-'));
  try {
    const clock = testClock();
    const first = memoryCore({}, { store: LmdbStore.open(dir), now: clock.now });
    await first.sendBatch(Array.from({ length: 6 }, () => incoming('t')), 'p');
    const batch = await first.receive(receiveRequest('G', 't', { batchSize: 6, invisibleMs: 10_000 }));
    assert.equal(batch.length, 6);
    const results = await first.ackBatch('G', 't', [batch[0]!.receiptHandle, batch[3]!.receiptHandle]);
    assert.ok(results.every((r) => r.ok));
    await first.ack('G', 't', batch[5]!.receiptHandle);
    clock.advance(10_000);
    const [again] = await first.receive(receiveRequest('G', 't', { batchSize: 1, invisibleMs: 10_000 }));
    assert.equal(again!.message.offset, 1);
    assert.equal(again!.attempt, 2);
    await first.close();

    const second = memoryCore({}, { store: LmdbStore.open(dir), now: clock.now });
    const rest = await second.receive(receiveRequest('G', 't'));
    assert.deepEqual(rest.map((d) => [d.message.offset, d.attempt]), [[1, 3], [2, 2], [4, 2]], 'acked ones stay acked; the others count their deliveries');
    await second.ackBatch('G', 't', rest.map((d) => d.receiptHandle));
    await second.close();

    const third = memoryCore({}, { store: LmdbStore.open(dir), now: clock.now });
    assert.deepEqual(await third.receive(receiveRequest('G', 't')), [], 'nothing is left to deliver');
    await third.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('retention deletes the segment files it emptied and keeps those still read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-lmdb-'));
  try {
    const segments = () => readdirSync(join(dir, 'segments')).sort();
    const clock = testClock();
    const first = memoryCore({ retentionHours: 1 }, { store: LmdbStore.open(dir), now: clock.now });
    await first.send(incoming('t'), 'p');
    await first.close();
    clock.advance(2 * 3_600_000);
    const second = memoryCore({ retentionHours: 1 }, { store: LmdbStore.open(dir), now: clock.now });
    const kept = await second.send(incoming('t'), 'p');
    assert.equal(segments().length, 2, 'each process appends to a segment of its own');
    await second.applyRetention();
    assert.equal(segments().length, 1, 'the first segment held only the expired message');
    const [d] = await second.receive(receiveRequest('G', 't'));
    assert.equal(d!.message.messageId, kept.messageId);
    await second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a data dir is locked: a second open is refused naming the dir and the pid, and the live store keeps its segment', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-lmdb-'));
  try {
    const first = LmdbStore.open(dir);
    const segments = readdirSync(join(dir, 'segments'));
    assert.throws(
      () => LmdbStore.open(dir),
      (error: unknown) => error instanceof ConfigError && error.option === 'dataDir' && error.message.includes(dir) && error.message.includes(String(process.pid)),
    );
    assert.deepEqual(readdirSync(join(dir, 'segments')), segments, 'the refused open touched no segment');
    await first.commit({ append: [record('t', 0, 'kept')] });
    await first.close();
    const again = LmdbStore.open(dir);
    assert.equal(again.readMessage('t', 0)?.body.toString(), 'kept');
    await again.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the lock of a process that is gone is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-lmdb-'));
  try {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, LOCK_FILE), `${dead}\n`);
    const store = LmdbStore.open(dir);
    assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8').trim(), String(process.pid));
    await store.close();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'close lets go of the dir');
    // a crashed broker that had this very pid (a restarted container): its lock is stale too
    writeFileSync(join(dir, LOCK_FILE), `${process.pid}\n`);
    const restarted = LmdbStore.open(dir);
    await restarted.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function record(topic: string, offset: number, body: string, storedAt = 1): MessageRecord {
  return { topic, offset, queueId: 0, messageId: `M${offset}`, kind: 'NORMAL', body: Buffer.from(body), keys: [], properties: {}, bornAt: 1, bornHost: 'h', storedAt };
}

test('after a failed write at the tail and a restart, new messages get offsets past every cursor', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-lmdb-'));
  try {
    const store = new FailingStore(LmdbStore.open(dir));
    const first = memoryCore({}, { store });
    await first.send(incoming('t'), 'p');
    store.failNext = 1;
    await assert.rejects(first.send(incoming('t'), 'p'), /ENOSPC/);
    const got = await first.receive(receiveRequest('G', 't'));
    assert.deepEqual(got.map((d) => d.message.offset), [0]);
    await first.ack('G', 't', got[0]!.receiptHandle);
    await first.close();

    const second = memoryCore({}, { store: LmdbStore.open(dir) });
    const sent = await second.send(incoming('t'), 'p');
    assert.equal(sent.offset, 2, 'offset 1 is behind the cursor of G');
    assert.deepEqual((await second.receive(receiveRequest('G', 't'))).map((d) => d.message.offset), [2]);
    await second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the offset of a time treats a hole (a failed write) as no older than the message after it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-lmdb-'));
  try {
    const store = LmdbStore.open(dir);
    await store.commit({ append: [record('t', 0, 'old', 1), record('t', 1, 'young', 100)] });
    await store.commit({ append: [record('t', 3, 'young', 100), record('t', 4, 'young', 100)] });
    assert.equal(store.offsetAtTime('t', 50), 1, 'retention keeps everything from offset 1');
    assert.equal(store.offsetAtTime('t', 101), 5);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a new store has no legacy messages database; a data dir with messages inside LMDB is refused and left unlocked', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-lmdb-'));
  try {
    await LmdbStore.open(dir).close();
    let root = openLmdb({ path: dir, maxDbs: 16 });
    assert.equal([...root.getKeys()].map(String).includes('messages'), false);
    await root.openDB({ name: 'messages' }).put(['t', 0], { body: 'old' });
    await root.close();
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => LmdbStore.open(dir),
        (error: unknown) => error instanceof ConfigError && /written before segment files/.test(error.message) && !/0\.1/.test(error.message),
      );
    }
    root = openLmdb({ path: dir, maxDbs: 16 });
    await root.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Turns `dir` into a data dir as the version before the message query indexes left it: index entries of only a location, no `by-id`, `by-key`, no marker. */
async function asBeforeQueryIndexes(dir: string): Promise<void> {
  const root = openLmdb({ path: dir, noSubdir: false, maxDbs: 32, compression: false, mapSize: 2 ** 34 });
  const index = root.openDB<Buffer, [string, number]>({ name: 'index', encoding: 'binary', cache: false });
  const entries = [...index.getRange({})].map(({ key, value }) => ({ key, value: Buffer.from(value) }));
  assert.ok(entries.length > 0 && entries.every((e) => e.value.length > 12), 'this version writes the id and keys after the location');
  await root.transaction(() => {
    for (const { key, value } of entries) void index.put(key, value.subarray(0, 12));
    void root.openDB({ name: 'by-id', encoding: 'binary' }).clearSync();
    void root.openDB({ name: 'by-key', encoding: 'binary' }).clearSync();
    void root.openDB({ name: 'meta' }).remove('query-indexes');
  });
  await root.close();
}

test('a data dir written before the message query indexes gets them at open, once: its messages are found, traced and resent', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-lmdb-'));
  try {
    const first = memoryCore({}, { store: LmdbStore.open(dir) });
    const m = incoming('orders', { keys: ['order-42'] });
    await first.send(m, 'p1');
    for (let i = 0; i < 3; i++) await first.send(incoming('orders', { keys: [`other-${i}`] }), 'p1');
    const [d] = await first.receive(receiveRequest('G', 'orders', { batchSize: 1 }));
    await first.forwardToDeadLetter('G', 'orders', d!.receiptHandle);
    await first.close();
    await asBeforeQueryIndexes(dir);

    const lines: { msg: string; messages?: number }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const second = memoryCore({}, { store: LmdbStore.open(dir, { log }) });
    assert.deepEqual(second.findMessagesById(m.messageId).map((v) => v.topic).sort(), ['%DLQ%G', 'orders']);
    assert.deepEqual(second.findMessagesByKey('orders', 'order-42').items.map((v) => v.messageId), [m.messageId]);
    assert.deepEqual(second.traceMessage(m.messageId)?.events.map((e) => e.type).slice(0, 2), ['sent', 'stored']);
    assert.equal((await second.resendDeadLetter('G', m.messageId)).messageId, m.messageId);
    assert.ok(lines.some((l) => l.msg.startsWith('the message query indexes hold every stored message') && l.messages === 5), JSON.stringify(lines));
    await second.close();

    lines.length = 0;
    const third = memoryCore({}, { store: LmdbStore.open(dir, { log }) });
    assert.deepEqual(lines, [], 'done once');
    assert.equal(third.findMessagesById(m.messageId).length, 3, 'and the resent copy');
    await third.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a data dir whose name has a dot (x.d) is a directory, not a file name', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'txmq-lmdb-'));
  const dir = join(parent, 'x.d');
  try {
    const first = memoryCore({}, { store: LmdbStore.open(dir) });
    const m = incoming('t');
    await first.send(m, 'p');
    await first.close();
    assert.ok(existsSync(join(dir, 'data.mdb')), `files inside ${dir}: ${readdirSync(parent).join(', ')}`);
    const second = memoryCore({}, { store: LmdbStore.open(dir) });
    assert.equal(second.findMessagesById(m.messageId).length, 1);
    await second.close();
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});
