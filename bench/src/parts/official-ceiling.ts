import { Producer } from 'rocketmq-client-nodejs';
import { fileURLToPath } from 'node:url';
import { spawnListening } from '../broker-process.js';
import { deadline } from '../profile.js';
import { quietOfficialLogger } from '../peers/official-peer.js';
import { pool } from '../peers/peer.js';
import { perSecond } from '../report/stats.js';
import { kib, type Part } from './part.js';

/**
 * The official client's ceiling: the rate its Producer publishes at against a server (a process of
 * its own) that answers every call at once and stores nothing (same sizes as the throughput part).
 */
export const officialCeilingPart: Part = {
  name: 'ceiling',
  async run({ profile, results, log }) {
    const server = await spawnListening([fileURLToPath(new URL('../noop-server-main.js', import.meta.url))], 'no-op server');
    const topic = 'bench-noop';
    const producer = new Producer({ endpoints: server.endpoint, namespace: '', topic, logger: quietOfficialLogger });
    try {
      await producer.startup();
      const body = kib();
      await pool(profile.warmup, profile.inFlight, () => producer.send({ topic, body }), deadline(profile.publishSeconds));
      const start = performance.now();
      const sent = await pool(profile.messages, profile.inFlight, () => producer.send({ topic, body }), deadline(profile.publishSeconds));
      const rate = perSecond(sent, performance.now() - start);
      results.set('noop_publish_msg_s', 'official client publish against a no-op gRPC server (its ceiling)', 'msg/s', 'txmqOfficial', rate);
      log(`ceiling: official client against the no-op server ${rate.toFixed(0)} msg/s`);
    } finally {
      await producer.shutdown().catch(() => undefined);
      await server.stop();
    }
  },
};
