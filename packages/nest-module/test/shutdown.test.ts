import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOutboxError, type Outbox, type Relay, type RelayStats } from '@txmq/outbox';
import type { Kysely } from 'kysely';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, resolveOptions, type TxmqModuleOptions } from '../src/options.js';
import { Deadline } from '../src/shutdown/deadline.js';
import { describeInFlight } from '../src/shutdown/describe-in-flight.js';
import { relayCatchUp } from '../src/shutdown/relay-catch-up.js';
import { ManualClock } from './manual-clock.js';

const db = { transaction: () => undefined } as unknown as Kysely<any>;
const never = new Promise<void>(() => undefined);
const unexpected = (error: unknown): never => assert.fail(`unexpected failure: ${String(error)}`);

/** Lets pending promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('shutdownTimeoutMs', () => {
  it(`defaults to ${DEFAULT_SHUTDOWN_TIMEOUT_MS} ms and takes a positive integer`, () => {
    assert.equal(resolveOptions({ endpoints: '127.0.0.1:1', db }).shutdownTimeoutMs, 30_000);
    assert.equal(resolveOptions({ endpoints: '127.0.0.1:1', db, shutdownTimeoutMs: 1 }).shutdownTimeoutMs, 1);
  });

  for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 31, '5000', null]) {
    it(`refuses ${String(bad)} with an InvalidOptionsError naming it`, () => {
      assert.throws(
        () => resolveOptions({ endpoints: '127.0.0.1:1', db, shutdownTimeoutMs: bad } as unknown as TxmqModuleOptions),
        (error: unknown) => isOutboxError(error, 'INVALID_OPTIONS') && (error as { option?: string }).option === 'shutdownTimeoutMs',
      );
    });
  }
});

describe('Deadline', () => {
  it('within() is true when the work settles first (a failure goes to onError), false when the deadline passes first', async () => {
    const clock = new ManualClock();
    const deadline = new Deadline(clock, 1000);
    assert.equal(await deadline.within(Promise.resolve(), unexpected), true);
    const errors: unknown[] = [];
    assert.equal(await deadline.within(Promise.reject(new Error('boom')), (e) => errors.push(e)), true);
    assert.match(String(errors[0]), /boom/);
    const waiting = deadline.within(never, unexpected);
    clock.advance(999);
    assert.equal(deadline.expired, false);
    assert.equal(deadline.remainingMs(), 1);
    clock.advance(1);
    assert.equal(await waiting, false);
    assert.equal(deadline.expired, true);
    assert.equal(await deadline.within(never, unexpected), false, 'once passed, nothing is waited for');
    deadline.dispose();
    assert.equal(clock.pending, 0);
  });

  it('sleep() resolves true after its time, false when the deadline cuts it short', async () => {
    const clock = new ManualClock();
    const deadline = new Deadline(clock, 100);
    const short = deadline.sleep(30);
    clock.advance(30);
    assert.equal(await short, true);
    const long = deadline.sleep(500);
    clock.advance(70);
    assert.equal(await long, false);
    deadline.dispose();
  });
});

describe('describeInFlight', () => {
  it('names the groups, handlers and messages still running', () => {
    assert.equal(describeInFlight([]), undefined);
    const text = describeInFlight([
      { group: 'g1', messages: [{ handler: 'A.on', messageId: 'm1', receivedAt: 0 }, { handler: 'A.on', messageId: 'm2', receivedAt: 0 }] },
      { group: 'g2', messages: [{ handler: 'B.on', messageId: 'm3', receivedAt: 0 }] },
    ]);
    assert.equal(text, '2 handlers of group g1 still running (A.on: messages m1, m2); 1 handler of group g2 still running (B.on: message m3)');
  });
});

describe('relayCatchUp', () => {
  function fakes(due: number) {
    let claimed = 0;
    const outbox = { stats: async () => ({ due }) } as unknown as Outbox;
    const relay = { stats: () => ({ claimed }) as RelayStats } as unknown as Relay;
    return { outbox, relay, claim: (n: number) => (claimed += n) };
  }
  /** Runs `catchUp` to its end, moving the clock 20 ms at a time and calling `step` before each move. */
  async function drive(clock: ManualClock, catchUp: Promise<string>, step: (i: number) => void = () => undefined): Promise<string> {
    let outcome: string | undefined;
    void catchUp.then((o) => (outcome = o));
    for (let i = 0; outcome === undefined && i < 1000; i++) {
      await settle();
      step(i);
      clock.advance(20);
    }
    await settle();
    return outcome ?? 'never ended';
  }

  it('is caught up once the relay claimed as many rows as were due', async () => {
    const clock = new ManualClock();
    const { outbox, relay, claim } = fakes(3);
    const outcome = await drive(clock, relayCatchUp(outbox, relay, new Deadline(clock, 10_000), 200), (i) => i < 3 && claim(1));
    assert.equal(outcome, 'caught-up');
    assert.equal(await relayCatchUp(fakes(0).outbox, fakes(0).relay, new Deadline(clock, 10_000), 200), 'caught-up', 'nothing due: at once');
  });

  it('gives up when the relay claims nothing for stallMs, or at the deadline', async () => {
    const clock = new ManualClock();
    const stalled = fakes(5);
    const start = clock.now();
    assert.equal(await drive(clock, relayCatchUp(stalled.outbox, stalled.relay, new Deadline(clock, 10_000), 200)), 'stalled');
    assert.ok(clock.now() - start <= 260, String(clock.now() - start));
    const busy = fakes(1_000_000);
    assert.equal(await drive(clock, relayCatchUp(busy.outbox, busy.relay, new Deadline(clock, 500), 200), () => busy.claim(1)), 'deadline');
  });
});
