import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Controller, Get, Inject, Injectable, Module } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { startBroker, type RunningBroker } from '@txmq/broker';
import { createProducer, type ReceivedMessage } from '@txmq/broker/client';
import { decodeBody } from '@txmq/outbox';
import { eventually } from '@txmq/test-support';
import { sql } from 'kysely';
import { TxmqHealthIndicator } from '../src/health/index.js';
import { OnMessage, TransactionHost, TxmqConsumers, TxmqModule, TxmqProducer } from '../src/index.js';
import { TXMQ_CLOCK } from '../src/tokens.js';
import { ManualClock } from './manual-clock.js';
import { testDb, type TestDb } from './helpers.js';

const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };

let t: TestDb;

@Controller()
class HealthController {
  constructor(
    @Inject(HealthCheckService) readonly health: HealthCheckService,
    @Inject(TxmqHealthIndicator) readonly txmq: TxmqHealthIndicator,
  ) {}

  @Get('health')
  check() {
    return this.health.check([() => this.txmq.isHealthy('txmq', { degradedAfterMs: 60_000 })]);
  }
}

@Module({ imports: [TerminusModule.forRoot({ logger: false })], controllers: [HealthController], providers: [TxmqHealthIndicator] })
class HealthModule {}

async function app(endpoints: string): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [TxmqModule.forRoot({ endpoints, db: t.db, schema: t.schema, relay: false, isGlobal: true }), HealthModule],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

/** Writes one outbox row (relay off: it stays pending) and makes it `ageMs` old. */
async function pendingRow(moduleRef: TestingModule, ageMs: number): Promise<void> {
  const host = moduleRef.get(TransactionHost);
  const producer = moduleRef.get(TxmqProducer);
  await host.withTransaction(() => producer.send({ topic: 'health', body: { ageMs } }));
  await sql`update ${sql.table(`${t.schema}.outbox`)} set created_at = now() - ${ageMs} * interval '1 millisecond'
            where status = 'pending'`.execute(t.db);
}

describe('TxmqHealthIndicator (terminus)', () => {
  let broker: RunningBroker;

  before(async () => {
    t = await testDb();
    broker = await startBroker({ port: 0, memory: true, logLevel: 'silent' });
  });
  after(async () => {
    await broker.close();
    await t.close();
  });

  it('is up when the broker is reachable and nothing is pending', async () => {
    const moduleRef = await app(broker.endpoint);
    try {
      const result = await moduleRef.get(TxmqHealthIndicator).isHealthy();
      assert.deepEqual(result, { txmq: { status: 'up', endpoint: broker.endpoint, broker: 'reachable', pending: 0, oldestPendingAgeMs: 0, parked: 0 } });
      const report = await moduleRef.get(HealthController).check();
      assert.equal(report.status, 'ok');
    } finally {
      await moduleRef.close();
    }
  });

  it('is degraded when the oldest pending row is older than degradedAfterMs, or more than maxPending rows wait', async () => {
    const moduleRef = await app(broker.endpoint);
    try {
      const indicator = moduleRef.get(TxmqHealthIndicator);
      await pendingRow(moduleRef, 5 * 60_000);
      const { txmq } = await indicator.isHealthy('txmq', { degradedAfterMs: 60_000 });
      assert.equal(txmq.status, 'degraded');
      assert.equal(txmq.pending, 1);
      assert.ok(txmq.oldestPendingAgeMs >= 5 * 60_000, String(txmq.oldestPendingAgeMs));
      assert.match(String(txmq.message), /degradedAfterMs = 60000/);
      // Younger than the threshold: up again; but over maxPending rows: degraded.
      assert.equal((await indicator.isHealthy('txmq', { degradedAfterMs: 10 * 60_000 })).txmq.status, 'up');
      const crowded = await indicator.isHealthy('outbox', { degradedAfterMs: 10 * 60_000, maxPending: 0 });
      assert.equal(crowded.outbox.status, 'degraded');
      assert.match(String(crowded.outbox.message), /1 outbox rows are pending \(maxPending = 0\)/);
      // Terminus reports a degraded indicator as an overall `degraded` status, not an error.
      const report = await moduleRef.get(HealthController).check();
      assert.equal(report.status, 'degraded');
    } finally {
      await sql`delete from ${sql.table(`${t.schema}.outbox`)}`.execute(t.db);
      await moduleRef.close();
    }
  });

  it('is down when the oldest pending row is older than downAfterMs', async () => {
    const moduleRef = await app(broker.endpoint);
    try {
      await pendingRow(moduleRef, 20 * 60_000);
      const { txmq } = await moduleRef.get(TxmqHealthIndicator).isHealthy('txmq', { downAfterMs: 15 * 60_000 });
      assert.equal(txmq.status, 'down');
      assert.match(String(txmq.message), /downAfterMs = 900000/);
    } finally {
      await sql`delete from ${sql.table(`${t.schema}.outbox`)}`.execute(t.db);
      await moduleRef.close();
    }
  });

  it('is down when the broker is unreachable, and the terminus check fails', async () => {
    const gone = await startBroker({ port: 0, memory: true, logLevel: 'silent' });
    const moduleRef = await app(gone.endpoint);
    try {
      const indicator = moduleRef.get(TxmqHealthIndicator);
      assert.equal((await indicator.isHealthy()).txmq.status, 'up');
      await gone.close();
      const { txmq } = await indicator.isHealthy('txmq', { timeoutMs: 300 });
      assert.equal(txmq.status, 'down');
      assert.equal(txmq.broker, 'unreachable');
      assert.match(String(txmq.message), new RegExp(`${gone.endpoint} is unreachable`));
      await assert.rejects(moduleRef.get(HealthController).check(), (error: { response?: { status?: string; error?: Record<string, { status: string }> } }) => {
        assert.equal(error.response?.status, 'error');
        assert.equal(error.response?.error?.txmq?.status, 'down');
        return true;
      });
    } finally {
      await moduleRef.close();
    }
  });

  it('reports each consumer group; a recent delivery lag or a long-running handler degrades it, a stale lag does not', async () => {
    // The consumers' clock runs two minutes ahead of the producer's: every receipt looks 2 minutes late.
    const clock = new ManualClock(Date.now() + 120_000);
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    @Injectable()
    class Lagging {
      @OnMessage({ topic: 'health-lag', group: 'g-health-lag' })
      async handle(message: ReceivedMessage): Promise<void> {
        if (decodeBody(message) === 'hold') await released;
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [TxmqModule.forRoot({ endpoints: broker.endpoint, db: t.db, schema: t.schema, relay: false, isGlobal: true, logger: QUIET }), HealthModule],
      providers: [Lagging],
    })
      .overrideProvider(TXMQ_CLOCK)
      .useValue(clock)
      .compile();
    await moduleRef.init();
    const producer = createProducer({ endpoints: broker.endpoint, logger: QUIET });
    const send = (body: string) => producer.send({ topic: 'health-lag', body, properties: { 'txmq-content-type': 'text/plain' } });
    const consumers = moduleRef.get(TxmqConsumers);
    try {
      const indicator = moduleRef.get(TxmqHealthIndicator);
      const idle = (await indicator.isHealthy()).txmq;
      assert.equal(idle.status, 'up');
      assert.deepEqual(idle.consumers, [
        { group: 'g-health-lag', topics: ['health-lag'], inFlight: 0, handled: 0, failed: 0, oldestInFlightMs: 0, lagMs: undefined, lagAgeMs: undefined, lastReceivedAt: undefined },
      ]);

      await send('quick');
      await eventually('the message handled', () => consumers.stats()[0]?.handled === 1);
      const late = (await indicator.isHealthy()).txmq;
      assert.equal(late.status, 'degraded');
      assert.match(String(late.message), /^consumer group g-health-lag received a message \d+ ms after it was due \(maxConsumerLagMs = 60000\)$/);
      const lag = late.consumers?.[0]?.lagMs ?? 0;
      assert.ok(lag > 100_000 && lag <= 120_000, String(lag));
      assert.deepEqual(late.consumers?.[0]?.lastReceivedAt, new Date(clock.now()));
      assert.equal((await indicator.isHealthy('txmq', { maxConsumerLagMs: 121_000 })).txmq.status, 'up');

      clock.advance(60_001);
      assert.equal((await indicator.isHealthy()).txmq.status, 'up', 'nothing received for lagWindowMs: the lag is stale');
      assert.equal((await indicator.isHealthy('txmq', { lagWindowMs: 120_000 })).txmq.status, 'degraded');

      const thresholds = { maxConsumerLagMs: 10 * 60_000 };
      await send('hold');
      await eventually('the handler running', () => consumers.stats()[0]?.inFlight === 1);
      assert.equal((await indicator.isHealthy('txmq', thresholds)).txmq.status, 'up');
      clock.advance(60_000);
      const held = (await indicator.isHealthy('txmq', thresholds)).txmq;
      assert.equal(held.status, 'degraded');
      assert.equal(held.message, 'consumer group g-health-lag has had a message in flight for 60000 ms (maxInFlightAgeMs = 60000)');
      release();
      await eventually('the held message handled', () => consumers.stats()[0]?.handled === 2);
      assert.equal((await indicator.isHealthy('txmq', thresholds)).txmq.status, 'up');
    } finally {
      release();
      await producer.close();
      await moduleRef.close();
    }
  });
});
