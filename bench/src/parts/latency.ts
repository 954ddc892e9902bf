import type { Profile } from '../profile.js';
import { paced } from '../report/pacing.js';
import { summarize } from '../report/stats.js';
import { deferred, type PeerFactory } from '../peers/peer.js';
import type { Part } from './part.js';

/** How long to wait for the last messages after the last send. */
const DRAIN_MS = 10_000;

/**
 * End-to-end latency at a paced `latencyRate` msg/s: each 1 KiB body carries its send time
 * (`performance.now()` when the send is called; producer and consumer share this process), and the
 * handler records now minus that. The first `latencyWarmupSeconds` are not counted.
 */
export function latencyPart(peers: (profile: Profile) => readonly PeerFactory[]): Part {
  return {
    name: 'latency',
    async run({ profile, results, log, wants }) {
      const rate = profile.latencyRate;
      const warm = Math.round(rate * profile.latencyWarmupSeconds);
      const total = warm + Math.round(rate * profile.latencySeconds);
      for (const factory of peers(profile)) {
        const peer = factory('latency');
        if (!wants(peer.key)) continue;
        try {
          await peer.setup();
        } catch (error) {
          results.skip(peer.key, `cannot set up: ${(error as Error).message}`);
          log(`latency: skipping ${peer.key}: ${(error as Error).message}`);
          continue;
        }
        try {
          const latencies: number[] = [];
          let received = 0;
          const all = deferred();
          const subscription = await peer.subscribe((body) => {
            const at = performance.now();
            if (body.readUInt32LE(8) >= warm) latencies.push(at - body.readDoubleLE(0));
            if (++received === total) all.resolve();
          }, profile.inFlight);
          let failed = 0;
          let firstFailure: unknown;
          await paced(total, rate, (i) => {
            const body = Buffer.alloc(1024, 'x');
            body.writeUInt32LE(i, 8);
            body.writeDoubleLE(performance.now(), 0);
            peer.send(body).catch((error: unknown) => {
              failed++;
              firstFailure ??= error;
            });
          });
          const timeout = new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref());
          await Promise.race([all.promise, timeout]);
          await subscription.stop();
          const s = summarize(latencies);
          results.set('e2e_p50_ms', `e2e latency at ${rate} msg/s, p50`, 'ms', peer.key, s.p50);
          results.set('e2e_p99_ms', `e2e latency at ${rate} msg/s, p99`, 'ms', peer.key, s.p99);
          const missing = total - received;
          log(`latency: ${peer.key} p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, max ${s.max.toFixed(1)} ms over ${s.count}${missing > 0 ? `; ${missing} not received within ${DRAIN_MS} ms` : ''}${failed > 0 ? `; ${failed} sends failed, the first with ${String(firstFailure)}` : ''}`);
          if (missing > 0) results.note('e2e_p99_ms', `${peer.key}: ${missing} of ${total} messages not received within ${DRAIN_MS / 1000} s`);
        } catch (error) {
          results.skip(peer.key, `failed: ${(error as Error).message}`);
          log(`latency: ${peer.key} failed: ${(error as Error).stack}`);
        } finally {
          await peer.teardown().catch((error: unknown) => log(`latency: ${peer.key} teardown: ${(error as Error).message}`));
        }
      }
    },
  };
}
