import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { incoming, memoryCore, receiveRequest } from './helpers.js';

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
