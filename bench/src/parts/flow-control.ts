import { startBroker } from '@txmq/broker';
import { Producer } from 'rocketmq-client-nodejs';
import { quietOfficialLogger } from '../peers/official-peer.js';
import { pool } from '../peers/peer.js';
import { summarize } from '../report/stats.js';
import { kib, type Part } from './part.js';

/**
 * Publish latency of one official Producer against an embedded in-memory broker with 64, then 256
 * sends in flight: shows whether HTTP/2 flow control stalls bursts of sends (the broker widens
 * every session's connection window for this). Full profile only.
 */
export const flowControlPart: Part = {
  name: 'flow',
  fullOnly: true,
  async run({ results, log }) {
    const broker = await startBroker({ port: 0, memory: true, logLevel: 'warn' });
    try {
      for (const inFlight of [64, 256]) {
        const topic = `latency-${inFlight}`;
        const producer = new Producer({ endpoints: broker.endpoint, namespace: '', topic, logger: quietOfficialLogger });
        await producer.startup();
        const body = kib();
        const latencies: number[] = [];
        await pool(6_000, inFlight, async () => {
          const sent = performance.now();
          await producer.send({ topic, body });
          latencies.push(performance.now() - sent);
        });
        await producer.shutdown();
        const s = summarize(latencies);
        results.set(`flow_p99_${inFlight}_ms`, `send latency, ${inFlight} in flight, embedded memory broker, p99`, 'ms', 'txmqOfficial', s.p99);
        log(`flow: ${inFlight} in flight p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(0)} ms`);
      }
    } finally {
      await broker.close();
    }
  },
};
