import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckBatcher, type AckEntry, type AckTarget } from '../src/client/consumer/ack-batcher.js';
import type { AckMessageResponse } from '../src/wire/types.js';
import { BrokerRefusedError, BrokerUnreachableError } from '../src/errors.js';
import { STATUS_CODES } from '../src/status-codes.js';

const OK = { code: STATUS_CODES.OK, message: 'OK' };
const target: AckTarget = { topic: 'orders', endpoint: '127.0.0.1:1' };
const entry = (n: number): AckEntry => ({ messageId: `m${n}`, receiptHandle: `h${n}` });

/** A sender whose calls are answered by the test. */
function manualSender() {
  const calls: Array<{ target: AckTarget; entries: readonly AckEntry[]; answer: (r: AckMessageResponse) => void; fail: (e: unknown) => void }> = [];
  const send = (t: AckTarget, entries: readonly AckEntry[]) =>
    new Promise<AckMessageResponse>((answer, fail) => calls.push({ target: t, entries, answer, fail }));
  return { calls, send };
}

const allOk = (entries: readonly AckEntry[]): AckMessageResponse => ({ status: OK, entries: entries.map((e) => ({ ...e, status: OK })) });
const settledState = async (p: Promise<unknown>) => Promise.race([p.then(() => 'resolved', () => 'rejected'), new Promise((r) => setImmediate(() => r('pending')))]);

test('the first ack goes at once; acks made while it is in flight go together in the next request', async () => {
  const { calls, send } = manualSender();
  const batcher = new AckBatcher(send);
  const first = batcher.ack(target, entry(1));
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0]!.entries, [entry(1)]);
  const later = [2, 3, 4].map((n) => batcher.ack(target, entry(n)));
  assert.equal(calls.length, 1, 'nothing more is sent while a request is in flight');
  calls[0]!.answer(allOk(calls[0]!.entries));
  await first;
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[1]!.entries, [entry(2), entry(3), entry(4)]);
  calls[1]!.answer(allOk(calls[1]!.entries));
  await Promise.all(later);
  assert.equal(batcher.outstanding, 0);
  await batcher.idle();
});

test('acks of different topics or brokers go in separate requests, each sent at once', () => {
  const { calls, send } = manualSender();
  const batcher = new AckBatcher(send);
  void batcher.ack(target, entry(1));
  void batcher.ack({ ...target, topic: 'other' }, entry(2));
  void batcher.ack({ ...target, endpoint: '127.0.0.1:2' }, entry(3));
  assert.deepEqual(calls.map((c) => [c.target.topic, c.target.endpoint, c.entries.length]), [
    ['orders', '127.0.0.1:1', 1], ['other', '127.0.0.1:1', 1], ['orders', '127.0.0.1:2', 1],
  ]);
});

test('results are matched by receipt handle, or message id, not by position; each ack settles with its own', async () => {
  const { calls, send } = manualSender();
  const batcher = new AckBatcher(send);
  void batcher.ack(target, entry(0)).catch(() => undefined);
  const acks = [1, 2, 3].map((n) => batcher.ack(target, entry(n)));
  calls[0]!.answer(allOk(calls[0]!.entries));
  await new Promise((r) => setImmediate(r));
  calls[1]!.answer({
    status: { code: STATUS_CODES.MULTIPLE_RESULTS, message: 'mixed' },
    entries: [
      { messageId: 'm3', receiptHandle: 'h3', status: OK },
      { messageId: 'm1', receiptHandle: 'h1', status: { code: STATUS_CODES.INVALID_RECEIPT_HANDLE, message: 'expired' } },
      { messageId: 'm2', status: OK },
    ],
  });
  const [one, two, three] = await Promise.allSettled(acks);
  assert.equal(one!.status, 'rejected');
  const error = (one as PromiseRejectedResult).reason as BrokerRefusedError;
  assert.ok(error instanceof BrokerRefusedError);
  assert.equal(error.code, 'INVALID_RECEIPT_HANDLE');
  assert.match(error.message, /m1.*expired/);
  assert.equal(two!.status, 'fulfilled');
  assert.equal(three!.status, 'fulfilled');
});

test('an answer without entries settles every ack by its top-level status', async () => {
  const { calls, send } = manualSender();
  const batcher = new AckBatcher(send);
  const ok = batcher.ack(target, entry(1));
  calls[0]!.answer({ status: OK });
  await ok;
  const refused = batcher.ack(target, entry(2));
  await new Promise((r) => setImmediate(r));
  calls[1]!.answer({ status: { code: STATUS_CODES.FORBIDDEN, message: 'no' } });
  await assert.rejects(refused, (e: unknown) => e instanceof BrokerRefusedError && e.code === 'FORBIDDEN');
  const mixed = batcher.ack(target, entry(3));
  await new Promise((r) => setImmediate(r));
  calls[2]!.answer({ status: { code: STATUS_CODES.MULTIPLE_RESULTS, message: '' }, entries: [{ messageId: 'other', receiptHandle: 'x', status: OK }] });
  await assert.rejects(mixed, (e: unknown) => e instanceof BrokerRefusedError && /no entry for message m3/.test(e.message));
  const bare = batcher.ack(target, entry(4));
  await new Promise((r) => setImmediate(r));
  calls[3]!.answer({ status: { code: STATUS_CODES.MULTIPLE_RESULTS, message: '' }, entries: [{ messageId: 'm4', receiptHandle: 'h4' }] });
  await assert.rejects(bare, (e: unknown) => e instanceof BrokerRefusedError && /an entry without a status for message m4/.test(e.message));
});

test('a failed call rejects every ack of its batch with the call\'s error, and the next batch still goes', async () => {
  const { calls, send } = manualSender();
  const batcher = new AckBatcher(send);
  const first = batcher.ack(target, entry(1));
  const second = batcher.ack(target, entry(2));
  const failure = new BrokerUnreachableError(target.endpoint, 'gone');
  calls[0]!.fail(failure);
  await assert.rejects(first, (e) => e === failure);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.length, 2);
  assert.equal(await settledState(second), 'pending');
  calls[1]!.answer(allOk(calls[1]!.entries));
  await second;
});

test('a full batch is sent without waiting for the request in flight, and no request is ever empty', async () => {
  const { calls, send } = manualSender();
  const batcher = new AckBatcher(send, 2);
  const acks = [1, 2, 3, 4, 5, 6].map((n) => batcher.ack(target, entry(n)));
  assert.deepEqual(calls.map((c) => c.entries.map((e) => e.messageId)), [['m1'], ['m2', 'm3'], ['m4', 'm5']]);
  for (const c of calls.splice(0)) c.answer(allOk(c.entries));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls.map((c) => c.entries.map((e) => e.messageId)), [['m6']]);
  calls[0]!.answer(allOk(calls[0]!.entries));
  await Promise.all(acks);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.length, 1, 'no empty request after the last batch');
});

test('a sender that throws synchronously rejects its batch', async () => {
  const batcher = new AckBatcher(() => {
    throw new Error('boom');
  });
  await assert.rejects(batcher.ack(target, entry(1)), /boom/);
  assert.equal(batcher.outstanding, 0);
});
