import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError } from '../src/errors.js';
import type { StoredTraceEvent } from '../src/store/records.js';
import { decodeTraceEvents, decodeTraceLog, encodeTraceEvents, encodeTraceLog, traceLogMaxAt } from '../src/store/trace-codec.js';

test('a message\'s trace events read back as written: optional fields, repeats, unknown types, long and non-ASCII strings', () => {
  const long = 'ü'.repeat(300);
  const events: StoredTraceEvent[] = [
    { messageId: 'm-1', seq: 7, type: 'delivered', at: 1_700_000_000_123, topic: 'orders', group: 'g', clientId: 'c@host', attempt: 1 },
    { messageId: 'm-1', seq: 9, type: 'acked', at: 1_700_000_000_456, topic: 'orders', group: 'g', clientId: 'c@host' },
    { messageId: 'm-1', seq: 10, type: 'redelivered', at: 1_700_000_000_789, topic: 'orders', group: 'other', attempt: 300 },
    { messageId: 'm-1', seq: 2 ** 40, type: 'dead-lettered', at: 1_700_000_001_000, topic: '%DLQ%other', group: 'other', note: long },
    { messageId: 'm-1', seq: 2 ** 40 + 1, type: 'some-future-type', at: 1_700_000_002_000 },
    { messageId: 'm-1', seq: 2 ** 40 + 2, type: 'recalled', at: 1_700_000_003_000, topic: 'orders', clientId: 'c@host' },
  ];
  assert.deepEqual(decodeTraceEvents(encodeTraceEvents(events)), events);
  const longId = [{ messageId: 'x'.repeat(1000), seq: 1, type: 'acked', at: 5, topic: '' }];
  assert.deepEqual(decodeTraceEvents(encodeTraceEvents(longId)), longId);
});

test('an event does not repeat the message id, and a topic, group or client id equal to the previous event\'s', () => {
  const one = (seq: number): StoredTraceEvent => ({ messageId: 'a-message-id-of-some-length', seq, type: 'acked', at: 1_700_000_000_000, topic: 'a-topic-name', group: 'a-group-name', clientId: 'a-client-id@some-host' });
  const single = encodeTraceEvents([one(1)]).length;
  const ten = encodeTraceEvents(Array.from({ length: 10 }, (_, i) => one(i + 1))).length;
  assert.ok(ten - single <= 9 * 11, `nine more events took ${ten - single} bytes`);
});

test('a trace log entry reads back as written, and its maxAt is read without its keys', () => {
  const entry = { maxSeq: 2 ** 41, maxAt: 1_700_000_000_999, keys: [['m-1', 2 ** 41 - 5], ['#sha256:' + 'f'.repeat(64), 2 ** 41]] as [string, number][] };
  const bytes = encodeTraceLog(2 ** 41 - 5, entry);
  assert.deepEqual(decodeTraceLog(2 ** 41 - 5, bytes), entry);
  assert.equal(traceLogMaxAt(bytes), entry.maxAt);
});

test('a damaged trace value is a StoreError, not wrong events', () => {
  const bytes = encodeTraceEvents([{ messageId: 'm', seq: 1, type: 'acked', at: 1, group: 'g' }]);
  assert.throws(() => decodeTraceEvents(bytes.subarray(0, bytes.length - 1)), StoreError);
  assert.throws(() => decodeTraceEvents(Buffer.from([9, 1, 2])), /format 9/);
  const badType = Buffer.from(bytes);
  badType[1 + 2 + 1 + 1 + 1] = 200;
  assert.throws(() => decodeTraceEvents(badType), /type code 200/);
});

test('encoded values stay intact while later ones are written, across chunks and for a value larger than a chunk', () => {
  const written: [StoredTraceEvent[], Buffer][] = [];
  for (let i = 0; i < 20_000; i++) {
    const events: StoredTraceEvent[] = [{ messageId: `m-${i}`, seq: i + 1, type: 'acked', at: 1_700_000_000_000 + i, topic: 'orders', group: `g-${i % 7}`, clientId: 'client@host' }];
    written.push([events, encodeTraceEvents(events)]);
    if (i === 10_000) {
      const big: StoredTraceEvent[] = [{ messageId: 'big', seq: 1, type: 'recalled', at: 1, note: 'n'.repeat(600_000) }];
      written.push([big, encodeTraceEvents(big)]);
    }
  }
  for (const [events, bytes] of written) assert.deepEqual(decodeTraceEvents(bytes), events);
});
