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
    const first = memoryCore({}, LmdbStore.open(dir));
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await first.send(incoming('t', { tag: `T${i}` }), 'p'));
    await first.send(incoming('other'), 'p');
    const [d] = await first.deliveries.receive(receiveRequest(first, 'G', 't', { batchSize: 1 }));
    await first.deliveries.ack('G', 't', d!.receiptHandle);
    const [held] = await first.deliveries.receive(receiveRequest(first, 'G', 't', { batchSize: 1 }));
    await first.close();

    const second = memoryCore({}, LmdbStore.open(dir));
    assert.deepEqual(second.store.topics().sort(), ['other', 't']);
    assert.deepEqual(second.store.topicBounds('t'), { first: 0, next: 5 });
    const rest = await second.deliveries.receive(receiveRequest(second, 'G', 't'));
    assert.deepEqual(rest.map((r) => r.message.messageId), sent.slice(1).map((s) => s.messageId));
    const redelivered = rest.find((r) => r.message.messageId === held!.message.messageId);
    assert.equal(redelivered?.attempt, 2, 'the delivery count survived the restart');
    assert.deepEqual(rest[0]!.message.body, held!.message.body);
    await second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
