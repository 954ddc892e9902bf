import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PublishError } from '../src/errors.js';
import { PublishWindow, type PublishResult, type WindowRow } from '../src/relay/publish-window.js';
import { FakeClock } from './fixtures/fake-clock.js';

/** A transport whose publishes settle only when the test says so. */
class ManualTransport {
  readonly started: string[] = [];
  readonly #pending = new Map<string, { resolve: (receipt: unknown) => void; reject: (error: unknown) => void }>();

  publish(row: WindowRow): Promise<unknown> {
    this.started.push(row.id);
    return new Promise((resolve, reject) => this.#pending.set(row.id, { resolve, reject }));
  }

  running(): string[] {
    return [...this.#pending.keys()];
  }

  async succeed(id: string): Promise<void> {
    this.#take(id).resolve({ transportMessageId: `t-${id}` });
    await settle();
  }

  async fail(id: string, error: unknown = new Error('refused')): Promise<void> {
    this.#take(id).reject(error);
    await settle();
  }

  #take(id: string) {
    const pending = this.#pending.get(id);
    assert.ok(pending, `row ${id} is not being published`);
    this.#pending.delete(id);
    return pending;
  }
}

/** Lets the window's promise chains run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

function row(id: number, messageGroup?: string): WindowRow {
  return { id: String(id), messageGroup };
}

function windowOn(transport: ManualTransport, options: { maxInFlight?: number; timeoutMs?: number; clock?: FakeClock } = {}) {
  const settled: { id: string; result: PublishResult }[] = [];
  const released: string[] = [];
  let notified = 0;
  const window = new PublishWindow<WindowRow>({
    maxInFlight: options.maxInFlight ?? 8,
    timeoutMs: options.timeoutMs ?? 10_000,
    clock: options.clock ?? new FakeClock(),
    publish: (r) => transport.publish(r),
    settle: (r, result) => {
      settled.push({ id: r.id, result });
      return result.ok;
    },
    release: (r) => released.push(r.id),
    onSettled: () => notified++,
  });
  return { window, settled, released, notified: () => notified };
}

test('rows without a group are all published at once, one lane each, and free counts the lanes', async () => {
  const transport = new ManualTransport();
  const { window, settled, notified } = windowOn(transport, { maxInFlight: 4 });
  window.admit([row(1), row(2), row(3)]);
  // The publishes start synchronously, so a batching producer sees them in the same tick.
  assert.deepEqual(transport.started, ['1', '2', '3']);
  assert.equal(window.inFlight, 3);
  assert.equal(window.held, 3);
  assert.equal(window.free, 1);
  await transport.succeed('2');
  assert.deepEqual(settled.map((s) => s.id), ['2']);
  assert.deepEqual(settled[0]?.result, { ok: true, receipt: { transportMessageId: 't-2' } });
  assert.equal(window.free, 2);
  assert.equal(notified(), 1);
  await transport.succeed('1');
  await transport.succeed('3');
  assert.equal(window.held, 0);
  await window.idle();
});

test('a group publishes one row at a time in id order while other groups and ungrouped rows run beside it', async () => {
  const transport = new ManualTransport();
  const { window, settled } = windowOn(transport);
  window.admit([row(1, 'a'), row(2, 'b'), row(3, 'a'), row(4), row(5, 'a'), row(6, 'b')]);
  assert.deepEqual(transport.running(), ['1', '2', '4'], 'one head per group, every ungrouped row');
  assert.equal(window.inFlight, 3, 'a group is one lane however many rows wait in it');
  assert.equal(window.held, 6);
  await transport.succeed('1');
  assert.deepEqual(transport.running(), ['2', '4', '3'], 'the next row of a starts only after the previous one settled');
  // Rows admitted later for a group still running queue behind it.
  window.admit([row(7, 'a')]);
  await transport.succeed('3');
  await transport.succeed('5');
  assert.deepEqual(transport.running(), ['2', '4', '7']);
  await transport.succeed('7');
  await transport.succeed('2');
  await transport.succeed('6');
  await transport.succeed('4');
  assert.deepEqual(transport.started, ['1', '2', '4', '3', '5', '7', '6']);
  const groupA = new Set(['1', '3', '5', '7']);
  assert.deepEqual(settled.map((s) => s.id).filter((id) => groupA.has(id)), ['1', '3', '5', '7']);
  assert.equal(window.held, 0);
  assert.equal(window.inFlight, 0);
  await window.idle();
});

test('a failed row stops its group: the later rows are released unattempted, other lanes go on', async () => {
  const transport = new ManualTransport();
  const { window, settled, released } = windowOn(transport);
  window.admit([row(1, 'a'), row(2, 'a'), row(3, 'a'), row(4, 'b'), row(5)]);
  const idle = window.idle();
  await transport.fail('1');
  assert.deepEqual(released, ['2', '3']);
  assert.deepEqual(settled.map((s) => [s.id, s.result.ok]), [['1', false]]);
  assert.deepEqual(transport.running(), ['4', '5']);
  assert.equal(window.held, 2);
  // The group is free again: a later claim of it starts a new lane.
  window.admit([row(2, 'a')]);
  assert.deepEqual(transport.running(), ['4', '5', '2']);
  await transport.succeed('4');
  await transport.succeed('5');
  await transport.succeed('2');
  await idle;
  assert.equal(window.held, 0);
});

test('a publish not settled within timeoutMs fails as an outage and frees its lane; its late answer is ignored', async () => {
  const clock = new FakeClock();
  const transport = new ManualTransport();
  const { window, settled, released } = windowOn(transport, { clock, timeoutMs: 1_000 });
  window.admit([row(1, 'a'), row(2, 'a'), row(3)]);
  await clock.advance(999);
  assert.equal(settled.length, 0);
  await transport.succeed('3');
  await clock.advance(1);
  await settle();
  const timedOut = settled.find((s) => s.id === '1')?.result;
  assert.ok(timedOut !== undefined && !timedOut.ok);
  assert.ok(timedOut.error instanceof PublishError);
  assert.equal(timedOut.error.transportCode, 'PUBLISH_TIMEOUT');
  assert.equal(timedOut.error.unavailable, true);
  assert.deepEqual(released, ['2']);
  assert.equal(window.inFlight, 0);
  await transport.succeed('1');
  assert.equal(settled.length, 2, 'the late success is not recorded a second time');
  await window.idle();
});

test('a publisher that throws synchronously fails that row only', async () => {
  const settled: string[] = [];
  const window = new PublishWindow<WindowRow>({
    maxInFlight: 4,
    timeoutMs: 1_000,
    clock: new FakeClock(),
    publish: (r) => {
      if (r.id === '1') throw new Error('boom');
      return Promise.resolve(undefined);
    },
    settle: (r, result) => {
      settled.push(`${r.id}:${result.ok}`);
      return result.ok;
    },
    release: () => assert.fail('nothing waits behind these rows'),
  });
  window.admit([row(1), row(2)]);
  await window.idle();
  assert.deepEqual(settled.sort(), ['1:false', '2:true']);
});
