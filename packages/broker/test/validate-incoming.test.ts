import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autoTopic } from '../src/core/settings.js';
import { validateMessage } from '../src/core/validate-incoming.js';
import { parseTagExpression } from '../src/core/tag-filter.js';
import type { BrokerErrorCode } from '../src/errors.js';
import { incoming } from './helpers.js';

const mixed = autoTopic('t');
const rejects = (overrides: Parameters<typeof incoming>[1], code: BrokerErrorCode, topic = mixed) =>
  assert.throws(() => validateMessage(incoming('t', overrides), topic, 1024, Date.now()), (e: { code?: string }) => e.code === code);

test('message rules follow RocketMQ', () => {
  rejects({ body: Buffer.alloc(0) }, 'MESSAGE_BODY_EMPTY');
  rejects({ body: Buffer.alloc(1025) }, 'MESSAGE_BODY_TOO_LARGE');
  rejects({ tag: 'a|b' }, 'ILLEGAL_MESSAGE_TAG');
  rejects({ tag: ' ' }, 'ILLEGAL_MESSAGE_TAG');
  rejects({ keys: [''] }, 'ILLEGAL_MESSAGE_KEY');
  rejects({ properties: { UNIQ_KEY: 'x' } }, 'ILLEGAL_MESSAGE_PROPERTY_KEY');
  rejects({ kind: 'FIFO', messageGroup: 'x'.repeat(64) }, 'ILLEGAL_MESSAGE_GROUP');
  rejects({ kind: 'FIFO' }, 'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE');
  rejects({ kind: 'DELAY', deliverAt: Date.now() + 25 * 3_600_000 }, 'ILLEGAL_DELIVERY_TIME');
  rejects({ messageId: ' ' }, 'ILLEGAL_MESSAGE_ID');
  rejects({}, 'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE', { name: 't', queues: 1, messageType: 'FIFO' });
  const ok = validateMessage(incoming('t', { tag: 'A', keys: ['k'], properties: { a: '1' } }), mixed, 1024, Date.now());
  assert.equal(ok.tag, 'A');
  assert.equal('producerClientId' in ok, false, 'no sending client named');
  assert.equal(validateMessage(incoming('t'), mixed, 1024, Date.now(), 'client-7').producerClientId, 'client-7');
});

test('tag expressions', () => {
  assert.equal(parseTagExpression('*')(undefined), true);
  assert.equal(parseTagExpression('')('x'), true);
  const ab = parseTagExpression(' A || B ');
  assert.equal(ab('A'), true);
  assert.equal(ab('B'), true);
  assert.equal(ab('C'), false);
  assert.equal(ab(undefined), false);
  assert.throws(() => parseTagExpression('||'), /names no tag/);
});
