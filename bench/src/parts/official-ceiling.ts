import { fileURLToPath } from 'node:url';
import { Producer } from 'rocketmq-client-nodejs';
import { spawnListening, startBrokerProcess } from '../broker-process.js';
import { quietOfficialLogger } from '../peers/official-peer.js';
import { pool } from '../peers/peer.js';
import { deadline } from '../profile.js';
import { percentile, perSecond } from '../report/stats.js';
import { kib, type Part } from './part.js';

const ROUNDS = 3;

/**
 * The official client's ceiling: the rate its Producer publishes at against a server (a process of
 * its own) that answers every call at once and stores nothing, next to its rate against a txmq
 * broker process, in alternating rounds (the order flips each round, so the machine's drift hits
 * both alike); the medians are reported.
 */
export const officialCeilingPart: Part = {
  name: 'ceiling',
  async run({ profile, results, log }) {
    const noop = await spawnListening([fileURLToPath(new URL('../noop-server-main.js', import.meta.url))], 'no-op server');
    const broker = await startBrokerProcess();
    const topic = 'bench-ceiling';
    const producers: Producer[] = [];
    try {
      const targets = await Promise.all([broker.endpoint, noop.endpoint].map(async (endpoints) => {
        const producer = new Producer({ endpoints, namespace: '', topic, logger: quietOfficialLogger });
        producers.push(producer);
        await producer.startup();
        return { producer, rates: [] as number[] };
      }));
      const body = kib();
      const perRound = Math.ceil(profile.messages / ROUNDS);
      const seconds = profile.publishSeconds / 4;
      for (const { producer } of targets) await pool(profile.warmup, profile.inFlight, () => producer.send({ topic, body }), deadline(seconds));
      for (let round = 0; round < ROUNDS; round++) {
        for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
          const start = performance.now();
          const sent = await pool(perRound, profile.inFlight, () => target.producer.send({ topic, body }), deadline(seconds));
          target.rates.push(perSecond(sent, performance.now() - start));
        }
      }
      const [txmq, ceiling] = targets.map((t) => percentile(t.rates, 0.5)) as [number, number];
      results.set('official_paired_msg_s', `official client publish against txmq, alternating with the no-op server (median of ${ROUNDS})`, 'msg/s', 'txmqOfficial', txmq);
      results.set('noop_publish_msg_s', `official client publish against a no-op gRPC server, its ceiling (median of ${ROUNDS})`, 'msg/s', 'txmqOfficial', ceiling);
      log(`ceiling: official client ${txmq.toFixed(0)} msg/s against txmq, ${ceiling.toFixed(0)} msg/s against the no-op server (rounds: ${targets.map((t) => t.rates.map((r) => r.toFixed(0)).join('/')).join(' vs ')})`);
    } finally {
      for (const producer of producers) await producer.shutdown().catch(() => undefined);
      await broker.stop();
      await noop.stop();
    }
  },
};
