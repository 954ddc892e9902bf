import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkMessage, MAX_PROPERTIES, MAX_PROPERTY_BYTES } from '@txmq/broker/client';
import { decodeBody, encodeMessage, InvalidMessageError } from '../src/index.js';

test('encodes Buffer, string and JSON bodies with their content type', () => {
  const bytes = encodeMessage({ topic: 't', body: Buffer.from([1, 2]) });
  assert.equal(bytes.contentType, 'application/octet-stream');
  assert.deepEqual([...bytes.body], [1, 2]);
  const text = encodeMessage({ topic: 't', body: 'héllo' });
  assert.equal(text.contentType, 'text/plain');
  assert.equal(text.body.toString('utf8'), 'héllo');
  const json = encodeMessage({ topic: 't', body: { a: [1, null, 'x'] } });
  assert.equal(json.contentType, 'application/json');
  assert.deepEqual(decodeBody({ body: json.body, properties: { 'txmq-content-type': json.contentType } }), { a: [1, null, 'x'] });
  assert.equal(decodeBody({ body: text.body, properties: { 'txmq-content-type': 'text/plain' } }), 'héllo');
  assert.deepEqual(encodeMessage({ topic: 't', body: null }).body.toString(), 'null');
});

function assertInvalid(run: () => unknown, field: string, why: string): void {
  assert.throws(
    run,
    (error: unknown) => error instanceof InvalidMessageError && error.field === field && error.code === 'INVALID_MESSAGE',
    why,
  );
}

test('rejects bad messages naming the field', () => {
  const cases: Array<[unknown, string]> = [
    [null, 'message'],
    [{ topic: '', body: 1 }, 'message.topic'],
    [{ topic: 'a b', body: 1 }, 'message.topic'],
    [{ topic: 't' }, 'message.body'],
    [{ topic: 't', body: undefined }, 'message.body'],
    [{ topic: 't', body: () => 1 }, 'message.body'],
    [{ topic: 't', body: { n: 1n } }, 'message.body'],
    [{ topic: 't', body: 1, tag: 'a||b' }, 'message.tag'],
    [{ topic: 't', body: 1, keys: 'k' }, 'message.keys'],
    [{ topic: 't', body: 1, keys: ['ok', ''] }, 'message.keys[1]'],
    [{ topic: 't', body: 1, messageGroup: 7 }, 'message.messageGroup'],
    [{ topic: 't', body: 1, deliverAt: new Date('nope') }, 'message.deliverAt'],
    [{ topic: 't', body: 1, deliverAt: '2020-01-01' }, 'message.deliverAt'],
    [{ topic: 't', body: 1, headers: { a: 1 } }, 'message.headers.a'],
    [{ topic: 't', body: 1, headers: { 'txmq-message-id': 'x' } }, 'message.headers.txmq-message-id'],
    [{ topic: 't', body: 1, group: 'g' }, 'message.group'],
  ];
  for (const [input, field] of cases) {
    assertInvalid(
      () => encodeMessage(input),
      field,
      `expected an InvalidMessageError for ${field} from ${JSON.stringify(input, (_k, v) => (typeof v === 'bigint' ? 'bigint' : v))}`,
    );
  }
});

test('applies the broker\'s own rules, so what the broker would refuse fails at send', () => {
  // Each of these used to pass the outbox and be refused by the broker at every publish attempt.
  const refused: Array<[unknown, string]> = [
    [{ topic: 't', body: 1, tag: 'a|b' }, 'message.tag'],
    [{ topic: 't', body: 1, messageGroup: 'g'.repeat(100) }, 'message.messageGroup'],
    [{ topic: 't', body: 1, headers: { UNIQ_KEY: 'x' } }, 'message.headers.UNIQ_KEY'],
    [{ topic: 't', body: 1, keys: ['ok', 'a\u0001b'] }, 'message.keys[1]'],
    [{ topic: 't', body: 1, keys: ['a\u0001'] }, 'message.keys[0]'],
    [{ topic: 't', body: '' }, 'message.body'],
    [{ topic: 'RMQ_SYS_TRACE', body: 1 }, 'message.topic'],
    [{ topic: 't', body: 1, headers: { '': 'x' } }, 'message.headers.'],
  ];
  for (const [input, field] of refused) {
    assertInvalid(() => encodeMessage(input), field, `expected ${field} to be refused in ${JSON.stringify(input)}`);
  }
  assertInvalid(() => encodeMessage({ topic: 't', body: 1, tag: 'a|b' }, 'messages[2]'), 'messages[2].tag', 'the path is the caller\'s');
  // ...and the broker's topic pattern allows "|", which the outbox used to refuse.
  assert.equal(encodeMessage({ topic: 'orders|eu', body: 1 }).topic, 'orders|eu');
});

test('counts the properties txmq adds in the broker\'s property limits', () => {
  // At the limit on their own, over it with txmq-message-id and txmq-content-type.
  const headers = { h: 'x'.repeat(MAX_PROPERTY_BYTES - 1) };
  assert.equal(checkMessage({ topic: 't', body: '1', properties: headers }), undefined, 'the broker takes the headers alone');
  assert.throws(
    () => encodeMessage({ topic: 't', body: 1, headers }),
    (error: unknown) => error instanceof InvalidMessageError && error.field === 'message.headers' && /txmq-message-id/.test(error.message),
  );
  const many = Object.fromEntries(Array.from({ length: MAX_PROPERTIES - 1 }, (_, i) => [`h${i}`, 'v']));
  assert.equal(checkMessage({ topic: 't', body: '1', properties: many }), undefined);
  assertInvalid(() => encodeMessage({ topic: 't', body: 1, headers: many }), 'message.headers', 'too many with txmq\'s own');
  const fits = Object.fromEntries(Array.from({ length: MAX_PROPERTIES - 2 }, (_, i) => [`h${i}`, 'v']));
  assert.equal(Object.keys(encodeMessage({ topic: 't', body: 1, headers: fits }).headers).length, MAX_PROPERTIES - 2);
  // A half message also carries the sender's transaction id.
  assertInvalid(() => encodeMessage({ topic: 't', body: 1, headers: fits }, 'message', { transactional: true }), 'message.headers', 'the transaction id counts');
});

test('default headers (trace context) are checked like the message\'s own, which win', () => {
  const encoded = encodeMessage({ topic: 't', body: 1, headers: { traceparent: 'mine' } }, 'message', {
    defaultHeaders: { traceparent: 'trace', tracestate: 's' },
  });
  assert.deepEqual(encoded.headers, { traceparent: 'mine', tracestate: 's' });
  assertInvalid(() => encodeMessage({ topic: 't', body: 1 }, 'message', { defaultHeaders: { KEYS: 'x' } }), 'message.headers.KEYS', 'reserved');
});

test('a half message has neither a message group nor a delivery time', () => {
  assertInvalid(() => encodeMessage({ topic: 't', body: 1, messageGroup: 'g' }, 'message', { transactional: true }), 'message.messageGroup', 'FIFO');
  assertInvalid(() => encodeMessage({ topic: 't', body: 1, deliverAt: new Date() }, 'message', { transactional: true }), 'message.deliverAt', 'DELAY');
  // The outbox keeps deliverAt itself (the relay publishes when due), so a group may have one.
  assert.ok(encodeMessage({ topic: 't', body: 1, messageGroup: 'g', deliverAt: new Date(Date.now() + 48 * 3_600_000) }).deliverAt);
});
