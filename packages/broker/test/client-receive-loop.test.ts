import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReceiveLoop, receiveBackoffMs } from '../src/client/consumer/receive-loop.js';
import { BrokerRefusedError, BrokerUnreachableError } from '../src/errors.js';
import { STATUS_CODES } from '../src/status-codes.js';

const tick = () => new Promise((r) => setImmediate(r));

/** Long polls the test answers, and sleeps the test ends. */
function harness(parallel: number) {
  const polls: Array<{ signal: AbortSignal; attemptId: string; answer: (items: number[]) => void; fail: (e: unknown) => void }> = [];
  const sleeps: Array<{ ms: number; wake: () => void }> = [];
  const delivered: number[][] = [];
  const errors: Array<[unknown, number]> = [];
  let room: Promise<void> = Promise.resolve();
  const loop = new ReceiveLoop<number>({
    parallel,
    receive: (signal, attemptId) => new Promise((answer, fail) => {
      polls.push({ signal, attemptId, answer, fail });
      signal.addEventListener('abort', () => answer([]), { once: true });
    }),
    deliver: (items) => delivered.push([...items]),
    room: () => room,
    sleep: (ms, signal) => new Promise((wake) => {
      sleeps.push({ ms, wake });
      signal.addEventListener('abort', () => wake(), { once: true });
    }),
    onError: (error, failures) => errors.push([error, failures]),
  });
  return { loop, polls, sleeps, delivered, errors, setRoom: (p: Promise<void>) => { room = p; } };
}

test('keeps `parallel` long polls in flight and polls again after each answer', async () => {
  const h = harness(2);
  h.loop.start();
  await tick();
  assert.equal(h.polls.length, 2);
  h.polls[0]!.answer([1, 2]);
  await tick();
  assert.deepEqual(h.delivered, [[1, 2]]);
  assert.equal(h.polls.length, 3);
  h.polls[1]!.answer([]);
  await tick();
  assert.deepEqual(h.delivered, [[1, 2]], 'an empty answer delivers nothing');
  assert.equal(h.polls.length, 4);
  await h.loop.stop();
});

test('waits for room before polling', async () => {
  const h = harness(1);
  let open!: () => void;
  h.setRoom(new Promise((resolve) => { open = resolve; }));
  h.loop.start();
  await tick();
  assert.equal(h.polls.length, 0);
  open();
  await tick();
  assert.equal(h.polls.length, 1);
  await h.loop.stop();
});

test('backs off after failures, doubling, and resets after a success', async () => {
  const h = harness(1);
  h.loop.start();
  await tick();
  const gone = new BrokerUnreachableError('x:1', 'down');
  h.polls[0]!.fail(gone);
  await tick();
  assert.deepEqual(h.sleeps.map((s) => s.ms), [100]);
  assert.deepEqual(h.errors, [[gone, 1]]);
  h.sleeps[0]!.wake();
  await tick();
  h.polls[1]!.fail(gone);
  await tick();
  assert.deepEqual(h.sleeps.map((s) => s.ms), [100, 200]);
  h.sleeps[1]!.wake();
  await tick();
  h.polls[2]!.answer([7]);
  await tick();
  h.polls[3]!.fail(gone);
  await tick();
  assert.deepEqual(h.sleeps.map((s) => s.ms), [100, 200, 100]);
  assert.deepEqual(h.errors.map(([, n]) => n), [1, 2, 1]);
  assert.equal(h.polls[1]!.attemptId, h.polls[0]!.attemptId, 'a retry keeps the attempt id');
  assert.equal(h.polls[2]!.attemptId, h.polls[0]!.attemptId);
  assert.notEqual(h.polls[3]!.attemptId, h.polls[2]!.attemptId, 'a new poll after a success has a new one');
  await h.loop.stop();
});

test('the backoff is capped, and short when the broker is throttling', () => {
  assert.equal(receiveBackoffMs(new Error('x'), 30), 3000);
  assert.equal(receiveBackoffMs(new BrokerRefusedError(STATUS_CODES.TOO_MANY_REQUESTS, 'busy'), 5), 20);
});

test('stop() aborts the polls in flight and the backoff, resolves when every poller returned, and nothing is delivered after', async () => {
  const h = harness(2);
  h.loop.start();
  await tick();
  h.polls[0]!.fail(new Error('x'));
  await tick();
  assert.equal(h.sleeps.length, 1);
  await h.loop.stop();
  assert.ok(h.polls.every((p) => p.signal.aborted));
  const count = h.polls.length;
  await tick();
  assert.equal(h.polls.length, count);
  assert.deepEqual(h.delivered, []);
  await h.loop.stop();
});

test('stop() also ends a poller waiting for room', async () => {
  const h = harness(1);
  h.setRoom(new Promise(() => undefined));
  h.loop.start();
  await tick();
  await h.loop.stop();
  assert.equal(h.polls.length, 0);
});
