import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

const HOUR = 3_600_000;

test('trace config: on by default, kept as long as messages, every topic', () => {
  assert.deepEqual(resolveConfig({}).trace, { enabled: true, retentionMs: 72 * HOUR });
  assert.deepEqual(resolveConfig({ retentionHours: 5 }).trace, { enabled: true, retentionMs: 5 * HOUR });
  assert.deepEqual(resolveConfig({ retentionHours: 5, trace: { retentionHours: 0.5, enabled: false, topics: ['a', 'b'] } }).trace, {
    enabled: false,
    retentionMs: 0.5 * HOUR,
    topics: new Set(['a', 'b']),
  });
});

test('trace config: an unknown or malformed key is an error naming it', () => {
  assert.throws(() => resolveConfig({ trace: { enable: true } }), (e) => e instanceof ConfigError && /"trace\.enable"/.test(e.message));
  assert.throws(() => resolveConfig({ trace: { enabled: 'yes' } }), /trace\.enabled must be true or false/);
  assert.throws(() => resolveConfig({ trace: { retentionHours: -1 } }), /trace\.retentionHours must be a number >= 0/);
  assert.throws(() => resolveConfig({ trace: { topics: 'orders' } }), /trace\.topics must be an array of topic names/);
  assert.throws(() => resolveConfig({ trace: [] }), /trace must be an object/);
});
