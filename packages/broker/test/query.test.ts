import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidRequestError, NotFoundError } from '../src/errors.js';
import { decodeMessage, encodeMessage } from '../src/store/message-codec.js';
import type { MessageRecord } from '../src/store/records.js';
import { encodePageToken } from '../src/core/views/paging.js';
import { incoming, receiveRequest, testClock } from './helpers.js';
import { coreOn, STORES } from './trace-stores.js';

const HOUR = 3_600_000;

for (const kind of STORES) {
  test(`${kind.name}: messages by id, by key and by store time, paged; trimmed ones are gone from every index`, async () => {
    const clock = testClock();
    const { store, reopen, dispose } = await kind.create();
    let core = coreOn(store, clock, { retentionHours: 1, groups: { G: { maxDeliveryAttempts: 1 } } });
    try {
      const sent: string[] = [];
      const t0 = clock.now();
      for (let i = 0; i < 5; i++) {
        const m = incoming('orders', { keys: i % 2 === 0 ? ['even', `k${i}`] : ['odd'], tag: `tag${i}`, bornAt: clock.now() });
        sent.push(m.messageId);
        await core.send(m, 'producer-1');
        await core.send(incoming('other', { keys: ['even'] }), 'producer-1');
        clock.advance(1000);
      }

      const [one] = core.findMessagesById(sent[1]!);
      assert.equal(one?.topic, 'orders');
      assert.equal(one?.offset, 1);
      assert.equal(one?.tag, 'tag1');
      assert.deepEqual(one?.keys, ['odd']);
      assert.equal(one?.storedAt, t0 + 1000);
      assert.equal(one?.producerClientId, 'producer-1');
      assert.deepEqual(core.findMessagesById('NOPE'), []);

      const page1 = core.findMessagesByKey('orders', 'even', { pageSize: 2 });
      assert.deepEqual(page1.items.map((m) => m.messageId), [sent[0], sent[2]]);
      assert.ok(page1.nextPageToken);
      const page2 = core.findMessagesByKey('orders', 'even', { pageSize: 2, pageToken: page1.nextPageToken! });
      assert.deepEqual(page2.items.map((m) => m.messageId), [sent[4]]);
      assert.equal(page2.nextPageToken, undefined);
      assert.deepEqual(core.findMessagesByKey('orders', 'k2').items.map((m) => m.messageId), [sent[2]]);
      assert.deepEqual(core.findMessagesByKey('orders', 'none').items, []);

      const byTime = core.findMessagesByTime('orders', t0 + 1000, t0 + 4000, { pageSize: 2 });
      assert.deepEqual(byTime.items.map((m) => m.messageId), [sent[1], sent[2]]);
      const rest = core.findMessagesByTime('orders', t0 + 1000, t0 + 4000, { pageSize: 2, pageToken: byTime.nextPageToken! });
      assert.deepEqual(rest.items.map((m) => m.messageId), [sent[3]]);
      assert.equal(rest.nextPageToken, undefined);
      assert.deepEqual(core.findMessagesByTime('orders', t0 + 10_000, t0 + 20_000).items, []);

      // A dead-letter copy is found by id too, after the original.
      const [d] = await core.receive(receiveRequest('G', 'orders', { batchSize: 1, invisibleMs: 1000 }));
      assert.equal(d?.message.messageId, sent[0]);
      clock.advance(1000);
      await core.receive(receiveRequest('G', 'orders', { batchSize: 1 }));
      assert.deepEqual(core.findMessagesById(sent[0]!).map((m) => [m.topic, m.deadLetter?.originTopic]), [['orders', undefined], ['%DLQ%G', 'orders']]);

      if (kind.durable) {
        await core.close();
        core = coreOn(reopen(), clock, { retentionHours: 1 });
        assert.deepEqual(core.findMessagesByKey('orders', 'even').items.map((m) => m.messageId), [sent[0], sent[2], sent[4]], 'indexes survive a reopen');
      }

      // Retention: the first three of orders (stored at t0, +1 s, +2 s) are older than an hour.
      clock.advance(HOUR - 3000);
      await core.applyRetention();
      assert.deepEqual(core.findMessagesById(sent[0]!).map((m) => m.topic), ['%DLQ%G'], 'only the newer DLQ copy is left');
      assert.deepEqual(core.findMessagesById(sent[1]!), []);
      assert.deepEqual(core.findMessagesByKey('orders', 'even').items.map((m) => m.messageId), [sent[4]]);
      assert.deepEqual(core.findMessagesByKey('orders', 'odd').items.map((m) => m.messageId), [sent[3]]);
      assert.deepEqual(core.findMessagesByTime('orders', 0, Number.MAX_SAFE_INTEGER).items.map((m) => m.messageId), [sent[3], sent[4]]);
      assert.deepEqual(core.traceMessage(sent[1]!)?.events.map((e) => e.type), ['delivered'], 'its recorded events outlive it (trace retention), the derived ones went with it');
      assert.equal(core.traceMessage(sent[2]!), undefined, 'nothing of a trimmed, never-delivered message is retained');
    } finally {
      await core.close();
      await dispose();
    }
  });
}

test('queries name what was wrong: an unknown topic, a bad pageSize or pageToken; proto3 unset values are the defaults', async () => {
  const core = coreOn((await STORES[0]!.create()).store, testClock());
  await core.send(incoming('orders', { keys: ['k'] }), 'p');
  assert.throws(() => core.findMessagesByKey('nope', 'k'), (e) => e instanceof NotFoundError && e.code === 'TOPIC_NOT_FOUND' && /nope/.test(e.message));
  assert.throws(() => core.findMessagesByTime('nope', 0, 1), NotFoundError);
  assert.throws(() => core.findMessagesByKey('orders', 'k', { pageSize: 1001 }), (e) => e instanceof InvalidRequestError && /pageSize must be an integer from 1 to 1000, got 1001/.test(e.message));
  assert.throws(() => core.findMessagesByKey('orders', 'k', { pageSize: -1 }), (e) => e instanceof InvalidRequestError && /pageSize/.test(e.message));
  assert.throws(() => core.findMessagesByTime('orders', 0, 1, { pageToken: 'not-a-token!' }), (e) => e instanceof InvalidRequestError && /pageToken "not-a-token!"/.test(e.message));
  assert.throws(() => core.findMessagesByKey('orders', 'k', { pageToken: encodePageToken('G') }), (e) => e instanceof InvalidRequestError && /pageToken/.test(e.message), 'a name token is not an offset token');
  // proto3's unset values (0 and '') mean the defaults.
  assert.deepEqual(core.findMessagesByKey('orders', 'k', { pageSize: 0, pageToken: '' }).items.map((m) => m.topic), ['orders']);
  assert.equal(core.findMessagesByTime('orders', 0, Number.MAX_SAFE_INTEGER, { pageSize: 0, pageToken: '' }).items.length, 1);
  assert.equal(core.storeBytes(), 0);
  await core.close();
});

test('LmdbStore: storeBytes counts the segment files and the LMDB file', async () => {
  const { store, dispose } = await STORES[1]!.create();
  const core = coreOn(store, testClock());
  const before = core.storeBytes();
  await core.send(incoming('t', { body: Buffer.alloc(100_000, 1) }), 'p');
  assert.ok(core.storeBytes() >= before + 100_000, `${before} -> ${core.storeBytes()}`);
  await core.close();
  await dispose();
});

test('message codec: the producer client id round-trips; a record written without it decodes', () => {
  const record: MessageRecord = { topic: 't', offset: 3, queueId: 0, messageId: 'M1', kind: 'NORMAL', body: Buffer.from('x'), keys: ['k'], properties: {}, bornAt: 1, bornHost: 'h', storedAt: 2, producerClientId: 'client-7' };
  assert.equal(decodeMessage('t', 3, Buffer.concat(encodeMessage(record))).producerClientId, 'client-7');
  const { producerClientId: _omitted, ...older } = record;
  const [header, body] = encodeMessage(older);
  const meta = JSON.parse(header.toString('utf8', 5)) as unknown[];
  const thirteen = Buffer.from(JSON.stringify(meta.slice(0, 13)));
  const oldHeader = Buffer.alloc(5);
  oldHeader[0] = 1;
  oldHeader.writeUInt32LE(thirteen.length, 1);
  const decoded = decodeMessage('t', 3, Buffer.concat([oldHeader, thirteen, body]));
  assert.equal(meta.length, 14);
  assert.equal('producerClientId' in decoded, false);
  assert.deepEqual(decoded.keys, ['k']);
});
