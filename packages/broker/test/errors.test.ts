import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BrokerRefusedError } from '../src/errors.js';
import { STATUS_CODES, type StatusName } from '../src/status-codes.js';

/** The refusals of the message itself: sending the same message again cannot succeed. */
const NOT_RETRYABLE: readonly StatusName[] = [
  'ILLEGAL_TOPIC',
  'ILLEGAL_MESSAGE_TAG',
  'ILLEGAL_MESSAGE_KEY',
  'ILLEGAL_MESSAGE_GROUP',
  'ILLEGAL_MESSAGE_PROPERTY_KEY',
  'ILLEGAL_MESSAGE_ID',
  'ILLEGAL_DELIVERY_TIME',
  'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE',
  'PAYLOAD_TOO_LARGE',
  'MESSAGE_BODY_TOO_LARGE',
  'MESSAGE_BODY_EMPTY',
  'REQUEST_HEADER_FIELDS_TOO_LARGE',
  'MESSAGE_PROPERTIES_TOO_LARGE',
];

test('a refusal is retryable unless it refuses the message itself', () => {
  for (const [name, status] of Object.entries(STATUS_CODES) as [StatusName, number][]) {
    const expected = !NOT_RETRYABLE.includes(name);
    assert.equal(new BrokerRefusedError(status, name).retryable, expected, `${status} ${name}`);
  }
  // Spelled out: refusals of the client, the access or the rate, not of the message.
  for (const status of [40000, 40001, 40003, 40015, 40017, 40100, 40300, 40402, 42900, 50000, 50400]) {
    assert.equal(new BrokerRefusedError(status, 'x').retryable, true, String(status));
  }
  assert.equal(new BrokerRefusedError(49999, 'an unknown status').retryable, true);
});
