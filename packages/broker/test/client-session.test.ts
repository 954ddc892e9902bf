import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClientSession, type Scheduler } from '../src/client/session/session.js';
import { BrokerRefusedError, BrokerTimeoutError, ClientClosedError } from '../src/errors.js';
import { ClientType, FilterType } from '../src/wire/enums.js';
import { FakeProxy, proxyAnswer } from './fake-proxy.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let fake: FakeProxy;
before(async () => {
  fake = new FakeProxy(proxyAnswer);
  await fake.start();
});
after(() => fake.stop());

function consumerSession(startupTimeoutMs = 10_000, scheduler?: Scheduler): ClientSession {
  return new ClientSession({
    ...(scheduler && { scheduler }),
    what: 'simple consumer',
    options: { endpoints: fake.endpoint, logger: quiet, startupTimeoutMs, namespace: 'ns' },
    clientType: ClientType.SIMPLE_CONSUMER,
    group: 'billing',
    topics: () => ['orders'],
    pubSub: () => ({
      subscription: {
        group: { name: 'billing', resourceNamespace: 'ns' },
        subscriptions: [{ topic: { name: 'orders', resourceNamespace: 'ns' }, expression: { type: FilterType.TAG, expression: '*' } }],
      },
    }),
  });
}

test('start queries the routes, sends the Settings on Telemetry and waits for the answer; close tells the broker and is idempotent', async () => {
  fake.settingsAnswer = undefined;
  const session = consumerSession();
  await Promise.all([session.start('receive'), session.start('start')]);
  const settings = fake.settings.at(-1)!;
  assert.equal(settings.clientType, ClientType.SIMPLE_CONSUMER);
  assert.equal(settings.subscription?.group?.name, 'billing');
  assert.equal(settings.userAgent?.language, 8);
  assert.deepEqual((await session.route('orders')).endpoints, [fake.endpoint]);
  assert.equal(session.serverSettings(fake.endpoint)?.subscription?.group?.name, 'billing');
  assert.equal(fake.headers.at(-1)!.get('x-mq-namespace')[0], 'ns');
  await Promise.all([session.close(), session.close()]);
  assert.ok(session.signal.aborted);
  assert.ok(fake.calls.includes('NotifyClientTermination'));
  await assert.rejects(session.start('receive'), (e: unknown) => e instanceof ClientClosedError && /simple consumer\.receive\(\)/.test(e.message));
});

test('a Settings answer with an error status rejects the start with that refusal; the next start tries again', async () => {
  fake.settingsAnswer = () => ({ status: { code: 40003, message: 'no such group' } });
  const session = consumerSession();
  const error = await session.start('start').then(() => assert.fail('started'), (e: unknown) => e);
  assert.ok(error instanceof BrokerRefusedError, String(error));
  assert.equal(error.code, 'ILLEGAL_CONSUMER_GROUP');
  fake.settingsAnswer = undefined;
  await session.start('start');
  await session.close();
});

test('no Settings answer: the start rejects with BrokerTimeoutError at startupTimeoutMs', async () => {
  fake.settingsAnswer = () => undefined;
  const session = consumerSession(500);
  await assert.rejects(session.start('start'), (e: unknown) => e instanceof BrokerTimeoutError && /startupTimeoutMs = 500 ms/.test(e.message));
  await session.close();
  fake.settingsAnswer = undefined;
});

test('a Telemetry stream that keeps failing: the timeout names the last failure as its cause', async () => {
  fake.telemetryRefusal = { code: 13, details: 'broker bug' };
  try {
    const session = consumerSession(300);
    await assert.rejects(session.start('start'), (e: unknown) => e instanceof BrokerTimeoutError && e.cause instanceof BrokerRefusedError && /broker bug/.test((e.cause as Error).message));
    await session.close();
  } finally {
    fake.telemetryRefusal = undefined;
  }
});

test('a Telemetry stream the broker ends is opened again and sends the Settings again', async () => {
  const session = consumerSession();
  await session.start('start');
  const streams = fake.streams.length;
  const sent = fake.settings.length;
  fake.streams.at(-1)!.end();
  await fake.until(() => fake.streams.length > streams && fake.settings.length > sent);
  await session.close();
});

test('a started session sends heartbeats with its client type and group, refreshes its routes and syncs its Settings', async () => {
  const scheduled: Array<{ periodMs: number; run: () => void; cancelled: boolean }> = [];
  const session = consumerSession(10_000, (periodMs, run) => {
    const entry = { periodMs, run, cancelled: false };
    scheduled.push(entry);
    return () => (entry.cancelled = true);
  });
  await session.start('start');
  assert.deepEqual(scheduled.map((s) => s.periodMs), [10_000, 30_000, 300_000], 'heartbeat, route refresh, Settings sync');
  const heartbeats = fake.heartbeats.length;
  const routes = fake.calls.filter((c) => c === 'QueryRoute').length;
  const settings = fake.settings.length;
  for (const { run } of scheduled) run();
  await fake.until(() => fake.heartbeats.length > heartbeats && fake.calls.filter((c) => c === 'QueryRoute').length > routes && fake.settings.length > settings);
  const heartbeat = fake.heartbeats.at(-1)!;
  assert.equal(heartbeat.clientType, ClientType.SIMPLE_CONSUMER);
  assert.equal(heartbeat.group?.name, 'billing');
  await session.close();
  assert.ok(scheduled.every((s) => s.cancelled), 'close stops the background work');
});

test("after close, a call's failure is a ClientClosedError naming the user's method, not the RPC", async () => {
  const session = consumerSession();
  await session.start('start');
  await session.close();
  const failure = await session.call('Heartbeat', fake.endpoint, {}).then(() => assert.fail('called'), (e: unknown) => e);
  const error = session.toError(failure, 'receive');
  assert.ok(error instanceof ClientClosedError);
  assert.match(error.message, /simple consumer\.receive\(\)/);
});
