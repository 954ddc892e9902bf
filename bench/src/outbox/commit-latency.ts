import { createPushConsumer } from '@txmq/broker/client';
import { createRelay } from '@txmq/outbox';
import { paced } from '../report/pacing.js';
import { summarize, type LatencySummary } from '../report/stats.js';
import type { OutboxFixture } from './fixture.js';

/** How long to wait for the last messages after the last commit. */
export const DRAIN_MS = 10_000;

/** Commit-latency figures of {@link commitLatency}. */
export interface CommitLatency {
  /** `send` + COMMIT itself. */
  readonly commit: LatencySummary;
  /** From just before COMMIT to the consumer's handler. */
  readonly handler: LatencySummary;
  /** Messages of the measured window that did not reach the handler in time. */
  readonly missing: number;
  /** Transactions that failed (a loaded database can time out). */
  readonly failed: number;
}

/**
 * Commit-to-handler latency at a paced `rate` transactions/s for `seconds` after `warmupSeconds`:
 * each transaction writes a user row and a message stamped with the time just before COMMIT; one
 * relay (woken by LISTEN) publishes them to the broker at `endpoint`; a push consumer's handler
 * records now minus the stamp.
 */
export async function commitLatency(fixture: OutboxFixture, endpoint: string, rate: number, seconds: number, warmupSeconds: number): Promise<CommitLatency> {
  const { outbox } = fixture;
  const topic = 'bench-latency';
  const warm = Math.round(rate * warmupSeconds);
  const total = warm + Math.round(rate * seconds);
  const latencies: number[] = [];
  let received = 0;
  let allReceived!: () => void;
  const done = new Promise<void>((resolve) => {
    allReceived = resolve;
  });
  const consumer = createPushConsumer({
    endpoints: endpoint,
    group: 'bench-latency',
    subscriptions: { [topic]: '*' },
    handler: async (m) => {
      const body = JSON.parse(m.body.toString()) as { i: number; committedAt: number };
      if (body.i >= warm) latencies.push(Date.now() - body.committedAt);
      if (++received === total) allReceived();
    },
  });
  await consumer.start();
  const relay = createRelay({ outbox, endpoints: endpoint, listen: fixture.url, pollIntervalMs: 500 });
  await relay.start();
  const commits: number[] = [];
  const pending: Promise<unknown>[] = [];
  let failed = 0;
  try {
    await paced(total, rate, (i) => {
      let committedAt = 0;
      pending.push(outbox.db.transaction().execute(async (trx) => {
        await fixture.insertUser(trx);
        // Stamped just before COMMIT, so the figure includes the commit itself.
        committedAt = Date.now();
        await outbox.send(trx, { topic, body: { i, committedAt } });
      }).then(() => {
        if (i >= warm) commits.push(Date.now() - committedAt);
      }, () => {
        failed++;
      }));
    });
    await Promise.all(pending);
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
  } finally {
    await relay.stop();
    await consumer.close();
  }
  return { commit: summarize(commits), handler: summarize(latencies), missing: total - failed - received, failed };
}
