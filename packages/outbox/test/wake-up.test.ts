import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WakeUpScheduler } from '../src/outbox/wake-up.js';
import { sleep } from './helpers.js';

test('one send gives a wake-up at each step after it, then none', async () => {
  const start = performance.now();
  const calls: number[] = [];
  const scheduler = new WakeUpScheduler({ notify: async () => calls.push(performance.now() - start), delaysMs: [10, 40, 160], minGapMs: 20 });
  scheduler.sent();
  await sleep(400);
  assert.equal(calls.length, 3, `wake-ups at ${calls.map((c) => c.toFixed(0)).join(', ')} ms`);
  assert.ok((calls[0] as number) >= 8 && (calls[0] as number) < 100, `first wake-up at ${calls[0]} ms`);
  assert.ok((calls[2] as number) >= 158, `last wake-up at ${calls[2]} ms`);
});

test('a burst of sends is coalesced to one wake-up per minGapMs, with at most one in flight', async () => {
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const scheduler = new WakeUpScheduler({
    delaysMs: [10, 40, 160],
    minGapMs: 50,
    notify: async () => {
      calls++;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(15); // slower than the cadence
      inFlight--;
    },
  });
  const start = performance.now();
  while (performance.now() - start < 200) {
    scheduler.sent();
    await sleep(1);
  }
  const duringBurst = calls;
  await sleep(400);
  assert.equal(maxInFlight, 1);
  // The first 10 ms after the burst starts, then one per 50 ms: 4 or 5, never one per send.
  assert.ok(duringBurst >= 3 && duringBurst <= 6, `${duringBurst} wake-ups for a 200 ms burst`);
  assert.ok(calls - duringBurst >= 2, 'the tail after the last send still wakes');
});
