import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeMessage, encodeMessage } from '../src/store/message-codec.js';
import type { MessageRecord } from '../src/store/records.js';
import { SegmentLog } from '../src/store/segment-log.js';

test('records appended as chunks read back whole; each open appends to a new segment', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-segments-'));
  try {
    const first = new SegmentLog(dir);
    const [a, b] = first.append([[Buffer.from('he'), Buffer.from('llo')], [Buffer.from('world')]]);
    await first.sync();
    assert.deepEqual([first.read(a!).toString(), first.read(b!).toString()], ['hello', 'world']);
    first.close();

    const second = new SegmentLog(dir);
    const [c] = second.append([[Buffer.from('again')]]);
    assert.notEqual(c!.segment, a!.segment);
    assert.equal(second.read(a!).toString(), 'hello', 'an earlier segment stays readable');
    assert.deepEqual(second.segments(), [a!.segment, c!.segment]);
    second.dropBelow(c!.segment);
    assert.deepEqual(second.segments(), [c!.segment]);
    second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a message record keeps every field through its encoding', () => {
  const full: MessageRecord = {
    topic: 'ns%orders',
    offset: 41,
    queueId: 3,
    messageId: 'ID-1',
    kind: 'FIFO',
    body: Buffer.from([0, 1, 2, 255]),
    tag: 'paid',
    keys: ['k1', 'k2'],
    properties: { a: '1', 'ü': 'ß' },
    messageGroup: 'customer-7',
    bornAt: 1_700_000_000_001,
    bornHost: 'host-1',
    storedAt: 1_700_000_000_002,
    deliverAt: 1_700_000_000_003,
    traceContext: 'trace',
    deadLetter: { originTopic: 'orders', originMessageId: 'ID-0' },
  };
  const plain: MessageRecord = { topic: 't', offset: 0, queueId: 0, messageId: 'ID-2', kind: 'NORMAL', body: Buffer.alloc(0), keys: [], properties: {}, bornAt: 1, bornHost: '', storedAt: 2 };
  for (const record of [full, plain]) {
    assert.deepEqual(decodeMessage(record.topic, record.offset, Buffer.concat(encodeMessage(record))), record);
  }
});

test('a segment number is never used again, not even one whose file is gone but the index still names', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-segments-'));
  try {
    const log = new SegmentLog(dir, { referenced: 7 });
    const [a] = log.append([[Buffer.from('x')]]);
    assert.equal(a!.segment, 8);
    log.close();
    const empty = new SegmentLog(dir);
    assert.equal(empty.append([[Buffer.from('y')]])[0]!.segment, 9);
    empty.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every segment file created or deleted is made durable in its directory before its records can be indexed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-segments-'));
  try {
    const events: string[] = [];
    const segments = join(dir, 'segments');
    const log = new SegmentLog(segments, { segmentBytes: 4, syncDir: (d) => events.push(`sync ${d === segments ? 'segments' : d === dir ? 'parent' : d}`) });
    assert.deepEqual(events, ['sync parent', 'sync segments'], 'mkdir and the first segment');
    const [a] = log.append([[Buffer.from('abcd')]]);
    assert.equal(events.length, 2, 'no new file, no directory sync');
    const [b] = log.append([[Buffer.from('efgh')]]);
    assert.equal(b!.segment, a!.segment + 1, 'rolled');
    assert.deepEqual(events.slice(2), ['sync segments'], 'the rolled-to file is durable before append returns');
    log.dropBelow(b!.segment);
    assert.deepEqual(events.slice(3), ['sync segments'], 'and so is the deletion');
    log.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
