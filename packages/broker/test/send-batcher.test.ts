import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SendBatcher } from '../src/client/producer/send-batcher.js';

interface Item { readonly name: string; readonly bytes: number }

/** A batcher whose dispatches stay in flight until the test completes them. */
function controlled(maxMessages: number, maxBytes: number) {
  const batches: string[][] = [];
  const completions: Array<() => void> = [];
  const batcher = new SendBatcher<Item>(() => ({ maxMessages, maxBytes }), (batch) => {
    batches.push(batch.map((i) => i.name));
    return new Promise<void>((resolve) => completions.push(resolve));
  });
  const complete = async (index: number) => {
    completions[index]!();
    await new Promise(setImmediate);
  };
  return { batcher, batches, complete };
}

const item = (name: string, bytes = 1): Item => ({ name, bytes });

test('an idle batcher dispatches at once; what arrives meanwhile goes together when the request completes', async () => {
  const { batcher, batches, complete } = controlled(10, 1000);
  batcher.add(item('a'));
  assert.deepEqual(batches, [['a']]);
  batcher.add(item('b'));
  batcher.add(item('c'));
  assert.deepEqual(batches, [['a']], 'queued while a request is in flight');
  await complete(0);
  assert.deepEqual(batches, [['a'], ['b', 'c']]);
  await complete(1);
  batcher.add(item('d'));
  assert.deepEqual(batches.at(-1), ['d'], 'idle again: no added latency');
});

test('a queue that fills a batch by count or by bytes is dispatched without waiting; a message larger than maxBytes goes alone', async () => {
  const byCount = controlled(2, 1000);
  byCount.batcher.add(item('a'));
  byCount.batcher.add(item('b'));
  assert.equal(byCount.batches.length, 1);
  byCount.batcher.add(item('c'));
  assert.deepEqual(byCount.batches, [['a'], ['b', 'c']]);

  const byBytes = controlled(100, 10);
  byBytes.batcher.add(item('a'));
  byBytes.batcher.add(item('b', 6));
  byBytes.batcher.add(item('c', 6));
  assert.deepEqual(byBytes.batches, [['a'], ['b']], 'b and c together exceed maxBytes: b goes, c waits');
  byBytes.batcher.add(item('huge', 50));
  await byBytes.complete(0);
  assert.deepEqual(byBytes.batches.slice(2), [['c'], ['huge']]);
});
