import type { Profile } from '../profile.js';
import { perSecond } from '../report/stats.js';
import type { PeerFactory } from '../peers/peer.js';
import { kib, type Part } from './part.js';

/**
 * Durable publish (each confirmed) and consume (each acknowledged) throughput of 1 KiB messages,
 * `inFlight` at a time, per system one after the other: a warm-up, `messages` timed publishes,
 * then all of them consumed.
 */
export function throughputPart(peers: (profile: Profile) => readonly PeerFactory[]): Part {
  return {
    name: 'throughput',
    async run({ profile, results, log, wants }) {
      const body = kib();
      const { messages, warmup, inFlight } = profile;
      for (const factory of peers(profile)) {
        const peer = factory('throughput');
        if (!wants(peer.key)) continue;
        try {
          await peer.setup();
        } catch (error) {
          results.skip(peer.key, `cannot set up: ${(error as Error).message}`);
          log(`throughput: skipping ${peer.key}: ${(error as Error).message}`);
          continue;
        }
        try {
          await peer.publish(warmup, body, inFlight);
          let start = performance.now();
          await peer.publish(messages, body, inFlight);
          const publish = perSecond(messages, performance.now() - start);
          start = performance.now();
          await peer.consume(messages + warmup, inFlight);
          const consume = perSecond(messages + warmup, performance.now() - start);
          results.set('publish_msg_s', `publish, 1 KiB durable, ${inFlight} in flight`, 'msg/s', peer.key, publish);
          results.set('consume_msg_s', `consume, per-message acks, ${inFlight} in flight`, 'msg/s', peer.key, consume);
          log(`throughput: ${peer.key} publish ${publish.toFixed(0)} msg/s, consume ${consume.toFixed(0)} msg/s`);
        } catch (error) {
          results.skip(peer.key, `failed: ${(error as Error).message}`);
          log(`throughput: ${peer.key} failed: ${(error as Error).stack}`);
        } finally {
          await peer.teardown().catch((error: unknown) => log(`throughput: ${peer.key} teardown: ${(error as Error).message}`));
        }
      }
    },
  };
}
