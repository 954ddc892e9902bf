import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  InvalidMessageError,
  InvalidOptionsError,
  MigrationError,
  OutboxStateError,
  OutboxUnsupportedError,
  PublishError,
  TransactionFencedError,
  isOutboxError,
} from '../src/index.js';

test('every outbox error keeps the cause it was given', () => {
  const cause = new Error('underlying');
  const errors = [
    new InvalidMessageError('message.topic', 'is bad', { cause }),
    new InvalidOptionsError('publishTimeoutMs', 'must be at least 1000', { cause }),
    new MigrationError('failed', { cause }),
    new PublishError('failed', { cause, retryable: true }),
    new TransactionFencedError('t-1', { cause }),
    new OutboxStateError('stopped', { cause }),
    new OutboxUnsupportedError('not on PGlite', { cause }),
  ];
  for (const error of errors) {
    assert.ok(isOutboxError(error), error.name);
    assert.equal(error.cause, cause, `${error.name} keeps its cause`);
  }
});
