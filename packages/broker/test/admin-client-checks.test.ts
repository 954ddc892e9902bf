import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createBrokerAdmin } from '../src/client/broker-admin.js';
import { ConfigError } from '../src/errors.js';
import { FakeAdminBackend, startFakeAdminServer } from './fake-admin-backend.js';

let backend: FakeAdminBackend;
let server: Awaited<ReturnType<typeof startFakeAdminServer>>;
let admin: ReturnType<typeof createBrokerAdmin>;
before(async () => {
  backend = new FakeAdminBackend();
  server = await startFakeAdminServer(backend);
  admin = createBrokerAdmin({ endpoints: server.endpoint, timeoutMs: 5000 });
});
after(async () => {
  await admin.close();
  await server.close();
});

/** Asserts `call` rejects with a ConfigError naming `option`, and that nothing reached the broker. */
async function refusedBeforeSending(call: () => Promise<unknown>, option: string, problem: RegExp): Promise<void> {
  const before = backend.calls.length;
  await assert.rejects(call(), (e: unknown) => e instanceof ConfigError && e.option === option && problem.test(e.message), option);
  assert.equal(backend.calls.length, before, `${option}: nothing is sent`);
}

test('resetGroup refuses an invalid Date or one before 1970 instead of resetting to time 0', async () => {
  await refusedBeforeSending(() => admin.resetGroup('billing', new Date('garbage')), 'to', /must be a valid Date at or after 1970-01-01T00:00:00Z, got Date\(NaN\)/);
  await refusedBeforeSending(() => admin.resetGroup('billing', new Date(-1)), 'to', /got Date\(-1\)/);
  await refusedBeforeSending(() => admin.resetGroup('billing', 'now' as unknown as Date), 'to', /must be a valid Date/);
  await admin.resetGroup('billing', new Date(0));
  assert.deepEqual(backend.calls.at(-1), ['resetGroup', 'billing', { time: 0 }, undefined], 'the epoch itself is a time');
});

test('queryMessages by time refuses invalid from and to', async () => {
  const valid = new Date(1_700_000_000_000);
  await refusedBeforeSending(() => admin.queryMessages({ topic: 'orders', from: new Date(NaN), to: valid }), 'from', /valid Date/);
  await refusedBeforeSending(() => admin.queryMessages({ topic: 'orders', from: valid, to: new Date('2026-13-01') }), 'to', /valid Date/);
});

test('page sizes must be integers from 1 to 1000; preview bytes and numeric settings integers in range', async () => {
  for (const pageSize of [2.5, -1, 0, 1001, Number.NaN]) {
    await refusedBeforeSending(() => admin.listTopics({ pageSize }), 'pageSize', /must be an integer from 1 to 1000/);
  }
  await refusedBeforeSending(() => admin.queryMessages({ messageId: 'M1' }, { pageSize: 1.5 }), 'pageSize', /integer/);
  await refusedBeforeSending(() => admin.listDeadLetters('billing', { previewBytes: -1 }), 'previewBytes', /integer from 1/);
  await refusedBeforeSending(() => admin.createTopic('t', { queues: 2.5 }), 'queues', /integer/);
  await refusedBeforeSending(() => admin.updateGroup('billing', { maxDeliveryAttempts: -1 }), 'maxDeliveryAttempts', /integer/);
  await refusedBeforeSending(() => admin.updateGroup('billing', { retryBackoff: { initialMs: 0.5 } }), 'retryBackoff.initialMs', /integer/);
  await refusedBeforeSending(() => admin.updateGroup('billing', { retryBackoff: { multiplier: Number.POSITIVE_INFINITY } }), 'retryBackoff.multiplier', /finite/);
  const page = await admin.listTopics({ pageSize: 1000 });
  assert.equal(page.items.length, 2);
});
