import assert from 'node:assert/strict';
import { test } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import { BrokerMetrics } from '../src/http/metrics.js';
import { STATUS_CODES } from '../src/status-codes.js';
import { FakeAdminBackend, groupView } from './http-fake-backend.js';

/** `name{labels} value` samples of a text exposition, by series (`name{a="1",b="2"}`). */
function samples(text: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    result.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return result;
}

test('counters follow the message events, by topic and group', async () => {
  const backend = new FakeAdminBackend();
  const metrics = new BrokerMetrics(backend);
  const at = 1_700_000_000_000;
  backend.emit(
    { type: 'sent', at, messageId: 'a', topic: 'orders' },
    { type: 'stored', at, messageId: 'a', topic: 'orders' },
    { type: 'stored', at, messageId: 'b', topic: 'orders' },
    { type: 'stored', at, messageId: 'c', topic: 'payments' },
  );
  backend.emit(
    { type: 'delivered', at, messageId: 'a', topic: 'orders', group: 'billing', attempt: 1 },
    { type: 'acked', at, messageId: 'a', topic: 'orders', group: 'billing', attempt: 1 },
    { type: 'delivered', at, messageId: 'b', topic: 'orders', group: 'billing', attempt: 1 },
    { type: 'redelivered', at, messageId: 'b', topic: 'orders', group: 'billing', attempt: 1 },
    { type: 'delivered', at, messageId: 'b', topic: 'orders', group: 'billing', attempt: 2 },
    { type: 'dead-lettered', at, messageId: 'b', topic: '%DLQ%billing', group: 'billing', attempt: 2 },
    { type: 'delivered', at, messageId: 'a', topic: 'orders', group: 'audit', attempt: 1 },
    { type: 'recalled', at, messageId: 'd', topic: 'orders' },
    { type: 'checked', at, messageId: 't', topic: 'payments', attempt: 1, clientId: 'producer-1' },
    { type: 'checked', at, messageId: 't', topic: 'payments', attempt: 2, clientId: 'producer-1' },
    // As the core reports a check counted with nobody to ask, and the parking after the last check.
    { type: 'checked', at, messageId: 'v', topic: 'payments', attempt: 1, note: 'no producer of the topic connected' },
    { type: 'checked', at, messageId: 'v', topic: 'payments', attempt: 1, note: 'parked' },
    { type: 'committed', at, messageId: 't', topic: 'payments' },
    { type: 'rolled-back', at, messageId: 'u', topic: 'payments' },
  );
  const s = samples(await metrics.render());
  assert.equal(s.get('txmq_messages_in_total{topic="orders"}'), 2);
  assert.equal(s.get('txmq_messages_in_total{topic="payments"}'), 1);
  assert.equal(s.get('txmq_messages_out_total{topic="orders",group="billing"}'), 3, 'every delivery attempt');
  assert.equal(s.get('txmq_messages_out_total{topic="orders",group="audit"}'), 1);
  assert.equal(s.get('txmq_acks_total{topic="orders",group="billing"}'), 1);
  assert.equal(s.get('txmq_redeliveries_total{topic="orders",group="billing"}'), 1);
  assert.equal(s.get('txmq_dead_letters_total{group="billing"}'), 1);
  assert.equal(s.get('txmq_messages_recalled_total{topic="orders"}'), 1);
  assert.equal(s.get('txmq_transaction_checks_total'), 2, 'only the check-backs sent to a producer');
  assert.equal(s.get('txmq_transactions_parked_total'), 1);
  assert.equal(s.get('txmq_transactions_committed_total'), 1);
  assert.equal(s.get('txmq_transactions_rolled_back_total'), 1);
  metrics.close();
  assert.equal(backend.subscribers, 0);
  backend.emit({ type: 'stored', at, messageId: 'e', topic: 'orders' });
  assert.equal(samples(await metrics.render()).get('txmq_messages_in_total{topic="orders"}'), 2, 'closed metrics count nothing more');
});

test('gauges are read from the backend at each scrape; what disappeared leaves the output', async () => {
  const backend = new FakeAdminBackend();
  const metrics = new BrokerMetrics(backend);
  const broadcast = groupView('notify', 'orders', { lag: 0, inFlight: 0 });
  backend.groups = [
    groupView('billing', 'orders', { lag: 4, inFlight: 2 }),
    {
      ...broadcast,
      broadcast: true,
      subscriptions: [
        { topic: 'orders', consumer: 'client-1', nextOffset: 8, endOffset: 10, lag: 2, inFlight: 1 },
        { topic: 'orders', consumer: 'client-2', nextOffset: 9, endOffset: 10, lag: 1, inFlight: 0 },
      ],
    },
  ];
  // More topics than one page of the scrape's listing: every page is read.
  backend.topics = Array.from({ length: 1001 }, (_, i) => ({ name: `t${i}`, queues: 1, messageType: 'NORMAL' as const, origin: 'auto' as const, firstOffset: i, nextOffset: 2 * i }));
  backend.halves = [
    { transactionId: 'T1', message: { topic: 'p', queueId: 0, messageId: 'M', kind: 'TRANSACTION', body: Buffer.alloc(0), keys: [], properties: {}, bornAt: 0, bornHost: '' }, producerClientId: 'c', createdAt: 0, checks: 0, nextCheckAt: 0, parked: false },
    { transactionId: 'T2', message: { topic: 'p', queueId: 0, messageId: 'N', kind: 'TRANSACTION', body: Buffer.alloc(0), keys: [], properties: {}, bornAt: 0, bornHost: '' }, producerClientId: 'c', createdAt: 0, checks: 5, nextCheckAt: 0, parked: true },
    { transactionId: 'T3', message: { topic: 'p', queueId: 0, messageId: 'O', kind: 'TRANSACTION', body: Buffer.alloc(0), keys: [], properties: {}, bornAt: 0, bornHost: '' }, producerClientId: 'c', createdAt: 0, checks: 1, nextCheckAt: 0, parked: false },
  ];
  backend.bytes = 123_456;
  backend.dropped = 7;
  let s = samples(await metrics.render());
  assert.equal(s.get('txmq_group_lag{group="billing",topic="orders"}'), 4);
  assert.equal(s.get('txmq_group_in_flight{group="billing",topic="orders"}'), 2);
  assert.equal(s.get('txmq_group_lag{group="notify",topic="orders"}'), 3, "a broadcast group's positions add up");
  assert.equal(s.get('txmq_group_in_flight{group="notify",topic="orders"}'), 1);
  assert.equal(s.get('txmq_transactions_pending'), 2);
  assert.equal(s.get('txmq_transactions_parked'), 1);
  assert.equal(s.get('txmq_store_bytes'), 123_456);
  assert.equal(s.get('txmq_trace_events_dropped_total'), 7);
  assert.equal(s.get('txmq_topic_messages{topic="t10"}'), 10);
  assert.equal(s.get('txmq_topic_messages{topic="t1000"}'), 1000);

  backend.groups = [groupView('billing', 'orders', { lag: 0, inFlight: 0 })];
  backend.halves = [];
  s = samples(await metrics.render());
  assert.equal(s.get('txmq_group_lag{group="billing",topic="orders"}'), 0);
  assert.equal(s.has('txmq_group_lag{group="notify",topic="orders"}'), false);
  assert.equal(s.get('txmq_transactions_parked'), 0);
  metrics.close();
});

test('the RPC histogram by method and status name; each broker has its own registry, none in the global one', async () => {
  const one = new BrokerMetrics(new FakeAdminBackend());
  const two = new BrokerMetrics(new FakeAdminBackend(), { processMetrics: true });
  one.onRpc('SendMessage', STATUS_CODES.OK, 0.0004);
  one.onRpc('SendMessage', STATUS_CODES.OK, 0.003);
  one.onRpc('SendMessage', STATUS_CODES.ILLEGAL_MESSAGE_TAG, 0.001);
  one.onRpc('ReceiveMessage', STATUS_CODES.MESSAGE_NOT_FOUND, 20.1);
  one.onRpc('Heartbeat', 12345, 0.0001);
  const s = samples(await one.render());
  assert.equal(s.get('txmq_rpc_duration_seconds_count{method="SendMessage",code="OK"}'), 2);
  assert.equal(s.get('txmq_rpc_duration_seconds_bucket{le="0.0005",method="SendMessage",code="OK"}'), 1);
  assert.equal(s.get('txmq_rpc_duration_seconds_bucket{le="0.005",method="SendMessage",code="OK"}'), 2);
  assert.equal(s.get('txmq_rpc_duration_seconds_count{method="SendMessage",code="ILLEGAL_MESSAGE_TAG"}'), 1);
  assert.equal(s.get('txmq_rpc_duration_seconds_bucket{le="20",method="ReceiveMessage",code="MESSAGE_NOT_FOUND"}'), 0);
  assert.equal(s.get('txmq_rpc_duration_seconds_bucket{le="30",method="ReceiveMessage",code="MESSAGE_NOT_FOUND"}'), 1);
  assert.equal(s.get('txmq_rpc_duration_seconds_count{method="Heartbeat",code="12345"}'), 1, 'a code without a name keeps its number');
  assert.equal(samples(await two.render()).has('txmq_rpc_duration_seconds_count{method="SendMessage",code="OK"}'), false, 'the other broker saw no call');

  const names = [...samples(await two.render()).keys()].map((series) => series.split('{')[0]!);
  assert.ok(names.includes('txmq_process_cpu_user_seconds_total') && names.includes('txmq_nodejs_heap_size_used_bytes'), 'process metrics, prefixed');
  assert.ok(names.every((name) => name.startsWith('txmq_')), names.filter((n) => !n.startsWith('txmq_')).join());
  assert.ok(!samples(await one.render()).has('txmq_process_cpu_user_seconds_total'), 'process metrics only when asked');
  assert.equal((await globalRegistry.getMetricsAsJSON()).length, 0, "nothing in prom-client's global registry");
  assert.match(one.contentType, /^text\/plain; version=0\.0\.4/);
  one.close();
  two.close();
});
