import { natsPeer } from './peers/nats-peer.js';
import type { Peer } from './peers/peer.js';
import { rabbitPeer } from './peers/rabbit-peer.js';
import { txmqPeer } from './peers/txmq-peer.js';

/** Result of one peer. */
export interface ThroughputResult {
  readonly name: string;
  readonly publishPerSecond: number;
  readonly consumePerSecond: number;
}

/**
 * Durable publish (confirmed) and consume (acknowledged) throughput of txmq's broker and of the
 * peers on this machine, measured one after the other in the same run.
 */
export async function brokerThroughput(count = Number(process.env.BENCH_MESSAGES ?? 10_000), inFlight = 64): Promise<ThroughputResult[]> {
  const body = Buffer.alloc(1024, 'x');
  const results: ThroughputResult[] = [];
  for (const peer of [txmqPeer(), natsPeer(), rabbitPeer()] satisfies Peer[]) {
    try {
      await peer.setup();
    } catch (error) {
      console.error(`skipping ${peer.name}: cannot set up (${(error as Error).message})`);
      continue;
    }
    try {
      await peer.publish(Math.min(500, count), body, inFlight); // warm-up, consumed below
      let start = performance.now();
      await peer.publish(count, body, inFlight);
      const publishPerSecond = count / ((performance.now() - start) / 1000);
      start = performance.now();
      await peer.consume(count + Math.min(500, count));
      const consumePerSecond = (count + Math.min(500, count)) / ((performance.now() - start) / 1000);
      results.push({ name: peer.name, publishPerSecond, consumePerSecond });
    } finally {
      await peer.teardown();
    }
  }
  return results;
}
