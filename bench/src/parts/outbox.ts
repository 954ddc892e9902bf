import { startBrokerProcess } from '../broker-process.js';
import { businessRate } from '../outbox/business-rate.js';
import { commitLatency, DRAIN_MS } from '../outbox/commit-latency.js';
import { checkpoint, openOutboxFixture } from '../outbox/fixture.js';
import { relayThroughput } from '../outbox/relay-throughput.js';
import { deadline } from '../profile.js';
import type { Part } from './part.js';

/**
 * The outbox on the bench's Postgres (a schema of its own, dropped afterwards) and a broker
 * process: the rate Postgres commits a business transaction with an outbox row, the relay's
 * throughput, and commit → handler latency at a paced rate.
 */
export const outboxPart: Part = {
  name: 'outbox',
  async run({ profile, results, log }) {
    let fixture;
    try {
      fixture = await openOutboxFixture(profile.pgConnections);
    } catch (error) {
      results.skip('txmq', `Postgres not reachable: ${(error as Error).message}`);
      log(`outbox: skipped, Postgres not reachable: ${(error as Error).message}`);
      return;
    }
    const broker = await startBrokerProcess();
    try {
      await checkpoint(fixture.db);
      const business = await businessRate(fixture, profile.pgTransactions, profile.pgConnections, deadline(profile.pgSeconds));
      results.set('pg_business_tx_s', `Postgres business tx (user + outbox row), ${profile.pgConnections} connections`, 'tx/s', 'txmq', business);
      log(`outbox: Postgres commits ${business.toFixed(0)} business tx/s`);
      await fixture.reset();
      await checkpoint(fixture.db);
      const { perSecond: relay, published } = await relayThroughput(fixture.outbox, broker.endpoint, profile.relayRows, profile.relaySeconds);
      results.set('relay_msg_s', `outbox relay, ${profile.relayRows.toLocaleString('en-US')} committed rows`, 'msg/s', 'txmq', relay);
      if (published < profile.relayRows) results.note('relay_msg_s', `timed for the ${profile.relaySeconds} s cap: ${published.toLocaleString('en-US')} of ${profile.relayRows.toLocaleString('en-US')} rows published`);
      log(`outbox: relay ${relay.toFixed(0)} msg/s (${published} rows)`);
      await fixture.reset();
      await checkpoint(fixture.db);
      const { commit, handler, missing, failed } = await commitLatency(fixture, broker.endpoint, profile.commitRate, profile.commitSeconds, profile.commitWarmupSeconds);
      const at = `at ${profile.commitRate.toLocaleString('en-US')} tx/s`;
      results.set('commit_p50_ms', `send + COMMIT ${at}, p50`, 'ms', 'txmq', commit.p50);
      results.set('commit_p99_ms', `send + COMMIT ${at}, p99`, 'ms', 'txmq', commit.p99);
      results.set('commit_handler_p50_ms', `commit → handler ${at}, p50`, 'ms', 'txmq', handler.p50);
      results.set('commit_handler_p99_ms', `commit → handler ${at}, p99`, 'ms', 'txmq', handler.p99);
      if (failed > 0) results.note('commit_p99_ms', `${failed} transactions failed`);
      if (missing > 0) results.note('commit_handler_p99_ms', `${missing} messages did not reach the handler within ${DRAIN_MS / 1000} s of the last commit`);
      log(`outbox: send + COMMIT p50 ${commit.p50} / p99 ${commit.p99} ms; commit → handler p50 ${handler.p50} / p99 ${handler.p99} ms, max ${handler.max} ms${missing > 0 ? `, ${missing} missing` : ''}`);
    } finally {
      await broker.stop();
      await fixture.close();
    }
  },
};
