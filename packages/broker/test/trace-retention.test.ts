import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredTraceEvent } from '../src/store/records.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { incoming, receiveRequest, testClock } from './helpers.js';
import { coreOn, STORES, until } from './trace-stores.js';

const HOUR = 3_600_000;

test('trace retention keeps up: the passes run during a stretch of traffic drop what that stretch wrote', async () => {
  const clock = testClock();
  const store = new MemoryStore();
  const core = coreOn(store, clock, { retentionHours: 0, trace: { retentionHours: 1 } });
  try {
    // 40 messages delivered and acked one after another: ~1 s of 40 msg/s traffic, one trace commit each.
    const started = Date.now();
    for (let i = 0; i < 40; i++) {
      await core.send(incoming('t'), 'p');
      const before = store.lastTraceSeq();
      const [d] = await core.receive(receiveRequest('G', 't'));
      await core.ack('G', 't', d!.receiptHandle);
      await until(() => store.lastTraceSeq() >= before + 2);
    }
    const seconds = Math.ceil((Date.now() - started) / 1000);
    clock.advance(HOUR + 1);
    // The broker runs one pass a second: as many passes as the traffic took seconds.
    for (let pass = 0; pass < seconds; pass++) await core.applyTraceRetention();
    assert.equal(store.oldestTraceAt(), undefined, `after ${seconds} pass(es) trace commits older than the retention are still there`);
  } finally {
    await core.close();
  }
});

function events(messageId: string, from: number, count: number, at: number): StoredTraceEvent[] {
  return Array.from({ length: count }, (_, i) => ({ messageId, seq: from + i, type: 'acked', at, topic: 't' }));
}

for (const kind of STORES) {
  test(`${kind.name}: trimTrace drops whole trace commits, oldest first, until its limit in events is reached; never a newer one`, async () => {
    const { store, dispose } = await kind.create();
    try {
      await store.commit({ trace: events('a', 1, 3, 10) });
      await store.commit({ trace: events('b', 4, 3, 20) });
      await store.commit({ trace: events('c', 7, 3, 30) });
      await store.commit({ trace: events('d', 10, 1, 99) });
      await store.commit({ trimTrace: { before: 50, limit: 4 } });
      assert.deepEqual(['a', 'b', 'c'].map((id) => store.readTrace(id).length), [0, 0, 3], 'two commits: 3 events were below the limit of 4');
      await store.commit({ trimTrace: { before: 50, limit: 1 } });
      assert.equal(store.readTrace('c').length, 0, 'at least one commit');
      await store.commit({ trimTrace: { before: 50, limit: 100 } });
      assert.equal(store.readTrace('d').length, 1, 'not due');
      assert.equal(store.oldestTraceAt(), 99);
    } finally {
      await store.close();
      await dispose();
    }
  });
}
