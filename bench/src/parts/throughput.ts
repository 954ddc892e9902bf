import { deadline, type Profile } from '../profile.js';
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
          const warmed = await peer.publish(warmup, body, inFlight, deadline(profile.publishSeconds));
          let start = performance.now();
          const published = await peer.publish(messages, body, inFlight, deadline(profile.publishSeconds));
          const publish = perSecond(published, performance.now() - start);
          start = performance.now();
          await peer.consume(published + warmed, inFlight);
          const consume = perSecond(published + warmed, performance.now() - start);
          if (published < messages) results.note('publish_msg_s', `${peer.key} published ${published.toLocaleString('en-US')} of ${messages.toLocaleString('en-US')} within the ${profile.publishSeconds} s cap`);
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
