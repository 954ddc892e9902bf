import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perSecond, percentile, summarize } from '../report/stats.js';

test('percentile takes the nearest rank, whatever the input order', () => {
  const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assert.equal(percentile(values, 0.5), 5);
  assert.equal(percentile(values, 0.99), 10);
  assert.equal(percentile(values, 0.1), 1);
  assert.equal(percentile(values, 0), 1);
  assert.equal(percentile(values, 1), 10);
  assert.deepEqual(values, [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
});

test('p99 of 1,000 values is the 990th smallest', () => {
  const values = Array.from({ length: 1000 }, (_, i) => 1000 - i);
  assert.equal(percentile(values, 0.99), 990);
});

test('summarize reports count, p50, p99 and max, and NaN for no values', () => {
  assert.deepEqual(summarize([3, 1, 2]), { count: 3, p50: 2, p99: 3, max: 3 });
  const empty = summarize([]);
  assert.equal(empty.count, 0);
  assert.ok(Number.isNaN(empty.p50) && Number.isNaN(empty.max));
});

test('summarize takes the max of large inputs without spreading them', () => {
  const values = Array.from({ length: 300_000 }, (_, i) => i % 1000);
  assert.equal(summarize(values).max, 999);
});

test('perSecond converts a count over milliseconds', () => {
  assert.equal(perSecond(500, 250), 2000);
  assert.ok(Number.isNaN(perSecond(5, 0)));
});
