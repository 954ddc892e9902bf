import { createProducer } from '@txmq/broker/client';
import { startBrokerProcess } from '../broker-process.js';
import { benchLogger } from '../peers/client-options.js';
import { deadline } from '../profile.js';
import { summarize } from '../report/stats.js';
import { kib, type Part } from './part.js';

/**
 * Transactional half-message send latency against a plain send: one producer, one send at a time,
 * plain and half alternating (so the machine's drift hits both alike), `halfMessages` of each
 * after a warm-up of 50 each; the half message's commit is timed apart.
 */
export const halfMessagePart: Part = {
  name: 'half',
  async run({ profile, results, log }) {
    const broker = await startBrokerProcess();
    const topic = 'bench-half';
    const producer = createProducer({ endpoints: broker.endpoint, topics: [topic], logger: benchLogger, checker: async () => 'COMMIT' });
    const body = kib();
    const plain: number[] = [];
    const half: number[] = [];
    const commit: number[] = [];
    try {
      await producer.start();
      const warm = 50;
      const until = deadline(profile.halfSeconds);
      for (let i = 0; i < warm + profile.halfMessages && performance.now() < until; i++) {
        let start = performance.now();
        await producer.send({ topic, body });
        const plainMs = performance.now() - start;
        start = performance.now();
        const message = await producer.sendHalf({ topic, body });
        const halfMs = performance.now() - start;
        start = performance.now();
        await message.commit();
        const commitMs = performance.now() - start;
        if (i < warm) continue;
        plain.push(plainMs);
        half.push(halfMs);
        commit.push(commitMs);
      }
      const p = summarize(plain);
      const h = summarize(half);
      const c = summarize(commit);
      results.set('plain_send_p50_ms', 'plain send latency, one at a time, p50', 'ms', 'txmq', p.p50);
      results.set('plain_send_p99_ms', 'plain send latency, one at a time, p99', 'ms', 'txmq', p.p99);
      results.set('half_send_p50_ms', 'half-message send latency, p50', 'ms', 'txmq', h.p50);
      results.set('half_send_p99_ms', 'half-message send latency, p99', 'ms', 'txmq', h.p99);
      results.set('half_commit_p50_ms', 'half-message commit latency, p50', 'ms', 'txmq', c.p50);
      results.set('half_commit_p99_ms', 'half-message commit latency, p99', 'ms', 'txmq', c.p99);
      results.set('half_vs_plain_p50', 'half-message send / plain send, p50', '×', 'txmq', h.p50 / p.p50);
      log(`half: plain p50 ${p.p50.toFixed(2)} / p99 ${p.p99.toFixed(2)} ms; half p50 ${h.p50.toFixed(2)} / p99 ${h.p99.toFixed(2)} ms; commit p50 ${c.p50.toFixed(2)} / p99 ${c.p99.toFixed(2)} ms`);
    } finally {
      await producer.close().catch(() => undefined);
      await broker.stop();
    }
  },
};
