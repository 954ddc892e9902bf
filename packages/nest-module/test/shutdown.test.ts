import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOutboxError } from '@txmq/outbox';
import type { Kysely } from 'kysely';
import { HandlerAbandonedError } from '../src/consumers/abandoned.js';
import { TxmqNestError } from '../src/errors.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, resolveOptions, type TxmqModuleOptions } from '../src/options.js';
import { Deadline } from '../src/shutdown/deadline.js';
import { describeInFlight } from '../src/shutdown/describe-in-flight.js';
import { CATCH_UP_POLL_MS, relayCatchUp } from '../src/shutdown/relay-catch-up.js';
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

describe('HandlerAbandonedError', () => {
  it('is a TxmqNestError with code HANDLER_ABANDONED naming the handler and the message', () => {
    const error = new HandlerAbandonedError('Billing.onOrder', 'm-1');
    assert.ok(error instanceof TxmqNestError);
    assert.equal(error.code, 'HANDLER_ABANDONED');
    assert.match(error.message, /^Billing\.onOrder: message m-1 had not been handled when shutdownTimeoutMs passed/);
  });
});

describe('relayCatchUp', () => {
  /** Rows left and the relay's claims, as the test sets them. */
  function fakes(rows: number) {
    const state = { left: rows, claimed: 0, counted: 0 };
    const left = async () => {
      state.counted += 1;
      return state.left;
    };
    const relay = { stats: () => ({ claimed: state.claimed }) };
    return { state, left, relay };
  }
  /** Runs `catchUp` to its end, moving the clock one poll at a time and calling `step` before each move. */
  async function drive(clock: ManualClock, catchUp: Promise<string>, step: (i: number) => void = () => undefined): Promise<string> {
    let outcome: string | undefined;
    void catchUp.then((o) => (outcome = o));
    for (let i = 0; i < 1000; i++) {
      await settle();
      if (outcome !== undefined) return outcome;
      step(i);
      clock.advance(CATCH_UP_POLL_MS);
    }
    return 'never ended';
  }

  it('nothing left: caught up at once, after one count', async () => {
    const clock = new ManualClock();
    const { state, left, relay } = fakes(0);
    assert.equal(await relayCatchUp(left, relay, new Deadline(clock, 10_000), 200), 'caught-up');
    assert.equal(state.counted, 1);
  });

  it('is caught up once no row is left, however long the relay takes while it makes progress', async () => {
    const clock = new ManualClock();
    const { state, left, relay } = fakes(3);
    // A claim every third poll: each idle stretch (2 polls, 100 ms) stays below stallMs.
    const outcome = await drive(clock, relayCatchUp(left, relay, new Deadline(clock, 10_000), 150), (i) => {
      if (i % 3 === 2) state.left -= 1;
    });
    assert.equal(outcome, 'caught-up');
    assert.equal(state.left, 0);
  });

  it('claims of other rows count as progress (the rows may wait behind a backlog)', async () => {
    const clock = new ManualClock();
    const { state, left, relay } = fakes(1);
    const start = clock.now();
    const outcome = await drive(clock, relayCatchUp(left, relay, new Deadline(clock, 10_000), 100), (i) => {
      if (i < 20) state.claimed += 1;
      else state.left = 0;
    });
    assert.equal(outcome, 'caught-up');
    assert.ok(clock.now() - start >= 20 * CATCH_UP_POLL_MS);
  });

  it('gives up when neither the rows left nor the claims change for stallMs, or at the deadline', async () => {
    const clock = new ManualClock();
    const stalled = fakes(5);
    const start = clock.now();
    assert.equal(await drive(clock, relayCatchUp(stalled.left, stalled.relay, new Deadline(clock, 10_000), 200)), 'stalled');
    assert.equal(clock.now() - start, 200);
    const busy = fakes(1_000_000);
    const deadlineStart = clock.now();
    assert.equal(await drive(clock, relayCatchUp(busy.left, busy.relay, new Deadline(clock, 500), 200), () => (busy.state.claimed += 1)), 'deadline');
    assert.equal(clock.now() - deadlineStart, 500);
  });
});
