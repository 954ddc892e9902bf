import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { DEFAULT_MAX_BODY_BYTES } from '../src/rules/index.js';

test('defaults follow RocketMQ', () => {
  const config = resolveConfig({});
  assert.deepEqual(config.transaction, { checkImmunityMs: 6000, checkIntervalMs: 30_000, maxChecks: 15 });
  assert.equal(config.maxBodyBytes, 4 * 1024 * 1024);
  assert.equal(config.autoCreateTopics, true);
  assert.equal(config.reconnectGraceMs, 10_000, "a lost push consumer gets one heartbeat period (the official clients' 10 s) to come back");
});

test('reconnectGraceMs is read and bounded', () => {
  assert.equal(resolveConfig({ reconnectGraceMs: 0 }).reconnectGraceMs, 0);
  assert.equal(resolveConfig({ reconnectGraceMs: 2500 }).reconnectGraceMs, 2500);
  assert.throws(() => resolveConfig({ reconnectGraceMs: -1 }), /reconnectGraceMs must be an integer from 0 to 120000/);
  assert.throws(() => resolveConfig({ reconnectGraceMs: 120_001 }), /reconnectGraceMs must be an integer/);
});

test('declared topics and groups are read', () => {
  const config = resolveConfig({ topics: { orders: { queues: 4, messageType: 'FIFO' } }, groups: { g: { fifo: true, maxDeliveryAttempts: 3 } } });
  assert.deepEqual(config.topics.get('orders'), { name: 'orders', queues: 4, messageType: 'FIFO' });
  assert.equal(config.groups.get('g')?.maxDeliveryAttempts, 3);
  assert.equal(config.groups.get('g')?.fifo, true);
});

test('unknown keys are errors that name the key', () => {
  assert.throws(() => resolveConfig({ topcs: {} }), (e: unknown) => e instanceof ConfigError && /"topcs"/.test(e.message));
  assert.throws(() => resolveConfig({ groups: { g: { fifoo: true } } }), /"groups\.g\.fifoo"/);
  assert.throws(() => resolveConfig({ transaction: { maxCheck: 1 } }), /"transaction\.maxCheck"/);
});

test('bad values name the setting', () => {
  assert.throws(() => resolveConfig({ topics: { t: { messageType: 'LITE' } } }), /topics\.t\.messageType/);
  assert.throws(() => resolveConfig({ maxBodyBytes: -1 }), /maxBodyBytes/);
  assert.throws(() => resolveConfig({ autoCreateTopics: 'yes' }), /autoCreateTopics/);
});

test('maxBodyBytes may be lowered but not raised above what RocketMQ clients can receive (4 MiB)', () => {
  assert.equal(resolveConfig({ maxBodyBytes: 1024 }).maxBodyBytes, 1024);
  assert.equal(resolveConfig({ maxBodyBytes: DEFAULT_MAX_BODY_BYTES }).maxBodyBytes, DEFAULT_MAX_BODY_BYTES);
  assert.throws(
    () => resolveConfig({ maxBodyBytes: DEFAULT_MAX_BODY_BYTES + 1 }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.code === 'INVALID_CONFIG' &&
      /^maxBodyBytes must be at most 4194304 \(4 MiB\), got 4194305: .*official Node client receive at most 4 MiB/.test(e.message),
  );
});
