import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
