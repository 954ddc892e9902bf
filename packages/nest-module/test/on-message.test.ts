import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@txmq/broker/client';
import { subscriptionExpression } from '../src/consumers/subscription-expression.js';
import { NonRetryableError, OnMessage, TxmqNestError, type OnMessageOptions } from '../src/index.js';

describe('@OnMessage options', () => {
  const bad: [string, Partial<OnMessageOptions>][] = [
    ['topic', { topic: 'bad topic', group: 'g' }],
    ['group', { topic: 't', group: '' }],
    ['tag', { topic: 't', group: 'g', tag: ' ' }],
    ['maxAttempts', { topic: 't', group: 'g', maxAttempts: 0 }],
    ['concurrency', { topic: 't', group: 'g', concurrency: 1.5 }],
  ];
  for (const [option, options] of bad) {
    it(`a bad ${option} fails when the class is defined, naming it`, () => {
      assert.throws(() => OnMessage(options as OnMessageOptions), (error: unknown) => error instanceof TypeError && error.message.includes(option));
    });
  }

  it('NonRetryableError is a TxmqNestError with code NON_RETRYABLE', () => {
    const error = new NonRetryableError('poison', { cause: new Error('why') });
    assert.ok(error instanceof TxmqNestError);
    assert.equal(error.code, 'NON_RETRYABLE');
    assert.equal(error.name, 'NonRetryableError');
  });
});

describe('@OnMessage sql option', () => {
  it('an empty or non-string sql fails when the class is defined, naming it', () => {
    for (const sql of ['', '  ', 5]) {
      assert.throws(() => OnMessage({ topic: 't', group: 'g', sql } as unknown as OnMessageOptions), (error: unknown) => error instanceof TypeError && error.message.includes('sql'));
    }
  });

  it('sql with a tag other than * is a ConfigError naming both', () => {
    assert.throws(
      () => OnMessage({ topic: 't', group: 'g', sql: 'a > 1', tag: 'A || B' }),
      (error: unknown) => error instanceof ConfigError && error.option === 'sql' && /sql/.test(error.message) && /tag "A \|\| B"/.test(error.message),
    );
    assert.doesNotThrow(() => OnMessage({ topic: 't', group: 'g', sql: 'a > 1', tag: ' * ' }));
  });

  it('the binding subscribes with { sql } when sql is set, else with its tag or *', () => {
    assert.deepEqual(subscriptionExpression({ sql: "region = 'eu'" }), { sql: "region = 'eu'" });
    assert.deepEqual(subscriptionExpression({ sql: 'a > 1', tag: '*' }), { sql: 'a > 1' });
    assert.equal(subscriptionExpression({ tag: 'A || B' }), 'A || B');
    assert.equal(subscriptionExpression({}), '*');
  });
});
