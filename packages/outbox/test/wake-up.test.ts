import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WakeUpScheduler } from '../src/outbox/wake-up.js';
import { FakeClock } from './fixtures/fake-clock.js';

test('one send gives a wake-up at each step after it, then none', async () => {
  const clock = new FakeClock();
  const calls: number[] = [];
  const scheduler = new WakeUpScheduler({ clock, notify: async () => calls.push(clock.now()), delaysMs: [10, 40, 160], minGapMs: 20 });
  scheduler.sent();
  await clock.advance(10_000);
  assert.deepEqual(calls, [10, 40, 160]);
});

test('steps closer than minGapMs are pushed back, and a later send restarts the steps', async () => {
  const clock = new FakeClock();
  const calls: number[] = [];
  const scheduler = new WakeUpScheduler({ clock, notify: async () => calls.push(clock.now()), delaysMs: [10, 40, 160], minGapMs: 50 });
  scheduler.sent();
  await clock.advance(100);
  assert.deepEqual(calls, [10, 60], 'the 40 ms step waits until 50 ms after the 10 ms one');
  scheduler.sent(); // at 100: the next wake-up is due at 110, sooner than the pending 160 step
  await clock.advance(10_000);
  assert.deepEqual(calls, [10, 60, 110, 160, 260]);
});

/** A scheduler whose every wake-up takes `notifyMs` of fake time; records when each one starts. */
function slowScheduler(clock: FakeClock, notifyMs: number) {
  const calls: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const scheduler = new WakeUpScheduler({
    clock,
    delaysMs: [10, 40, 160],
    minGapMs: 50,
    notify: () => {
      calls.push(clock.now());
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      return new Promise<void>((resolve) => clock.setTimer(() => resolve(void inFlight--), notifyMs));
    },
  });
  return { scheduler, calls, maxInFlight: () => maxInFlight };
}

async function burst(clock: FakeClock, scheduler: WakeUpScheduler, ms: number): Promise<void> {
  for (let t = 0; t < ms; t++) {
    scheduler.sent();
    await clock.advance(1);
  }
}

test('a burst of sends is coalesced to one wake-up per minGapMs, then the steps after the last send', async () => {
  const clock = new FakeClock();
  const { scheduler, calls } = slowScheduler(clock, 15);
  await burst(clock, scheduler, 200); // a send every ms, the last at 199
  assert.deepEqual(calls, [10, 60, 110, 160], 'one wake-up 10 ms after the first send, then one per 50 ms');
  await clock.advance(10_000);
  // The steps after the last send (209, 239, 359), none sooner than 50 ms after the previous one.
  assert.deepEqual(calls, [10, 60, 110, 160, 210, 260, 359]);
});

test('a wake-up due while the previous one is still in flight is sent when it returns, never two at once', async () => {
  const clock = new FakeClock();
  const { scheduler, calls, maxInFlight } = slowScheduler(clock, 70); // slower than the 50 ms cadence
  await burst(clock, scheduler, 200);
  await clock.advance(10_000);
  assert.equal(maxInFlight(), 1);
  assert.deepEqual(calls, [10, 80, 150, 220, 290, 360]);
});
