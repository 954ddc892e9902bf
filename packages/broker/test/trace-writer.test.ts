import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino, type Logger } from 'pino';
import { TraceWriter } from '../src/core/trace/trace-writer.js';
import type { MessageEvent } from '../src/core/views/index.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { CountingStore } from './counting-store.js';
import { FailingStore } from './failing-store.js';
import { silentLog, testClock } from './helpers.js';
import { until } from './trace-stores.js';

const ALL = { enabled: true, retentionMs: 0 };

function event(messageId: string, at = 1): MessageEvent {
  return { type: 'acked', messageId, topic: 't', at, group: 'G', attempt: 1 };
}

/** A logger that keeps what it is given. */
function capturingLog(): { log: Logger; lines: { level: number; msg: string; [field: string]: unknown }[] } {
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

test('a write the store refuses is retried with backoff until it lands, in order; the failure is logged once, the recovery too', async () => {
  const store = new FailingStore(new MemoryStore());
  const { log, lines } = capturingLog();
  const writer = new TraceWriter(store, ALL, log, { retryMs: 5, retryMaxMs: 20 });
  try {
    store.failNext = 3;
    for (let i = 0; i < 3; i++) writer.add(event('m', i));
    assert.equal(writer.pending('m').length, 3, 'buffered meanwhile, and part of the trace');
    await until(() => store.lastTraceSeq() === 3);
    assert.deepEqual(store.readTrace('m').map((e) => e.at), [0, 1, 2]);
    assert.equal(writer.pending('m').length, 0);
    assert.equal(writer.dropped(), 0);
    assert.equal(lines.filter((l) => l.msg.startsWith('writing trace events failed')).length, 1, 'the first failure is logged, not every retry');
    assert.ok(lines.some((l) => l.msg === 'trace events are written again' && l.failures === 3));
  } finally {
    await writer.close();
  }
});

test('a full buffer drops its oldest events in chunks and counts them; what it holds stays bounded', async () => {
  const store = new FailingStore(new MemoryStore());
  store.failNext = Infinity;
  const writer = new TraceWriter(store, ALL, silentLog, { retryMs: 60_000 });
  try {
    const added = 230_000;
    const started = performance.now();
    for (let i = 0; i < added; i++) writer.add(event('m', i));
    const ms = performance.now() - started;
    const held = writer.pending('m');
    assert.ok(held.length <= 200_000, `at most 200000 held, got ${held.length}`);
    assert.equal(held.length + writer.dropped(), added, 'every event is held or counted as dropped');
    assert.equal(held[0]!.at, writer.dropped(), 'the oldest went');
    assert.equal(held.at(-1)!.at, added - 1, 'the newest are kept');
    assert.ok(ms < 2000, `adding to a full buffer stays cheap (${ms.toFixed(0)} ms for ${added} adds)`);
  } finally {
    await writer.close();
  }
});

test('close against a store that refuses writes: resolves, logs what was lost, counts it; a later event is counted and not recorded', async () => {
  const store = new FailingStore(new MemoryStore());
  store.failNext = Infinity;
  const { log, lines } = capturingLog();
  const writer = new TraceWriter(store, ALL, log, { retryMs: 5 });
  for (let i = 0; i < 10; i++) writer.add(event('m', i));
  await writer.close();
  assert.equal(writer.dropped(), 10);
  assert.ok(lines.some((l) => l.level >= 50 && l.unwritten === 10 && String(l.msg).startsWith('trace events were lost')), JSON.stringify(lines));
  writer.add(event('late'));
  writer.add(event('late'));
  assert.equal(writer.dropped(), 12);
  assert.equal(lines.filter((l) => String(l.msg).includes('after the trace writer closed')).length, 1, 'warned once');
  assert.equal(store.lastTraceSeq(), 0);
  assert.deepEqual(writer.pending('late'), []);
});

test('close writes what is buffered at once, without waiting for the gather timer', async () => {
  const store = new MemoryStore();
  const writer = new TraceWriter(store, ALL, silentLog);
  writer.add(event('m'));
  const started = performance.now();
  await writer.close();
  assert.equal(store.readTrace('m').length, 1);
  assert.ok(performance.now() - started < 1000);
});

test('a full commit worth of events is written at once; fewer wait 10 ms to gather', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const store = new CountingStore();
  const writer = new TraceWriter(store, ALL, silentLog);
  try {
    writer.add(event('a'));
    t.mock.timers.tick(0);
    assert.equal(store.commits.length, 0, 'one event gathers');
    for (let i = 1; i < 4096; i++) writer.add(event('a'));
    t.mock.timers.tick(0);
    assert.equal(store.commits.length, 1, 'written without the 10 ms gather once 4096 are buffered');
    assert.equal(store.commits[0]!.trace?.length, 4096);
  } finally {
    t.mock.timers.reset();
  }
});

test('each trace write drops twice its size of the events older than the retention', async () => {
  const clock = testClock();
  const store = new MemoryStore();
  const writer = new TraceWriter(store, { enabled: true, retentionMs: 1000 }, silentLog, { now: clock.now });
  try {
    for (let i = 0; i < 5; i++) {
      writer.add(event(`old-${i}`, clock.now()));
      await until(() => store.lastTraceSeq() === i + 1);
    }
    clock.advance(1001);
    writer.add(event('new', clock.now()));
    await until(() => store.lastTraceSeq() === 6);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => store.readTrace(`old-${i}`).length), [0, 0, 1, 1, 1]);
    await writer.trim();
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => store.readTrace(`old-${i}`).length), [0, 0, 0, 0, 0], 'a pass drops the rest');
    assert.equal(store.readTrace('new').length, 1);
  } finally {
    await writer.close();
  }
});
