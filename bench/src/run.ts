import { brokerThroughput } from './broker-throughput.js';
import { publishLatency } from './publish-latency.js';

const results = await brokerThroughput();
const txmq = results[0];
console.log(`\nBroker throughput: ${process.env.BENCH_MESSAGES ?? 10_000} durable 1 KiB messages, 64 publishes in flight`);
console.log('| system | publish msg/s | consume msg/s | txmq publish ratio | txmq consume ratio |');
console.log('|---|---|---|---|---|');
for (const r of results) {
  const ratio = (a: number | undefined, b: number) => (a === undefined ? 'n/a' : (a / b).toFixed(2));
  console.log(`| ${r.name} | ${r.publishPerSecond.toFixed(0)} | ${r.consumePerSecond.toFixed(0)} | ${ratio(txmq?.publishPerSecond, r.publishPerSecond)} | ${ratio(txmq?.consumePerSecond, r.consumePerSecond)} |`);
}

const latency = await publishLatency();
console.log('\nPublish latency, embedded broker (memory), official Producer, 1 KiB messages');
console.log('| in flight | msg/s | p50 ms | p99 ms | max ms |');
console.log('|---|---|---|---|---|');
for (const r of latency) {
  console.log(`| ${r.inFlight} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(0)} |`);
}
