import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dispatcher } from '../src/client/consumer/dispatcher.js';

interface Item { readonly id: string; readonly group?: string }

/** A dispatcher whose runs finish when the test says. */
function manual(concurrency: number) {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const dispatcher = new Dispatcher<Item>({
    concurrency,
    groupOf: (item) => item.group,
    run: (item) => new Promise<void>((resolve) => {
      started.push(item.id);
      finishers.set(item.id, resolve);
    }),
  });
  const finish = async (id: string) => {
    finishers.get(id)!();
    await new Promise((r) => setImmediate(r));
  };
  return { dispatcher, started, finish };
}

test('at most `concurrency` items run at once; the next starts when one finishes', async () => {
  const { dispatcher, started, finish } = manual(2);
  for (const id of ['a', 'b', 'c', 'd']) dispatcher.push({ id });
  assert.deepEqual(started, ['a', 'b']);
  assert.equal(dispatcher.running, 2);
  assert.equal(dispatcher.queued, 2);
  await finish('b');
  assert.deepEqual(started, ['a', 'b', 'c']);
  await finish('a');
  await finish('c');
  await finish('d');
  assert.deepEqual(started, ['a', 'b', 'c', 'd']);
  assert.equal(dispatcher.running + dispatcher.queued, 0);
});

test('items of one group run one at a time in order; an item waiting for its group takes no slot', async () => {
  const { dispatcher, started, finish } = manual(3);
  dispatcher.push({ id: 'g1', group: 'g' });
  dispatcher.push({ id: 'g2', group: 'g' });
  dispatcher.push({ id: 'g3', group: 'g' });
  dispatcher.push({ id: 'h1', group: 'h' });
  dispatcher.push({ id: 'x' });
  assert.deepEqual(started, ['g1', 'h1', 'x']);
  await finish('h1');
  assert.deepEqual(started, ['g1', 'h1', 'x'], 'g2 waits for g1');
  await finish('g1');
  assert.deepEqual(started, ['g1', 'h1', 'x', 'g2']);
  dispatcher.push({ id: 'h2', group: 'h' });
  assert.deepEqual(started.at(-1), 'h2');
  await finish('g2');
  assert.deepEqual(started.at(-1), 'g3');
});

test('a failing run is reported and the group goes on', async () => {
  const errors: string[] = [];
  const ran: string[] = [];
  const dispatcher = new Dispatcher<Item>({
    concurrency: 1,
    groupOf: (item) => item.group,
    run: async (item) => {
      ran.push(item.id);
      if (item.id === 'a') throw new Error('bad');
    },
    onError: (error, item) => errors.push(`${item.id}: ${(error as Error).message}`),
  });
  dispatcher.push({ id: 'a', group: 'g' });
  dispatcher.push({ id: 'b', group: 'g' });
  await new Promise((r) => setImmediate(r));
  await dispatcher.idle();
  assert.deepEqual(ran, ['a', 'b']);
  assert.deepEqual(errors, ['a: bad']);
});

test('whenBelow waits for room; stop() returns what had not started, starts nothing more, and idle() waits for the running', async () => {
  const { dispatcher, started, finish } = manual(1);
  dispatcher.push({ id: 'a', group: 'g' });
  dispatcher.push({ id: 'b', group: 'g' });
  dispatcher.push({ id: 'c' });
  let room = false;
  void dispatcher.whenBelow(3).then(() => {
    room = true;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(room, false);
  const dropped = dispatcher.stop();
  assert.deepEqual(dropped.map((i) => i.id).sort(), ['b', 'c']);
  await new Promise((r) => setImmediate(r));
  assert.equal(room, true, 'stopping wakes the waiters');
  let idle = false;
  void dispatcher.idle().then(() => {
    idle = true;
  });
  dispatcher.push({ id: 'd' });
  await new Promise((r) => setImmediate(r));
  assert.equal(idle, false);
  await finish('a');
  assert.equal(idle, true);
  assert.deepEqual(started, ['a']);
});
