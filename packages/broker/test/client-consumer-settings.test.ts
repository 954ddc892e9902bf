import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consumerSettingsOf } from '../src/client/consumer/consumer-settings.js';

test('without an answer: standard consumption, 17 attempts, 1 s doubling to 60 s', () => {
  const s = consumerSettingsOf(undefined);
  assert.equal(s.fifo, false);
  assert.equal(s.longPollingMs, undefined);
  assert.equal(s.maxAttempts, 17);
  assert.deepEqual([1, 2, 3, 7, 8, 20].map((a) => s.retryDelayMs(a)), [1000, 2000, 4000, 60_000, 60_000, 60_000]);
});

test('the broker\'s exponential backoff, FIFO flag, long polling and max attempts are used', () => {
  const s = consumerSettingsOf({
    backoffPolicy: { maxAttempts: 4, exponentialBackoff: { initial: { seconds: 0, nanos: 100_000_000 }, max: { seconds: '1' }, multiplier: 3 } },
    subscription: { fifo: true, longPollingTimeout: { seconds: 5 } },
  });
  assert.equal(s.fifo, true);
  assert.equal(s.longPollingMs, 5000);
  assert.equal(s.maxAttempts, 4);
  assert.deepEqual([1, 2, 3, 4].map((a) => s.retryDelayMs(a)), [100, 300, 900, 1000]);
});

test('a customized backoff takes its steps, repeating the last', () => {
  const s = consumerSettingsOf({ backoffPolicy: { maxAttempts: 3, customizedBackoff: { next: [{ seconds: 1 }, { seconds: 5 }] } } });
  assert.deepEqual([1, 2, 3].map((a) => s.retryDelayMs(a)), [1000, 5000, 5000]);
});
