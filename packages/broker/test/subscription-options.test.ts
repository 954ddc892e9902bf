import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSubscriptionOptions } from '../src/client/option-checks.js';
import { ConfigError } from '../src/errors.js';

test('a subscription is a tag expression or { sql }; anything else is a ConfigError naming the topic', () => {
  checkSubscriptionOptions('simple consumer', 'g', { a: '*', b: 'x || y', c: { sql: "region = 'eu'" } });
  for (const bad of ['', '  ', 7, null, {}, { sql: '' }, { sql: 1 }, { sql: 'a > 1', tag: '*' }, ['*']]) {
    assert.throws(
      () => checkSubscriptionOptions('push consumer', 'g', { orders: bad }),
      (e: unknown) => e instanceof ConfigError && e.option === 'subscriptions.orders' && /\{ sql/.test(e.message),
      JSON.stringify(bad),
    );
  }
});
