import assert from 'node:assert/strict';
import { test } from 'node:test';
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
    assert.throws(
      () => encodeMessage(input),
      (error: unknown) => error instanceof InvalidMessageError && error.field === field && error.code === 'INVALID_MESSAGE',
      `expected an InvalidMessageError for ${field} from ${JSON.stringify(input, (_k, v) => (typeof v === 'bigint' ? 'bigint' : v))}`,
    );
  }
});
