import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { toFilterExpression } from '../src/client/consumer/filter-expression.js';
import { readReceiveStream } from '../src/client/consumer/receive-stream.js';
import { toDelivery } from '../src/client/consumer/received-message.js';
import { DigestType as DIGEST_TYPE, Encoding as ENCODING, FilterType as FILTER_TYPE } from '../src/wire/enums.js';
import type { ReceiveMessageResponse as ReceiveFrame, WireMessage as WireReceivedMessage } from '../src/wire/types.js';
import { BrokerRefusedError, BrokerUnreachableError } from '../src/errors.js';
import { STATUS_CODES } from '../src/status-codes.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex').toUpperCase();

function wire(body: Buffer, extra: Partial<NonNullable<WireReceivedMessage['systemProperties']>> = {}): WireReceivedMessage {
  return {
    topic: { name: 'orders', resourceNamespace: '' },
    userProperties: { a: '1' },
    body,
    systemProperties: {
      messageId: 'M1', tag: 'created', keys: ['k1', 'k2'], receiptHandle: 'H1', deliveryAttempt: 3,
      bornTimestamp: { seconds: '1700000000', nanos: 5_000_000 },
      bodyDigest: { type: DIGEST_TYPE.MD5, checksum: md5(body) }, bodyEncoding: ENCODING.IDENTITY,
      ...extra,
    },
  };
}

test('a delivered message maps to a ReceivedMessage and its receipt', () => {
  const body = Buffer.from('hello');
  const { message, receipt, corrupted } = toDelivery(wire(body, { messageGroup: 'g', deliveryTimestamp: { seconds: 1700000100 } }), 'b:1');
  assert.equal(corrupted, false);
  assert.deepEqual(message, {
    messageId: 'M1', topic: 'orders', tag: 'created', keys: ['k1', 'k2'], properties: { a: '1' }, body,
    messageGroup: 'g', deliveryAttempt: 3, bornAt: new Date(1_700_000_000_005), deliverAt: new Date(1_700_000_100_000),
  });
  assert.deepEqual(receipt, { topic: 'orders', messageId: 'M1', receiptHandle: 'H1', endpoint: 'b:1' });
});

test('absent optional fields: no tag or group, attempt 1, bornAt epoch', () => {
  const { message } = toDelivery({ topic: { name: 't' }, systemProperties: { messageId: 'x', tag: '' } }, 'b:1');
  assert.equal('tag' in message, false);
  assert.equal('messageGroup' in message, false);
  assert.equal('deliverAt' in message, false);
  assert.equal(message.deliveryAttempt, 1);
  assert.equal(message.bornAt.getTime(), 0);
  assert.deepEqual(message.body, Buffer.alloc(0));
});

test('a GZIP body is unzipped after the digest check of the transmitted bytes', () => {
  const zipped = gzipSync(Buffer.from('compressed payload'));
  const delivery = toDelivery(wire(zipped, { bodyEncoding: ENCODING.GZIP }), 'b:1');
  assert.equal(delivery.corrupted, false);
  assert.equal(delivery.message.body.toString(), 'compressed payload');
  assert.equal(toDelivery(wire(Buffer.from('not gzip'), { bodyEncoding: ENCODING.GZIP }), 'b:1').corrupted, true);
});

test('a digest mismatch marks the delivery corrupted; SHA1 is checked too, other digests are not', () => {
  const body = Buffer.from('x');
  assert.equal(toDelivery(wire(body, { bodyDigest: { type: DIGEST_TYPE.MD5, checksum: 'ABC' } }), 'b:1').corrupted, true);
  const sha1 = createHash('sha1').update(body).digest('hex').toUpperCase();
  assert.equal(toDelivery(wire(body, { bodyDigest: { type: DIGEST_TYPE.SHA1, checksum: sha1 } }), 'b:1').corrupted, false);
  assert.equal(toDelivery(wire(body, { bodyDigest: { type: DIGEST_TYPE.CRC32, checksum: '1' } }), 'b:1').corrupted, false);
});

test('a string subscription is a TAG filter, { sql } an SQL one', () => {
  assert.deepEqual(toFilterExpression(' a || b '), { type: FILTER_TYPE.TAG, expression: 'a || b' });
  assert.deepEqual(toFilterExpression({ sql: 'amount > 10' }), { type: FILTER_TYPE.SQL, expression: 'amount > 10' });
});

class FakeStream extends EventEmitter {
  cancelled = false;
  cancel(): void {
    this.cancelled = true;
    this.emit('error', Object.assign(new Error('Cancelled'), { code: 1 }));
  }
  frames(...frames: ReceiveFrame[]): void {
    for (const frame of frames) this.emit('data', frame);
    this.emit('end');
  }
}

const mapError = (error: Error) => new BrokerUnreachableError('b:1', error.message);

test('a receive stream: status, messages, delivery timestamp', async () => {
  const stream = new FakeStream();
  const reading = readReceiveStream(stream, 'b:1', new AbortController().signal, mapError);
  const m = wire(Buffer.from('1'));
  stream.frames({ status: { code: STATUS_CODES.OK, message: 'OK' } }, { message: m }, { message: m }, { deliveryTimestamp: { seconds: 1 } });
  assert.equal((await reading).length, 2);
});

test('MESSAGE_NOT_FOUND is an empty answer; another status a refusal; a failed call the mapped error', async () => {
  const empty = new FakeStream();
  const none = readReceiveStream(empty, 'b:1', new AbortController().signal, mapError);
  empty.frames({ status: { code: STATUS_CODES.MESSAGE_NOT_FOUND, message: 'no new message' } }, { deliveryTimestamp: { seconds: 1 } });
  assert.deepEqual(await none, []);

  const refused = new FakeStream();
  const reading = readReceiveStream(refused, 'b:1', new AbortController().signal, mapError);
  refused.frames({ status: { code: STATUS_CODES.ILLEGAL_FILTER_EXPRESSION, message: 'bad filter' } });
  await assert.rejects(reading, (e: unknown) => e instanceof BrokerRefusedError && e.code === 'ILLEGAL_FILTER_EXPRESSION' && /bad filter/.test(e.message));

  const failing = new FakeStream();
  const failed = readReceiveStream(failing, 'b:1', new AbortController().signal, mapError);
  failing.emit('error', new Error('connection reset'));
  await assert.rejects(failed, BrokerUnreachableError);
});

test('aborting cancels the call and resolves with what had arrived', async () => {
  const stream = new FakeStream();
  const abort = new AbortController();
  const reading = readReceiveStream(stream, 'b:1', abort.signal, mapError);
  stream.emit('data', { status: { code: STATUS_CODES.OK } });
  abort.abort();
  assert.equal(stream.cancelled, true);
  assert.deepEqual(await reading, []);
});

test('a call that fails after the OK status and some messages resolves with them (they are invisible to the group already)', async () => {
  const stream = new FakeStream();
  const reading = readReceiveStream(stream, 'b:1', new AbortController().signal, mapError);
  stream.emit('data', { status: { code: STATUS_CODES.OK, message: 'OK' } });
  stream.emit('data', { message: wire(Buffer.from('1')) });
  stream.emit('error', new Error('connection reset'));
  assert.equal((await reading).length, 1);
});

test('the body is a copy of the frame\'s bytes; a GZIP body that does not inflate is corrupted, not thrown', () => {
  const frame = Buffer.alloc(8);
  frame.write('xxbodyxx');
  const delivery = toDelivery(wire(frame.subarray(2, 6)), 'b:1');
  assert.equal(delivery.message.body.toString(), 'body');
  assert.notEqual(delivery.message.body.buffer, frame.buffer, 'the frame is not kept alive by the body');
  assert.equal(toDelivery(wire(Buffer.from('not gzip'), { bodyEncoding: ENCODING.GZIP }), 'b:1').corrupted, true);
});
