// Outbox benchmarks (not a timed test). Run: npx tsc -b && node bench/dist/outbox-bench.js
// BENCH_PARTS=send,relay,latency (default: all) runs a subset; BENCH_WINDOWS and BENCH_ROUNDS set
// the send ratio's windows and rounds. The relay and latency figures are also parts of `npm run bench`.
import { startBrokerProcess } from './broker-process.js';
import { commitLatency } from './outbox/commit-latency.js';
import { checkpoint, openOutboxFixture } from './outbox/fixture.js';
import { relayThroughput } from './outbox/relay-throughput.js';
import { sendRatio } from './outbox/send-ratio.js';

const parts = (process.env.BENCH_PARTS ?? 'send,relay,latency').split(',');
const fixture = await openOutboxFixture();
// The broker runs as its own process with its durable store, as deployed.
const broker = await startBrokerProcess();
try {
  if (parts.includes('send')) {
    await checkpoint(fixture.db);
    await sendRatio(fixture.db, fixture.pool, fixture.outbox);
  }
  if (parts.includes('relay')) {
    await fixture.reset();
    await checkpoint(fixture.db);
    const { perSecond, published } = await relayThroughput(fixture.outbox, broker.endpoint, 20_000);
    console.log(`relay throughput: ${published} messages, ${perSecond.toFixed(0)} msg/s`);
  }
  if (parts.includes('latency')) {
    await fixture.reset();
    await checkpoint(fixture.db);
    const { commit, handler, missing } = await commitLatency(fixture, broker.endpoint, 1_000, 10, 2);
    const line = (s: typeof commit) => `p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms (${s.count} messages)`;
    console.log(`send + COMMIT at 1000 tx/s for 10 s: ${line(commit)}`);
    console.log(`commit-to-handler at 1000 tx/s for 10 s: ${line(handler)}${missing > 0 ? `; ${missing} not received` : ''}`);
  }
} finally {
  await broker.stop();
  await fixture.close();
}
// Clients that keep timers must not hold the process.
process.exit(0);
