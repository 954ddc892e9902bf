import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dueAt, paced, type Clock } from '../report/pacing.js';

/** A clock whose sleeps advance time at once; `work` is what each fire costs. */
function fakeClock(work = 0): Clock & { fired: number[]; advance(ms: number): void } {
  let now = 1_000;
  const fired: number[] = [];
  return {
    fired,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    advance(ms) {
      now += ms + work;
    },
  };
}

test('dueAt spaces events 1000/rate ms apart', () => {
  assert.equal(dueAt(100, 0, 500), 100);
  assert.equal(dueAt(100, 3, 500), 106);
});

test('paced fires each event at its due time', async () => {
  const clock = fakeClock();
  await paced(5, 500, () => clock.fired.push(clock.now()), clock);
  assert.deepEqual(clock.fired, [1000, 1002, 1004, 1006, 1008]);
});

test('a late event does not shift the schedule of the next ones', async () => {
  const clock = fakeClock();
  await paced(4, 100, (i) => {
    clock.fired.push(clock.now());
    if (i === 0) clock.advance(25); // the first event takes 2.5 periods
  }, clock);
  // events 1 and 2 are overdue and fire at once; event 3 is back on schedule
  assert.deepEqual(clock.fired, [1000, 1025, 1025, 1030]);
});
