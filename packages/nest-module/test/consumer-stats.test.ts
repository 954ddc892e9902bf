import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReceivedMessage } from '@txmq/broker/client';
import { deliveryLag, GroupStats } from '../src/consumers/consumer-stats.js';
import { consumerProblems } from '../src/health/consumer-health.js';
import { ManualClock } from './manual-clock.js';

function message(bornAt: number, extra: Partial<ReceivedMessage> = {}): ReceivedMessage {
  return { messageId: 'm', topic: 't', keys: [], properties: {}, body: Buffer.alloc(0), deliveryAttempt: 1, bornAt: new Date(bornAt), ...extra };
}

const LIMITS = { maxConsumerLagMs: 60_000, maxInFlightAgeMs: 60_000, lagWindowMs: 60_000 };

describe('consumer statistics', () => {
  it('delivery lag is receipt minus the later of bornAt and deliverAt, never negative, unknown without bornAt', () => {
    assert.equal(deliveryLag(message(1000), 1500), 500);
    assert.equal(deliveryLag(message(1000, { deliverAt: new Date(1400) }), 1500), 100, 'a delayed message is due at deliverAt');
    assert.equal(deliveryLag(message(2000), 1500), 0, "the producer's clock ahead of ours");
    assert.equal(deliveryLag(message(0), 1500), undefined);
  });

  it('counts in-flight, handled and failed deliveries, with the age of the oldest in flight', () => {
    const clock = new ManualClock();
    const stats = new GroupStats('g', ['t1', 't2'], clock);
    const empty = stats.snapshot();
    assert.deepEqual(empty, { group: 'g', topics: ['t1', 't2'], inFlight: 0, handled: 0, failed: 0, oldestInFlightMs: 0, lagMs: undefined, lagAgeMs: undefined, lastReceivedAt: undefined });
    const first = stats.received(message(clock.now() - 250), 'A.on', 'm1');
    clock.advance(100);
    const second = stats.received(message(clock.now()), 'A.on', 'm2');
    clock.advance(50);
    let snapshot = stats.snapshot();
    assert.equal(snapshot.inFlight, 2);
    assert.equal(snapshot.oldestInFlightMs, 150);
    assert.equal(snapshot.lagMs, 0, 'the last receipt measures the lag');
    assert.equal(snapshot.lagAgeMs, 50);
    assert.deepEqual(snapshot.lastReceivedAt, new Date(clock.now() - 50));
    assert.deepEqual(stats.inFlight().map((m) => m.messageId), ['m1', 'm2']);
    stats.settled(first, true);
    stats.settled(first, true);
    stats.settled(second, false);
    snapshot = stats.snapshot();
    assert.deepEqual([snapshot.inFlight, snapshot.handled, snapshot.failed, snapshot.oldestInFlightMs], [0, 1, 1, 0]);
  });

  it('redeliveries do not change the lag (their delay is the retry backoff)', () => {
    const clock = new ManualClock();
    const stats = new GroupStats('g', ['t'], clock);
    stats.received(message(clock.now() - 40), 'A.on', 'm1');
    clock.advance(10);
    stats.received(message(clock.now() - 600_000, { deliveryAttempt: 3 }), 'A.on', 'm2');
    assert.equal(stats.snapshot().lagMs, 40);
    assert.equal(stats.snapshot().lagAgeMs, 10);
  });

  it('a recent lag at maxConsumerLagMs degrades; once lagWindowMs passes without a new one it no longer does', () => {
    const clock = new ManualClock();
    const stats = new GroupStats('g', ['t'], clock);
    stats.settled(stats.received(message(clock.now() - 90_000), 'A.on', 'm1'), true);
    assert.deepEqual(consumerProblems([stats.snapshot()], LIMITS), ['consumer group g received a message 90000 ms after it was due (maxConsumerLagMs = 60000)']);
    assert.deepEqual(consumerProblems([stats.snapshot()], { ...LIMITS, maxConsumerLagMs: 90_001 }), []);
    clock.advance(60_000);
    assert.equal(consumerProblems([stats.snapshot()], LIMITS).length, 1, 'still within the window');
    clock.advance(1);
    assert.deepEqual(consumerProblems([stats.snapshot()], LIMITS), [], 'the group went idle: its last lag is stale');
  });

  it('a message in flight for maxInFlightAgeMs degrades', () => {
    const clock = new ManualClock();
    const stats = new GroupStats('g', ['t'], clock);
    const entry = stats.received(message(clock.now()), 'A.on', 'm1');
    clock.advance(59_999);
    assert.deepEqual(consumerProblems([stats.snapshot()], LIMITS), []);
    clock.advance(1);
    assert.deepEqual(consumerProblems([stats.snapshot()], LIMITS), ['consumer group g has had a message in flight for 60000 ms (maxInFlightAgeMs = 60000)']);
    stats.settled(entry, true);
    assert.deepEqual(consumerProblems([stats.snapshot()], LIMITS), []);
  });
});
