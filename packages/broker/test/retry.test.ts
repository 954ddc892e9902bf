import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRetryable } from '../src/client/producer/retry.js';
import { BrokerError, BrokerRefusedError, BrokerTimeoutError, BrokerUnreachableError } from '../src/errors.js';
import { STATUS_CODES } from '../src/status-codes.js';

test('sends are retried after transient failures only', () => {
  assert.ok(isRetryable(new BrokerUnreachableError('e:1', 'down')));
  assert.ok(isRetryable(new BrokerTimeoutError('e:1', 'slow')));
  assert.ok(isRetryable(new BrokerError('INTERNAL_ERROR', 'client bug')));
  for (const status of ['TOO_MANY_REQUESTS', 'INTERNAL_ERROR', 'INTERNAL_SERVER_ERROR', 'PROXY_TIMEOUT', 'MASTER_PERSISTENCE_TIMEOUT', 'SLAVE_PERSISTENCE_TIMEOUT', 'HA_NOT_AVAILABLE'] as const) {
    assert.ok(isRetryable(new BrokerRefusedError(STATUS_CODES[status], status)), status);
  }
  for (const status of ['NOT_FOUND', 'TOPIC_NOT_FOUND', 'FORBIDDEN', 'UNAUTHORIZED', 'BAD_REQUEST', 'MESSAGE_CORRUPTED', 'NOT_IMPLEMENTED', 'ILLEGAL_MESSAGE_TAG', 'PAYLOAD_TOO_LARGE'] as const) {
    assert.equal(isRetryable(new BrokerRefusedError(STATUS_CODES[status], status)), false, status);
  }
});
