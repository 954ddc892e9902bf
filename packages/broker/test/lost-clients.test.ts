// A push consumer holds its messages under auto-renew for as long as it lives. These tests drive
// the broker core's clock by hand: when a consumer's Telemetry stream ends and it does not come
// back within the reconnect grace, what it holds goes to the rest of its group.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrokerCore } from '../src/core/broker-core.js';
import type { TelemetryPeer } from '../src/core/clients.js';
import { incoming, memoryCore, receiveRequest, testClock } from './helpers.js';

/** The default `reconnectGraceMs`. */
const GRACE_MS = 10_000;
/** The core's maintenance period once started. */
const TICK_MS = 5_000;

/** Opens a Telemetry stream for `clientId` as a push consumer of G on t (what its Settings do). */
function connect(core: BrokerCore, clientId: string, group = 'G'): TelemetryPeer {
  const peer: TelemetryPeer = { recoverOrphanedTransaction: () => true };
  core.configureClient(clientId, { role: 'push-consumer', telemetry: peer, subscription: { group, topics: ['t'] } });
  return peer;
}

/** A push consumer's receive: auto-renewed, with the 60 s lease the protocol layer gives it. */
function pushReceive(group: string, clientId: string, batchSize = 32) {
  return receiveRequest(group, 't', { clientId, autoRenew: true, invisibleMs: 60_000, batchSize });
}

test('a push consumer whose stream ended and that does not come back within the grace has its messages delivered to the rest of its group', async () => {
  const clock = testClock();
  const core = memoryCore({}, { now: clock.now });
  const sent = await core.send(incoming('t'), 'p');
  const peer = connect(core, 'crashed');
  connect(core, 'survivor');
  const [held] = await core.receive(pushReceive('G', 'crashed'));
  assert.equal(held?.message.messageId, sent.messageId);

  core.detachTelemetry('crashed', peer);
  clock.advance(GRACE_MS - 1);
  await core.maintainDeliveries();
  assert.deepEqual(await core.receive(pushReceive('G', 'survivor')), [], 'still within the grace: the holder may come back');

  clock.advance(1);
  await core.maintainDeliveries();
  const [again] = await core.receive(pushReceive('G', 'survivor'));
  assert.equal(again?.message.messageId, sent.messageId);
  assert.equal(again?.attempt, 2, 'the lost delivery counts as an attempt');
  await assert.rejects(core.ack('G', 't', held!.receiptHandle), /stale/, 'the new delivery decides');
  await core.ack('G', 't', again!.receiptHandle);
  await core.close();
});

test('a push consumer that reconnects within the grace keeps its messages', async () => {
  const clock = testClock();
  const core = memoryCore({}, { now: clock.now });
  await core.send(incoming('t'), 'p');
  const first = connect(core, 'flaky');
  connect(core, 'other');
  const [held] = await core.receive(pushReceive('G', 'flaky'));

  core.detachTelemetry('flaky', first);
  clock.advance(GRACE_MS - 1);
  connect(core, 'flaky'); // its new stream's Settings
  for (let elapsed = 0; elapsed <= 120_000; elapsed += TICK_MS) {
    await core.maintainDeliveries();
    assert.deepEqual(await core.receive(pushReceive('G', 'other')), [], `kept ${elapsed} ms after reconnecting`);
    clock.advance(TICK_MS);
  }
  await core.ack('G', 't', held!.receiptHandle);
  await core.close();
});

test('an old stream that ends after the client already opened a new one does not count as lost', async () => {
  const clock = testClock();
  const core = memoryCore({}, { now: clock.now });
  await core.send(incoming('t'), 'p');
  const old = connect(core, 'c');
  connect(core, 'other');
  const [held] = await core.receive(pushReceive('G', 'c'));
  connect(core, 'c');
  core.detachTelemetry('c', old);
  clock.advance(GRACE_MS + TICK_MS);
  await core.maintainDeliveries();
  assert.deepEqual(await core.receive(pushReceive('G', 'other')), []);
  await core.ack('G', 't', held!.receiptHandle);
  await core.close();
});

test('a consumer heard from after its stream ended keeps its messages while it heartbeats, and loses them soon after it falls silent', async () => {
  const clock = testClock();
  const core = memoryCore({}, { now: clock.now });
  const sent = await core.send(incoming('t'), 'p');
  const peer = connect(core, 'c');
  connect(core, 'other');
  await core.receive(pushReceive('G', 'c'));
  core.detachTelemetry('c', peer);

  // Heartbeats every 10 s until 25 s; liveness ends 30 s after the last one.
  for (let at = 0; at < 55_000; at += TICK_MS) {
    if (at % 10_000 === 5_000 && at <= 25_000) core.touchClient('c');
    await core.maintainDeliveries();
    assert.deepEqual(await core.receive(pushReceive('G', 'other')), [], `kept at ${at} ms`);
    clock.advance(TICK_MS);
  }
  // At 55 s the lease (renewed at 40 s) still has 45 s to run: liveness, not the lease's end, decides.
  await core.maintainDeliveries();
  const [again] = await core.receive(pushReceive('G', 'other'));
  assert.equal(again?.message.messageId, sent.messageId);
  await core.close();
});

test('a FIFO holder that is lost keeps its message group in order: the released message comes back before the ones after it', async () => {
  const clock = testClock();
  const core = memoryCore({ groups: { F: { fifo: true } } }, { now: clock.now });
  for (const n of [1, 2, 3]) await core.send(incoming('t', { kind: 'FIFO', messageGroup: 'g', body: Buffer.from(`g-${n}`) }), 'p');
  const peer = connect(core, 'crashed', 'F');
  connect(core, 'survivor', 'F');
  const held = await core.receive(pushReceive('F', 'crashed', 2));
  assert.deepEqual(held.map((d) => d.message.body.toString()), ['g-1', 'g-2']);
  await core.ack('F', 't', held[0]!.receiptHandle);

  core.detachTelemetry('crashed', peer);
  assert.deepEqual(await core.receive(pushReceive('F', 'survivor')), [], 'g-3 waits while g-2 is held');
  clock.advance(GRACE_MS);
  await core.maintainDeliveries();
  const next = await core.receive(pushReceive('F', 'survivor'));
  assert.deepEqual(
    next.map((d) => [d.message.body.toString(), d.attempt]),
    [['g-2', 2], ['g-3', 1]],
  );
  await core.close();
});

test('the grace is a broker setting', async () => {
  const clock = testClock();
  const core = memoryCore({ reconnectGraceMs: 1000 }, { now: clock.now });
  const sent = await core.send(incoming('t'), 'p');
  const peer = connect(core, 'crashed');
  await core.receive(pushReceive('G', 'crashed'));
  core.detachTelemetry('crashed', peer);
  clock.advance(999);
  await core.maintainDeliveries();
  assert.deepEqual(await core.receive(pushReceive('G', 'survivor')), []);
  clock.advance(1);
  await core.maintainDeliveries();
  assert.equal((await core.receive(pushReceive('G', 'survivor')))[0]?.message.messageId, sent.messageId);
  await core.close();
});
