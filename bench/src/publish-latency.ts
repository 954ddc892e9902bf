import { startBroker } from '@txmq/broker';
import { Producer } from 'rocketmq-client-nodejs';
import { pool } from './peers/peer.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, close: () => undefined };

/** Publish-acknowledge latency percentiles of one official Producer at `inFlight` concurrent sends. */
export interface LatencyResult {
  readonly inFlight: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Publish latency against an embedded (in-memory) broker at several concurrencies: shows whether
 * HTTP/2 flow control stalls bursts of sends (see the protocol notes, client quirk 26).
 */
export async function publishLatency(count = 6000, concurrencies: readonly number[] = [64, 256]): Promise<LatencyResult[]> {
  const broker = await startBroker({ port: 0, memory: true, logLevel: 'warn' });
  const results: LatencyResult[] = [];
  try {
    for (const inFlight of concurrencies) {
      const topic = `latency-${inFlight}`;
      const producer = new Producer({ endpoints: broker.endpoint, namespace: '', topic, logger: quiet });
      await producer.startup();
      const body = Buffer.alloc(1024, 'x');
      const latencies: number[] = [];
      const start = performance.now();
      await pool(count, inFlight, async () => {
        const sent = performance.now();
        await producer.send({ topic, body });
        latencies.push(performance.now() - sent);
      });
      const perSecond = count / ((performance.now() - start) / 1000);
      await producer.shutdown();
      latencies.sort((a, b) => a - b);
      const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!;
      results.push({ inFlight, perSecond, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1]! });
    }
  } finally {
    await broker.close();
  }
  return results;
}
