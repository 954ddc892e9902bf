import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BrokerError, BrokerRefusedError } from '../src/errors.js';
import { sendOutcomes } from '../src/client/producer/send-results.js';

const OK = { code: 20000, message: 'OK' };
const ids = ['A', 'B', 'C'];

test('one entry per message maps one to one, with per-message failures', () => {
  const outcomes = sendOutcomes({
    status: { code: 40004, message: 'bad tag' },
    entries: [
      { status: OK, messageId: 'A', transactionId: 'tA', offset: '7', recallHandle: 'r' },
      { status: { code: 40004, message: 'bad tag' }, messageId: 'B' },
      { status: OK, messageId: 'C', transactionId: 'tC', offset: '9' },
    ],
  }, ids, 'e:1');
  assert.deepEqual(outcomes[0], { ok: true, result: { messageId: 'A', transactionId: 'tA', offset: 7, recallHandle: 'r' } });
  assert.equal(outcomes[1]!.ok, false);
  assert.equal(!outcomes[1]!.ok && outcomes[1]!.error.code, 'ILLEGAL_MESSAGE_TAG');
  assert.deepEqual(outcomes[2], { ok: true, result: { messageId: 'C', transactionId: 'tC', offset: 9 } });
});

test("one entry for N (a RocketMQ proxy): its status applies to all, ids are the client's own, offsets count up from the entry's", () => {
  const ok = sendOutcomes({ status: OK, entries: [{ status: OK, messageId: 'A,B,C', transactionId: 'A', offset: '40' }] }, ids, 'e:1');
  assert.deepEqual(ok.map((o) => o.ok && o.result), [
    { messageId: 'A', transactionId: 'A', offset: 40 },
    { messageId: 'B', transactionId: 'B', offset: 41 },
    { messageId: 'C', transactionId: 'C', offset: 42 },
  ]);
  const refused = sendOutcomes({ status: { code: 42900, message: 'busy' }, entries: [{ status: { code: 42900, message: 'busy' } }] }, ids, 'e:1');
  assert.ok(refused.every((o) => !o.ok && o.error instanceof BrokerRefusedError && o.error.code === 'TOO_MANY_REQUESTS'));
});

test('no entries: the top-level status decides, and OK without entries is an internal error', () => {
  const refused = sendOutcomes({ status: { code: 40402, message: 'no topic' } }, ids, 'e:1');
  assert.ok(refused.every((o) => !o.ok && o.error.code === 'TOPIC_NOT_FOUND'));
  const empty = sendOutcomes({ status: OK, entries: [] }, ids, 'e:1');
  assert.ok(empty.every((o) => !o.ok && o.error instanceof BrokerError && o.error.code === 'INTERNAL_ERROR'));
});

test('N entries that all carry one of the request ids are matched by id, whatever their order', () => {
  const outcomes = sendOutcomes({
    status: OK,
    entries: [
      { status: OK, messageId: 'C', offset: '9' },
      { status: { code: 40004, message: 'bad tag' }, messageId: 'A' },
      { status: OK, messageId: 'B', offset: '8' },
    ],
  }, ids, 'e:1');
  assert.equal(outcomes[0]!.ok, false, 'A was refused');
  assert.deepEqual(outcomes.slice(1).map((o) => o.ok && [o.result.messageId, o.result.offset]), [['B', 8], ['C', 9]]);
});
